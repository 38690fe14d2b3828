# keel's guest configuration parser (tools/keel/config*.c): $(BUILD)/tools/libkeelcfg.a, for the
# keel CLI (docs/config.md). Plain C, no libraries.
KC_DIR := tools/keel
KC_SRCS := $(addprefix $(KC_DIR)/,config.c config_lex.c config_parse.c config_keys.c config_dev.c)
KC_OBJS := $(patsubst $(KC_DIR)/%.c,$(BUILD)/tools/obj/keel-config/%.o,$(KC_SRCS))

$(BUILD)/tools/obj/keel-config/%.o: $(KC_DIR)/%.c $(wildcard $(KC_DIR)/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -c -o $@ $<

$(BUILD)/tools/libkeelcfg.a: $(KC_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $(KC_OBJS)
