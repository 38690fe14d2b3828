# The keel CLI (tools/keel/: cli.c, main.c, cmd_*.c) on libkeel, libkeelcfg (keel.mk) and
# Debian's libxenstore, libxengnttab, libxenforeignmemory, json-c and the decompressors.
KCLI_DIR := tools/keel
KCLI_SRCS := $(addprefix $(KCLI_DIR)/,main.c cli.c cmd_list.c cmd_domain.c cmd_vcpu.c \
	cmd_create.c monitor.c cmd_stats.c)

$(BUILD)/tools/keel: $(KCLI_SRCS) $(wildcard $(KCLI_DIR)/*.h) $(BUILD)/tools/libkeel.a \
		$(BUILD)/tools/libkeelcfg.a
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -Iinclude -Itools/libkeel -o $@ $(KCLI_SRCS) \
		$(BUILD)/tools/libkeelcfg.a $(BUILD)/tools/libkeel.a $(LK_BUILD_LIBS) -ljson-c
