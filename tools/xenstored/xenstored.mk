# keel-xenstored (tools/xenstored/): the xenstore daemon for dom0, a user-space program.
XS_DIR := tools/xenstored
XS_CORE_SRCS := $(addprefix $(XS_DIR)/,wire.c handlers.c domain.c ops.c tree.c perms.c watch.c \
	transaction.c quota.c core.c ring.c)
XS_SRCS := $(XS_CORE_SRCS) $(addprefix $(XS_DIR)/,conn_socket.c conn_ring.c main.c)
XS_GLIB_CFLAGS = $(shell pkg-config --cflags glib-2.0)
XS_GLIB_LIBS = $(shell pkg-config --libs glib-2.0)

$(BUILD)/tools/keel-xenstored: $(XS_SRCS) $(wildcard $(XS_DIR)/*.h) $(BUILD)/tools/libkeel.a
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -Iinclude -Itools/libkeel $(XS_GLIB_CFLAGS) -o $@ \
		$(XS_SRCS) $(BUILD)/tools/libkeel.a $(XS_GLIB_LIBS) -lxenevtchn -lxengnttab \
		-lxenforeignmemory
