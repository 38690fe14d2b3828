# Keel: top-level build. `make` builds build/keel and build/keel.iso; see README.md for the rest.

BUILD      ?= build
CC         := gcc
LD         := ld
HOSTCC     ?= gcc
FUZZCC     ?= clang
KEEL_CMDLINE ?= selftest

HV_DIRS := arch/x86 common drivers
HV_C    := $(shell find $(HV_DIRS) -name '*.c' | LC_ALL=C sort)
HV_S    := $(shell find $(HV_DIRS) -name '*.S' | LC_ALL=C sort)
HV_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(HV_C) $(HV_S)))
LDSCRIPT := arch/x86/boot/keel.ld

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wundef -Wvla -Wno-unused-parameter
HV_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -fno-builtin -nostdinc \
             -isystem $(shell $(CC) -print-file-name=include) \
             -fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer -fno-common \
             -mno-red-zone -mcmodel=kernel -mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 \
             -fcf-protection=none -Iinclude -Iarch/x86/include -MMD -MP
HV_ASFLAGS := -D__ASSEMBLY__ -Iinclude -Iarch/x86/include -MMD -MP -g
HV_LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T $(LDSCRIPT)

.PHONY: all iso guests tools run test test-quick test-long unit fuzz boot-tests check format clean deps bench \
        dom0-rootfs dom0-disk
all: $(BUILD)/keel $(BUILD)/keel.iso guests tools

# Dom0 user space (tools/): keel-xenstored, libkeel, keel-hostinfo, keel-testdomain, keel-consoled,
# the keel CLI and its configuration parser (libkeelcfg).
include tools/xenstored/xenstored.mk
include tools/libkeel/libkeel.mk
include tools/consoled/consoled.mk
include tools/keel/keel.mk
include tools/keel/cli.mk
tools: $(BUILD)/tools/keel-xenstored $(BUILD)/tools/keel-hostinfo $(BUILD)/tools/keel-testdomain \
	$(BUILD)/tools/keel-consoled $(BUILD)/tools/keel

# Test guests (guests/Makefile): $(BUILD)/guests/NAME.elf
guests:
	@$(MAKE) --no-print-directory -C guests O=$(abspath $(BUILD))/guests

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(HV_ASFLAGS) -c $< -o $@

# Two-pass link: the symbol table used by backtraces lives in the image's last section, so
# adding it cannot move any other symbol.
$(BUILD)/keel.pass1: $(HV_OBJS) $(LDSCRIPT) $(BUILD)/symtab-empty.o
	@echo "  LD      $@"
	@$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/symtab-empty.o

$(BUILD)/symtab-empty.S: scripts/gen-symtab.sh
	@mkdir -p $(BUILD)
	sh scripts/gen-symtab.sh /dev/null > $@

$(BUILD)/symtab.S: $(BUILD)/keel.pass1 scripts/gen-symtab.sh
	nm -n $< | sh scripts/gen-symtab.sh - > $@

$(BUILD)/symtab-empty.o $(BUILD)/symtab.o: $(BUILD)/%.o: $(BUILD)/%.S
	$(CC) $(HV_ASFLAGS) -c $< -o $@

$(BUILD)/keel: $(HV_OBJS) $(LDSCRIPT) $(BUILD)/symtab.o
	@echo "  LD      $@"
	@$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/symtab.o
	sh scripts/check-symtab-stable.sh $(BUILD)/keel.pass1 $@

$(BUILD)/keel.iso: $(BUILD)/keel scripts/mkiso.sh
	sh scripts/mkiso.sh $(BUILD)/keel $@ "$(KEEL_CMDLINE)"

iso: $(BUILD)/keel.iso

# ---- host unit tests (cmocka) and fuzzers (libFuzzer); each tests/*/NAME.mk adds one ----
UNIT_TESTS :=
FUZZERS :=
include $(wildcard tests/unit/*.mk)
include $(wildcard tests/fuzz/*.mk)

HOST_CFLAGS := -std=gnu11 -O1 -g $(WARNINGS) -Wno-missing-prototypes -DKEEL_HOST_TEST \
               -Iinclude -Itests/unit -fsanitize=address,undefined -fno-omit-frame-pointer
UNIT_BINS := $(addprefix $(BUILD)/tests/unit/,$(UNIT_TESTS))
FUZZ_BINS := $(addprefix $(BUILD)/tests/fuzz/,$(FUZZERS))

define unit_rule
$(BUILD)/tests/unit/$(1): $$($(1)_SRCS) $$(wildcard include/keel/*.h tests/unit/*.h)
	@mkdir -p $$(dir $$@)
	$$(HOSTCC) $$(HOST_CFLAGS) $$($(1)_CFLAGS) -o $$@ $$($(1)_SRCS) $$($(1)_LIBS) -lcmocka
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

define fuzz_rule
$(BUILD)/tests/fuzz/$(1): $$($(1)_SRCS) $$(wildcard include/keel/*.h)
	@mkdir -p $$(dir $$@)
	$$(FUZZCC) -std=gnu11 -O1 -g -DKEEL_HOST_TEST -DKEEL_FUZZ -Iinclude -Itests/unit \
		-fsanitize=fuzzer,address,undefined $$($(1)_CFLAGS) -o $$@ $$($(1)_SRCS) $$($(1)_LIBS)
endef
$(foreach t,$(FUZZERS),$(eval $(call fuzz_rule,$(t))))

unit: $(UNIT_BINS)
fuzz: $(FUZZ_BINS)

deps:
	sh scripts/deps.sh

test: deps
	$(MAKE) all unit fuzz
	sh scripts/run-tests.sh

# `make test-quick`: the inner loop: everything but the Debian Linux boots (a few minutes less).
test-quick: deps
	$(MAKE) all unit fuzz
	KEEL_LINUX_TESTS=0 sh scripts/run-tests.sh

# `make test-long`: the long runs (tests/long/): 100 guest create/destroy cycles from dom0.
test-long: deps
	$(MAKE) all
	sh scripts/boot-test.sh tests/long/bochs-linux-dom0-100-cycles.test; \
	  rc=$$?; [ $$rc -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"; exit $$rc

# `make run`: Keel in Bochs (the emulator with VT-x) running a few guests side by side, its
# serial console on this terminal; it powers off when the last guest has ended.
run: deps
	$(MAKE) all
	sh scripts/run-demo.sh

# `make run-qemu`: the platform alone in QEMU (no VT-x there): selftest, then power-off.
run-qemu: deps
	$(MAKE) all
	sh scripts/run-qemu.sh $(BUILD)/keel.iso

# `make bench`: the benchmark guest under Bochs (clock: sync=none, so TSC ticks = instructions).
bench: deps
	$(MAKE) all
	sh scripts/bench.sh

# `make dom0-rootfs`: dom0's initramfs, $(BUILD)/dom0/rootfs.cpio.gz, from Debian packages
# (apt-get download into the cache, never installed) and whatever is in $(BUILD)/tools/;
# `make dom0-disk`: the boot tests' raw disk image $(BUILD)/dom0/test-disk.img (docs/dom0.md).
dom0-rootfs: tools guests
	BUILD=$(BUILD) sh scripts/dom0-rootfs.sh

dom0-disk:
	BUILD=$(BUILD) sh scripts/make-test-disk.sh

boot-tests: all
	sh scripts/run-tests.sh boot

check: deps
	sh scripts/check.sh

format:
	sh scripts/check.sh --fix-format

clean:
	rm -rf $(BUILD)

-include $(HV_OBJS:.o=.d)
