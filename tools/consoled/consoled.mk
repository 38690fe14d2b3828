# keel-consoled (tools/consoled/): the console daemon for dom0, a user-space program.
CD_DIR := tools/consoled
CD_SRCS := $(addprefix $(CD_DIR)/,ring.c names.c pty.c domain.c scan.c main.c)
CD_GLIB_CFLAGS = $(shell pkg-config --cflags glib-2.0)
CD_GLIB_LIBS = $(shell pkg-config --libs glib-2.0)

$(BUILD)/tools/keel-consoled: $(CD_SRCS) $(wildcard $(CD_DIR)/*.h) $(BUILD)/tools/libkeel.a \
		$(wildcard include/public/*.h) tools/libkeel/libkeel.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -Iinclude $(CD_GLIB_CFLAGS) -o $@ $(CD_SRCS) \
		$(BUILD)/tools/libkeel.a $(CD_GLIB_LIBS) -lxenstore -lxenevtchn -lxenforeignmemory
