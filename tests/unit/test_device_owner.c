/* Unit tests for common/device_owner.c: who may own a port, page or GSI, and every refusal. */
#include <keel/compiler.h>
#include <keel/device_owner.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

static char err[160];
static struct boot_info bi;
static unsigned int shim_nr_gsis = 24; /* the host's IO-APIC has GSIs 0..23 */

bool arch_device_gsi_exists(u32 gsi)
{
	return gsi < shim_nr_gsis;
}

void arch_devices_reserve(void) {}

/* A small PC: RAM below 640 KiB and from 1 MiB, a reserved BIOS area, ACPI tables, NVS. */
static int setup(void **state)
{
	devown_reset();
	memset(&bi, 0, sizeof(bi));
	bi.memmap[0] = (struct boot_mem_range){0, 0x9f000, MEM_RAM};
	bi.memmap[1] = (struct boot_mem_range){0x9f000, 0x1000, MEM_RESERVED};
	bi.memmap[2] = (struct boot_mem_range){0xf0000, 0x10000, MEM_RESERVED};
	bi.memmap[3] = (struct boot_mem_range){0x100000, 0x7ef0000, MEM_RAM};
	bi.memmap[4] = (struct boot_mem_range){0x7ff0000, 0x8000, MEM_ACPI_RECLAIM};
	bi.memmap[5] = (struct boot_mem_range){0x7ff8000, 0x8000, MEM_ACPI_NVS};
	bi.memmap[6] = (struct boot_mem_range){0x100000000ULL, 0x10000000, MEM_RAM};
	bi.nr_memmap = 7;
	/* What arch_devices_reserve() notes on x86 (a part of it). */
	assert_int_equal(devown_reserve(DEVOWN_PORT, 0x3f8, 0x3ff, "its console UART"), 0);
	assert_int_equal(devown_reserve(DEVOWN_PORT, 0xcf8, 0xcff, "PCI configuration"), 0);
	assert_int_equal(devown_reserve(DEVOWN_MMIO, 0xfec00000, 0xfec00fff, "an IO-APIC"), 0);
	assert_int_equal(devown_reserve(DEVOWN_MMIO, 0xfee00000, 0xfeefffff, "local APICs"), 0);
	assert_int_equal(devown_reserve(DEVOWN_GSI, 4, 4, "its console UART's interrupt"), 0);
	return 0;
}

static struct domcfg_devices devs(const char *ports, const char *mem, const char *irqs)
{
	struct domcfg_devices d;

	memset(&d, 0, sizeof(d));
	if (ports)
		assert_int_equal(domcfg_parse_devices(DOMCFG_DEV_IOPORTS, ports, strlen(ports), &d,
						      err, sizeof(err)),
				 0);
	if (mem)
		assert_int_equal(
		    domcfg_parse_devices(DOMCFG_DEV_IOMEM, mem, strlen(mem), &d, err, sizeof(err)),
		    0);
	if (irqs)
		assert_int_equal(
		    domcfg_parse_devices(DOMCFG_DEV_IRQS, irqs, strlen(irqs), &d, err, sizeof(err)),
		    0);
	return d;
}

static void claim_ok(const char *name, const struct domcfg_devices *d)
{
	if (devown_claim(name, false, d, 4ULL << 20, &bi, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", name, err);
	assert_string_equal(err, "");
}

/* Refused with @rc and a message holding @text; nothing of it recorded. */
static void claim_bad(const char *name, const struct domcfg_devices *d, int rc, const char *text)
{
	int got = devown_claim(name, false, d, 4ULL << 20, &bi, err, sizeof(err));

	if (got != rc)
		fail_msg("'%s' gave %d, expected %d (%s)", name, got, rc, err);
	if (!strstr(err, text))
		fail_msg("'%s': error '%s' lacks '%s'", name, err, text);
}

static void test_owner_and_conflicts(void **state)
{
	struct domcfg_devices a = devs("0x2f8-0x2ff", "0xb8000-0xb8fff", "3");
	struct domcfg_devices port_clash = devs("0x2e8-0x2f8", NULL, NULL);
	struct domcfg_devices page_clash = devs(NULL, "0xb0000-0xbffff", NULL);
	struct domcfg_devices gsi_clash = devs("0x3e8-0x3ef", NULL, "5,3");
	struct domcfg_devices beside = devs("0x2e8-0x2ef,0x300", "0xb9000-0xb9fff", "5");

	claim_ok("rtos", &a);
	assert_string_equal(devown_owner(DEVOWN_PORT, 0x2fc, 0x2fc), "rtos");
	assert_string_equal(devown_owner(DEVOWN_MMIO, 0xb8000, 0xb8fff), "rtos");
	assert_string_equal(devown_owner(DEVOWN_GSI, 3, 3), "rtos");
	assert_null(devown_owner(DEVOWN_PORT, 0x300, 0x3ff));
	assert_null(devown_owner(DEVOWN_GSI, 4, 4)); /* Keel's, not a domain's */

	claim_bad("linux", &port_clash, -EBUSY,
		  "ioports=0x2e8-0x2f8: port 0x2f8 is already assigned to 'rtos' (a port belongs "
		  "to one domain: take it off one of the two lines)");
	claim_bad("linux", &page_clash, -EBUSY, "page 0xb8000 is already assigned to 'rtos'");
	claim_bad("linux", &gsi_clash, -EBUSY, "irqs=3: GSI 3 is already assigned to 'rtos'");
	/* All or nothing: the refused lists left nothing behind. */
	assert_null(devown_owner(DEVOWN_PORT, 0x2e8, 0x2ef));
	assert_null(devown_owner(DEVOWN_PORT, 0x3e8, 0x3e8));
	assert_null(devown_owner(DEVOWN_GSI, 5, 5));
	claim_ok("linux", &beside);
	assert_string_equal(devown_owner(DEVOWN_PORT, 0x2e8, 0x2ef), "linux");
	assert_string_equal(devown_owner(DEVOWN_PORT, 0x300, 0x300), "linux");
	assert_string_equal(devown_owner(DEVOWN_GSI, 5, 5), "linux");
}

static void test_keel_resources(void **state)
{
	struct domcfg_devices uart = devs("0x3f0-0x3f8", NULL, NULL);
	struct domcfg_devices pci = devs("0xcfc", NULL, NULL);
	struct domcfg_devices ioapic = devs(NULL, "0xfe000000-0xfeffffff", NULL);
	struct domcfg_devices lapic = devs(NULL, "0xfee01000-0xfee01fff", NULL);
	struct domcfg_devices gsi = devs(NULL, NULL, "4");

	claim_bad("a", &uart, -EINVAL,
		  "ioports=0x3f0-0x3f8: port 0x3f8 is Keel's (its console UART); pick ports Keel "
		  "does not use");
	claim_bad("a", &pci, -EINVAL, "port 0xcfc is Keel's (PCI configuration)");
	claim_bad("a", &ioapic, -EINVAL, "page 0xfec00000 is Keel's (an IO-APIC)");
	claim_bad("a", &lapic, -EINVAL, "page 0xfee01000 is Keel's (local APICs)");
	claim_bad("a", &gsi, -EINVAL, "irqs=4: GSI 4 is Keel's (its console UART's interrupt)");
}

static void test_gsi_must_exist(void **state)
{
	struct domcfg_devices last = devs(NULL, NULL, "23");
	struct domcfg_devices past = devs(NULL, NULL, "24");

	claim_bad("a", &past, -EINVAL,
		  "irqs=24: GSI 24 is not a pin of this machine's IO-APICs (Keel's 'ioapic:' lines "
		  "at boot list their GSIs)");
	claim_ok("a", &last);
	shim_nr_gsis = 0;
	claim_bad("b", &past, -EINVAL, "not a pin");
	shim_nr_gsis = 24;
}

static void test_iomem_not_memory(void **state)
{
	struct domcfg_devices ram = devs(NULL, "0x9e000-0x9ffff", NULL);
	struct domcfg_devices acpi = devs(NULL, "0x7ff0000-0x7ff0fff", NULL);
	struct domcfg_devices nvs = devs(NULL, "0x7ff9000-0x7ff9fff", NULL);
	struct domcfg_devices high = devs(NULL, "0x10fff0000-0x110000fff", NULL);
	struct domcfg_devices bios = devs(NULL, "0xf0000-0xfffff", NULL);

	claim_bad("a", &ram, -EINVAL,
		  "iomem=0x9e000-0x9ffff: page 0x9e000 is memory in the host memory map (type 1), "
		  "not a device: only device memory can be assigned");
	claim_bad("a", &acpi, -EINVAL, "page 0x7ff0000 is memory in the host memory map (type 3)");
	claim_bad("a", &nvs, -EINVAL, "(type 4)");
	claim_bad("a", &high, -EINVAL, "page 0x10fff0000 is memory in the host memory map");
	/* Reserved firmware space is not memory: it may be a device's. */
	claim_ok("a", &bios);
}

static void test_iomem_guest_layout(void **state)
{
	struct domcfg_devices vga = devs(NULL, "0xa0000-0xbffff", NULL);
	struct domcfg_devices past_legacy = devs(NULL, "0xff000-0x100fff", NULL);
	struct domcfg_devices in_ram = devs(NULL, "0x200000-0x200fff", NULL);
	struct domcfg_devices acpi = devs(NULL, "0xfc000000-0xfc000fff", NULL);
	struct domcfg_devices special = devs(NULL, "0xfeff0000-0xfeffffff", NULL);
	struct domcfg_devices above = devs(NULL, "0xd0000000-0xd0ffffff", NULL);
	struct domcfg_devices high = devs(NULL, "0x140000000-0x140000fff", NULL);

	struct domcfg_devices below_legacy = devs(NULL, "0x9f000-0x9ffff", NULL);

	claim_bad("a", &below_legacy, -EINVAL,
		  "iomem=0x9f000-0x9ffff: guest address 0x9f000 is the domain's own RAM (RAM is "
		  "0-0x3fffff; only the legacy window 0xa0000-0xfffff can hold a device there)");
	/* Host RAM is refused first; without a memory map the layout rule still holds. */
	claim_bad("a", &past_legacy, -EINVAL, "page 0x100000 is memory in the host memory map");
	assert_int_equal(devown_claim("a", false, &past_legacy, 4ULL << 20, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "guest address 0x100000 is the domain's own RAM"));
	assert_int_equal(devown_claim("a", false, &in_ram, 4ULL << 20, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "guest address 0x200000 is the domain's own RAM"));
	claim_bad("a", &acpi, -EINVAL,
		  "guest address 0xfc000000 is the domain's ACPI tables (0xfc000000-0xfc000fff): "
		  "assign another range");
	claim_bad("a", &special, -EINVAL, "guest address 0xfeff8000 is the domain's special pages");
	claim_ok("a", &vga);
	claim_ok("a", &above); /* in the hole below 4 GiB */
	/* A big domain's RAM reaches above 4 GiB. */
	assert_int_equal(devown_claim("big", false, &high, 5ULL << 30, &bi, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "(its RAM above 4 GiB is 0x100000000-0x17fffffff)"));
	assert_int_equal(devown_claim("small", false, &high, 3ULL << 30, &bi, err, sizeof(err)), 0);
}

static void test_dom0_and_arguments(void **state)
{
	struct domcfg_devices a = devs("0x2f8-0x2ff", NULL, NULL);
	struct domcfg_devices none = devs(NULL, NULL, NULL);

	assert_int_equal(devown_claim("dom0", true, &a, 4ULL << 20, &bi, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "dom0 already has every device Keel does not keep"));
	assert_int_equal(devown_claim("dom0", true, &none, 4ULL << 20, &bi, err, sizeof(err)), 0);
	assert_int_equal(devown_claim("x", false, &none, 4ULL << 20, &bi, err, sizeof(err)), 0);
	assert_int_equal(devown_claim(NULL, false, &a, 4ULL << 20, &bi, err, sizeof(err)), -EINVAL);
	assert_int_equal(devown_claim("x", false, NULL, 4ULL << 20, &bi, err, sizeof(err)),
			 -EINVAL);
	/* No memory map at all: only the layout rules apply. */
	assert_int_equal(devown_claim("x", false, &a, 4ULL << 20, NULL, NULL, 0), 0);
	assert_int_equal(devown_reserve(DEVOWN_PORT, 5, 4, "backwards"), -EINVAL);
	assert_int_equal(devown_reserve((enum devown_kind)9, 4, 5, "kind"), -EINVAL);
	assert_int_equal(devown_reserve(DEVOWN_PORT, 4, 5, NULL), -EINVAL);
}

static void test_next_lists_claims(void **state)
{
	struct domcfg_devices a = devs("0x2f8-0x2ff,0x80", "0xb8000-0xb8fff", "3");
	struct domcfg_devices b = devs("0x2e8-0x2ef", NULL, "5");
	unsigned int cursor = 0, n = 0;
	const char *owner = NULL;
	u64 first, last;

	claim_ok("a", &a);
	claim_ok("b", &b);
	while (devown_next(DEVOWN_PORT, &cursor, &first, &last, &owner)) {
		assert_true(first <= last);
		assert_string_equal(owner, n < 2 ? "a" : "b");
		n++;
	}
	assert_int_equal(n, 3);
	cursor = 0;
	assert_true(devown_next(DEVOWN_MMIO, &cursor, &first, &last, NULL));
	assert_int_equal(first, 0xb8000);
	assert_int_equal(last, 0xb8fff);
	assert_false(devown_next(DEVOWN_MMIO, &cursor, &first, &last, NULL));
}

static void test_limits(void **state)
{
	unsigned int i, refused = 0;
	char names[DEVOWN_MAX_DOMAINS + 2][8];

	devown_reset();
	shim_nr_gsis = 256;
	for (i = 0; i < DEVOWN_MAX_RESERVED; i++)
		assert_int_equal(devown_reserve(DEVOWN_GSI, 200, 200, "x"), 0);
	assert_int_equal(devown_reserve(DEVOWN_GSI, 201, 201, "x"), -ENOSPC);
	/* More claims than the table holds: the one that does not fit is refused, not lost. */
	for (i = 0; i < DEVOWN_MAX_DOMAINS + 2; i++) {
		struct domcfg_devices d;

		memset(&d, 0, sizeof(d));
		d.nr_ioports = d.nr_irqs = d.nr_iomem = DOMCFG_MAX_DEV_ENTRIES;
		for (unsigned int j = 0; j < DOMCFG_MAX_DEV_ENTRIES; j++) {
			u64 k = i * DOMCFG_MAX_DEV_ENTRIES + j;

			d.ioports[j] = (struct domcfg_range){0x1000 + k, 0x1000 + k};
			d.iomem[j] = (struct domcfg_range){0xd0000000 + k * 4096,
							   0xd0000000 + k * 4096 + 4095};
			d.irqs[j] = (u32)k;
		}
		snprintf(names[i], sizeof(names[i]), "d%u", i);
		if (devown_claim(names[i], false, &d, 4ULL << 20, &bi, err, sizeof(err)))
			refused++;
	}
	shim_nr_gsis = 24;
	assert_int_equal(refused, 2); /* 16 domains of 24 entries fill the table */
	assert_non_null(strstr(err, "no room for more device assignments"));
	assert_string_equal(devown_owner(DEVOWN_GSI, 127, 127), "d15");
	assert_null(devown_owner(DEVOWN_GSI, 128, 128));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_owner_and_conflicts, setup),
	    cmocka_unit_test_setup(test_keel_resources, setup),
	    cmocka_unit_test_setup(test_gsi_must_exist, setup),
	    cmocka_unit_test_setup(test_iomem_not_memory, setup),
	    cmocka_unit_test_setup(test_iomem_guest_layout, setup),
	    cmocka_unit_test_setup(test_dom0_and_arguments, setup),
	    cmocka_unit_test_setup(test_next_lists_claims, setup),
	    cmocka_unit_test_setup(test_limits, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
