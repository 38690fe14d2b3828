# libkeel (tools/libkeel/): the management hypercalls and the domain builder for dom0's tools;
# keel-hostinfo and keel-testdomain.
LK_DIR := tools/libkeel
LK_SRCS := $(addprefix $(LK_DIR)/,libkeel.c domain.c errf.c read_file.c elf_image.c kernel_image.c build.c \
	introduce.c vbd.c vif.c xs_dev.c)
# What the builder (build.c, kernel_image.c) links: Xen's and Debian's decompression libraries.
LK_BUILD_LIBS := -lxenstore -lxengnttab -lxenforeignmemory -lz -llzma -lzstd -llz4
LK_OBJS := $(patsubst $(LK_DIR)/%.c,$(BUILD)/tools/obj/%.o,$(LK_SRCS))
LK_CFLAGS = -std=gnu11 -O2 -g $(WARNINGS) -Iinclude

$(BUILD)/tools/obj/%.o: $(LK_DIR)/%.c $(wildcard $(LK_DIR)/*.h) $(wildcard include/public/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(HOSTCC) $(LK_CFLAGS) -c -o $@ $<

$(BUILD)/tools/libkeel.a: $(LK_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $(LK_OBJS)

$(BUILD)/tools/keel-hostinfo: $(LK_DIR)/keel-hostinfo.c $(BUILD)/tools/libkeel.a
	@echo "  CC      $@"
	@$(HOSTCC) $(LK_CFLAGS) -o $@ $< $(BUILD)/tools/libkeel.a

$(BUILD)/tools/keel-testdomain: $(LK_DIR)/keel-testdomain.c $(BUILD)/tools/libkeel.a
	@echo "  CC      $@"
	@$(HOSTCC) $(LK_CFLAGS) -o $@ $< $(BUILD)/tools/libkeel.a $(LK_BUILD_LIBS)
