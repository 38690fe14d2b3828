# Unit suite for the LZ4 legacy decompressor (common/loader/decompress/lz4.c), against Debian's
# own `lz4 -l` (as the kernel build runs it): inputs from tests/unit/lz4_gen.c, compressed at
# build time into $(BUILD)/tests/unit/lz4-data/NAME.{lz4,lz4hc}.
UNIT_TESTS += lz4
lz4_SRCS := common/loader/decompress/lz4.c $(KEEL_HOST_LIB_SRCS) tests/unit/test_lz4.c
LZ4_DATA_DIR := $(BUILD)/tests/unit/lz4-data
LZ4_DATA_NAMES := empty text random runs big
LZ4_DATA := $(foreach n,$(LZ4_DATA_NAMES),$(LZ4_DATA_DIR)/$(n).lz4 $(LZ4_DATA_DIR)/$(n).lz4hc)
lz4_CFLAGS = $(KEEL_HOST_LIB_CFLAGS) -DLZ4_DATA_DIR='"$(abspath $(LZ4_DATA_DIR))"'

$(BUILD)/tests/unit/lz4: $(LZ4_DATA)

$(LZ4_DATA_DIR)/stamp: tests/unit/lz4_gen.c
	@mkdir -p $(LZ4_DATA_DIR)
	$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $(LZ4_DATA_DIR)/gen $<
	$(LZ4_DATA_DIR)/gen $(LZ4_DATA_DIR)
	@touch $@

$(LZ4_DATA_DIR)/%.lz4: $(LZ4_DATA_DIR)/stamp
	lz4 -q -f -l $(LZ4_DATA_DIR)/$* $@

$(LZ4_DATA_DIR)/%.lz4hc: $(LZ4_DATA_DIR)/stamp
	lz4 -q -f -l -9 $(LZ4_DATA_DIR)/$* $@
