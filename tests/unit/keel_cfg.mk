# Unit suites for keel's guest configuration parser (tools/keel/config*.c): parsed configs
# (keel_cfg) and every message word for word (keel_cfg_msgs); the file system is faked.
KC_UNIT_SRCS := $(addprefix tools/keel/,config.c config_lex.c config_parse.c config_keys.c \
	config_dev.c)
UNIT_TESTS += keel_cfg keel_cfg_msgs
keel_cfg_SRCS := $(KC_UNIT_SRCS) tests/unit/test_keel_cfg.c
keel_cfg_CFLAGS := -fno-sanitize-recover=all
keel_cfg_msgs_SRCS := $(KC_UNIT_SRCS) tests/unit/test_keel_cfg_msgs.c
keel_cfg_msgs_CFLAGS := -fno-sanitize-recover=all
$(BUILD)/tests/unit/keel_cfg $(BUILD)/tests/unit/keel_cfg_msgs: $(wildcard tools/keel/*.h)
