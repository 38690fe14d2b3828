# VT-x TLB tags (arch/x86/vmx/vmx_tlb.c): VPID allocation from the bitmap, recycling, the epoch.
UNIT_TESTS += vmxtlb
vmxtlb_SRCS := arch/x86/vmx/vmx_tlb.c tests/unit/shim_spinlock.c tests/unit/test_vmx_tlb.c
vmxtlb_CFLAGS := -Iarch/x86/include
