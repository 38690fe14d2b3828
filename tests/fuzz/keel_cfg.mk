# Fuzzer for keel's guest configuration parser (tools/keel/config*.c): file text and overrides,
# the file checks stubbed; invariants of every accepted config, no leaks.
FUZZERS += fuzz_keel_cfg
fuzz_keel_cfg_SRCS := $(addprefix tools/keel/,config.c config_lex.c config_parse.c \
	config_keys.c config_dev.c) tests/fuzz/fuzz_keel_cfg.c
fuzz_keel_cfg_CFLAGS = $(WARNINGS)
$(BUILD)/tests/fuzz/fuzz_keel_cfg: $(wildcard tools/keel/*.h)
