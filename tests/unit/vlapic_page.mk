# The vLAPIC in a virtual-APIC page (arch/x86/hvm/vlapic_page.c) over the real vLAPIC: load and
# unload keep IRR/ISR/TPR, other CPUs' IRR bits merge in, registers read through the page, the
# x2APIC MSRs the CPU serves.
UNIT_TESTS += vlapic_page
vlapic_page_SRCS := arch/x86/hvm/vlapic.c arch/x86/hvm/vlapic_timer.c arch/x86/hvm/vlapic_ipi.c \
	arch/x86/hvm/vlapic_msr.c arch/x86/hvm/vlapic_page.c arch/x86/hvm/io_table.c common/timer.c \
	tests/unit/test_vlapic_page.c tests/unit/shim_core.c tests/unit/shim_spinlock.c \
	tests/unit/shim_core_timer.c tests/unit/shim_core_evtchn.c tests/unit/shim_vioapic.c tests/unit/shim_sched_none.c
vlapic_page_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
