# The virtual local APIC (arch/x86/hvm/vlapic*.c) on the real timers (common/timer.c) and MMIO
# table, with a settable clock: priorities, IRR/ISR/EOI, ESR, LVT, timer arithmetic and firing,
# ICR decoding, destinations, IPIs, INIT/SIPI, IA32_APIC_BASE, x2APIC #GP cases, odd MMIO.
UNIT_TESTS += vlapic
vlapic_SRCS := arch/x86/hvm/vlapic.c arch/x86/hvm/vlapic_timer.c arch/x86/hvm/vlapic_ipi.c \
	arch/x86/hvm/vlapic_msr.c arch/x86/hvm/vlapic_page.c arch/x86/hvm/io_table.c common/timer.c tests/unit/test_vlapic.c \
	tests/unit/shim_core.c tests/unit/shim_spinlock.c tests/unit/shim_core_timer.c \
	tests/unit/shim_core_evtchn.c tests/unit/shim_vioapic.c tests/unit/shim_sched_none.c
vlapic_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
