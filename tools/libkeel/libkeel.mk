# libkeel (tools/libkeel/): the management hypercalls for dom0's tools, and keel-hostinfo.
LK_DIR := tools/libkeel

$(BUILD)/tools/libkeel.a: $(LK_DIR)/libkeel.c $(LK_DIR)/libkeel.h $(wildcard include/public/*.h)
	@mkdir -p $(BUILD)/tools/obj
	@echo "  CC      $@"
	@$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -Iinclude -c -o $(BUILD)/tools/obj/libkeel.o \
		$(LK_DIR)/libkeel.c
	@rm -f $@ && ar rcs $@ $(BUILD)/tools/obj/libkeel.o

$(BUILD)/tools/keel-hostinfo: $(LK_DIR)/keel-hostinfo.c $(BUILD)/tools/libkeel.a
	@echo "  CC      $@"
	@$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -Iinclude -o $@ $< $(BUILD)/tools/libkeel.a
