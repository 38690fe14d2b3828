# Speculation hygiene (arch/x86/cpu/spec_ctrl.c): the decision and its log line over CPU inputs.
UNIT_TESTS += specctrl
specctrl_SRCS := arch/x86/cpu/spec_ctrl.c tests/unit/shim_lib_printk.c tests/unit/test_spec_ctrl.c
specctrl_CFLAGS := -Iarch/x86/include
