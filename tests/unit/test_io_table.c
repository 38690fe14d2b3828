/* Unit tests for the emulated-range tables (arch/x86/hvm/io_table.c) and the default devices. */
#include <asm/hvm_io.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>
#include <keel/vcpu.h>
#include <public/sched.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct hvm_io_table t;
static char console[64];
static size_t console_len;

/* The debug console device writes here. */
void domain_console_write(struct domain *d, const char *buf, size_t len)
{
	assert_non_null(d);
	assert_true(console_len + len <= sizeof(console));
	memcpy(console + console_len, buf, len);
	console_len += len;
}

/* A newline on port 0xE9 asks for a flush: count them. */
static unsigned int console_flushes;
void domain_console_flush(struct domain *d)
{
	assert_non_null(d);
	console_flushes++;
}

/* The ACPI registers end the domain through here: remember how. */
static int shutdowns;
static unsigned int last_reason;
void domain_shutdown(struct domain *d, unsigned int reason)
{
	assert_non_null(d);
	shutdowns++;
	last_reason = reason;
}

static int dev_read(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 *val)
{
	*val = (u64)(uintptr_t)priv;
	return 0;
}

static int dev_write(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 val)
{
	return 0;
}

static const struct hvm_io_ops ops = {.read = dev_read, .write = dev_write};

static int setup(void **state)
{
	(void)state;
	hvm_io_table_init(&t);
	console_len = 0;
	console_flushes = 0;
	return 0;
}

static int reg(u64 first, u64 size, uintptr_t tag)
{
	return hvm_io_register(&t, first, size, "dev", &ops, (void *)tag);
}

/* The tag of the device claiming @addr, 0 if none. */
static uintptr_t owner(u64 addr)
{
	struct hvm_io_range r;

	if (!hvm_io_lookup(&t, addr, &r))
		return 0;
	assert_true(r.first <= addr && addr <= r.last);
	return (uintptr_t)r.priv;
}

static void test_lookup_edges(void **state)
{
	(void)state;
	assert_int_equal(owner(0x1000), 0); /* empty table */
	assert_int_equal(reg(0x1000, 0x100, 1), 0);
	assert_int_equal(reg(0x3000, 0x10, 2), 0);
	assert_int_equal(owner(0xfff), 0);
	assert_int_equal(owner(0x1000), 1);
	assert_int_equal(owner(0x10ff), 1);
	assert_int_equal(owner(0x1100), 0);
	assert_int_equal(owner(0x2fff), 0);
	assert_int_equal(owner(0x3000), 2);
	assert_int_equal(owner(0x300f), 2);
	assert_int_equal(owner(0x3010), 0);
	assert_int_equal(owner(~0ULL), 0);
}

static void test_overlaps_refused(void **state)
{
	(void)state;
	assert_int_equal(reg(0x1000, 0x1000, 1), 0);
	assert_int_equal(reg(0x1000, 0x1000, 2), -EEXIST); /* the same */
	assert_int_equal(reg(0x1800, 0x10, 2), -EEXIST);   /* inside */
	assert_int_equal(reg(0x0, 0x10000, 2), -EEXIST);   /* around */
	assert_int_equal(reg(0x800, 0x801, 2), -EEXIST);   /* the first byte */
	assert_int_equal(reg(0x1fff, 0x2, 2), -EEXIST);	   /* the last byte */
	/* Neighbours touching either end are fine. */
	assert_int_equal(reg(0x800, 0x800, 3), 0);
	assert_int_equal(reg(0x2000, 0x1, 4), 0);
	assert_int_equal(owner(0x7ff), 0);
	assert_int_equal(owner(0x800), 3);
	assert_int_equal(owner(0xfff), 3);
	assert_int_equal(owner(0x1000), 1);
	assert_int_equal(owner(0x2000), 4);
	assert_int_equal(owner(0x2001), 0);
	assert_int_equal(t.nr, 3);
}

static void test_bad_ranges(void **state)
{
	static const struct hvm_io_ops no_write = {.read = dev_read};

	(void)state;
	assert_int_equal(reg(0x1000, 0, 1), -EINVAL);
	assert_int_equal(reg(~0ULL, 2, 1), -EINVAL); /* wraps */
	assert_int_equal(hvm_io_register(&t, 0x1000, 1, "x", NULL, NULL), -EINVAL);
	assert_int_equal(hvm_io_register(&t, 0x1000, 1, "x", &no_write, NULL), -EINVAL);
	assert_int_equal(t.nr, 0);
	/* A range may end at the very top of the space. */
	assert_int_equal(reg(~0ULL, 1, 5), 0);
	assert_int_equal(reg(0xffffffffffff0000ULL, 0x10000, 6), -EEXIST);
	assert_int_equal(reg(0xffffffffffff0000ULL, 0xffff, 6), 0);
	assert_int_equal(owner(~0ULL), 5);
	assert_int_equal(owner(~0ULL - 1), 6);
	assert_int_equal(hvm_io_unregister(&t, ~0ULL, 1), 0);
	assert_int_equal(owner(~0ULL), 0);
}

static void test_unregister_exact_only(void **state)
{
	(void)state;
	assert_int_equal(reg(0x100, 0x10, 1), 0);
	assert_int_equal(reg(0x200, 0x10, 2), 0);
	assert_int_equal(hvm_io_unregister(&t, 0x100, 0x8), -ENOENT);
	assert_int_equal(hvm_io_unregister(&t, 0x108, 0x8), -ENOENT);
	assert_int_equal(hvm_io_unregister(&t, 0x100, 0x20), -ENOENT);
	assert_int_equal(hvm_io_unregister(&t, 0x100, 0), -ENOENT);
	assert_int_equal(hvm_io_unregister(&t, 0x300, 0x10), -ENOENT);
	assert_int_equal(owner(0x105), 1);
	assert_int_equal(hvm_io_unregister(&t, 0x100, 0x10), 0);
	assert_int_equal(owner(0x105), 0);
	assert_int_equal(owner(0x205), 2);
	assert_int_equal(hvm_io_unregister(&t, 0x100, 0x10), -ENOENT);
	/* The space is free again. */
	assert_int_equal(reg(0x100, 0x100, 3), 0);
	assert_int_equal(owner(0x1ff), 3);
}

static void test_full_table(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < HVM_IO_MAX_RANGES; i++)
		assert_int_equal(reg((u64)(HVM_IO_MAX_RANGES - i) * 0x100, 0x10, i + 1), 0);
	assert_int_equal(reg(0x10000, 1, 99), -ENOSPC);
	/* Still sorted, every one found. */
	for (unsigned int i = 0; i + 1 < t.nr; i++)
		assert_true(t.r[i].last < t.r[i + 1].first);
	for (unsigned int i = 0; i < HVM_IO_MAX_RANGES; i++)
		assert_int_equal(owner((u64)(HVM_IO_MAX_RANGES - i) * 0x100 + 0xf), i + 1);
	assert_int_equal(hvm_io_unregister(&t, 0x800, 0x10), 0);
	assert_int_equal(reg(0x10000, 1, 99), 0);
}

/* Random register/unregister against a byte map of a small space: the table always agrees. */
#define SPACE 512
static void test_random_against_model(void **state)
{
	static uintptr_t model[SPACE];
	struct {
		u64 first, size;
	} live[HVM_IO_MAX_RANGES + 1];
	unsigned int nlive = 0;
	unsigned int seed = 12345;

	(void)state;
	memset(model, 0, sizeof(model));
	for (unsigned int step = 0; step < 40000; step++) {
		unsigned int r = (unsigned int)rand_r(&seed);

		if (nlive && (r & 3) == 0) {
			unsigned int k = (r >> 2) % nlive;

			assert_int_equal(hvm_io_unregister(&t, live[k].first, live[k].size), 0);
			for (u64 a = live[k].first; a < live[k].first + live[k].size; a++)
				model[a] = 0;
			live[k] = live[--nlive];
		} else {
			u64 first = (r >> 2) % SPACE;
			u64 size = 1 + (u64)rand_r(&seed) % 24;
			uintptr_t tag = step + 1;
			bool free = first + size <= SPACE;
			int rc;

			for (u64 a = first; free && a < first + size; a++)
				free = !model[a];
			rc = reg(first, size, tag);
			if (first + size > SPACE) {
				/* Outside the model's space: undo whatever happened. */
				if (rc == 0)
					assert_int_equal(hvm_io_unregister(&t, first, size), 0);
				continue;
			}
			if (!free) {
				assert_int_equal(rc, -EEXIST);
			} else if (nlive == HVM_IO_MAX_RANGES) {
				assert_int_equal(rc, -ENOSPC);
			} else {
				assert_int_equal(rc, 0);
				for (u64 a = first; a < first + size; a++)
					model[a] = tag;
				live[nlive].first = first;
				live[nlive++].size = size;
			}
		}
		assert_int_equal(t.nr, nlive);
		for (unsigned int k = 0; k < 8; k++) {
			u64 a = (u64)rand_r(&seed) % SPACE;

			assert_int_equal(owner(a), model[a]);
		}
	}
}

static void test_domain_devices(void **state)
{
	static struct domain d;
	struct hvm_io_range r;
	u64 val = 0;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(hvm_domain_devices_init(&d), 0);
	/* The unclaimed-MMIO window, 0xF0000000-0xFFFFFFFF: loads all ones, stores dropped. */
	assert_false(hvm_io_lookup(&d.arch.mmio, 0xefffffffULL, &r));
	assert_false(hvm_io_lookup(&d.arch.mmio, 0x100000000ULL, &r));
	assert_true(hvm_io_lookup(&d.arch.mmio, 0xffffffffULL, &r));
	assert_true(hvm_io_lookup(&d.arch.mmio, 0xf0000000ULL, &r));
	assert_int_equal(r.ops->read(NULL, r.priv, 0xf0000000ULL, 4, &val), 0);
	assert_true(val == ~0ULL);
	assert_int_equal(r.ops->write(NULL, r.priv, 0xf0000000ULL, 4, 0), 0);
	/* A device model registering inside the window is refused; the LAPIC page is a hole in it. */
	assert_int_equal(hvm_io_register(&d.arch.mmio, 0xfec00000ULL, 0x1000, "ioapic", &ops, NULL),
			 -EEXIST);
	assert_false(hvm_io_lookup(&d.arch.mmio, 0xfee00000ULL, &r));
	assert_false(hvm_io_lookup(&d.arch.mmio, 0xfee00fffULL, &r));
	assert_true(hvm_io_lookup(&d.arch.mmio, 0xfedfffffULL, &r));
	assert_true(hvm_io_lookup(&d.arch.mmio, 0xfee01000ULL, &r));
	assert_int_equal(hvm_io_register(&d.arch.mmio, 0xfee00000ULL, 0x1000, "lapic", &ops, NULL),
			 0);
	/* Port 0xE9: bytes go to the domain console; wider writes and reads do nothing. */
	assert_false(hvm_io_lookup(&d.arch.ports, 0xe8, &r));
	assert_false(hvm_io_lookup(&d.arch.ports, 0xea, &r));
	assert_true(hvm_io_lookup(&d.arch.ports, 0xe9, &r));
	{
		struct vcpu v = {.domain = &d};

		assert_int_equal(r.ops->write(&v, r.priv, 0xe9, 1, 'k'), 0);
		assert_int_equal(console_flushes, 0);
		assert_int_equal(r.ops->write(&v, r.priv, 0xe9, 1, '\n'), 0);
		assert_int_equal(console_flushes, 1); /* a whole line: written out at once */
		assert_int_equal(r.ops->write(&v, r.priv, 0xe9, 2, 'x'), 0);
		assert_int_equal(r.ops->read(&v, r.priv, 0xe9, 1, &val), 0);
		assert_true(val == ~0ULL);
	}
	assert_int_equal(console_len, 2);
	assert_int_equal(console[0], 'k');
}

static void test_acpi_ports(void **state)
{
	static struct domain d;
	struct vcpu v = {.domain = &d};
	struct hvm_io_range r;
	u64 val = 1;

	(void)state;
	memset(&d, 0, sizeof(d));
	shutdowns = 0;
	assert_int_equal(hvm_domain_devices_init(&d), 0);
	assert_false(hvm_io_lookup(&d.arch.ports, GUEST_ACPI_SLEEP_CTL_PORT - 1, &r));
	assert_false(hvm_io_lookup(&d.arch.ports, GUEST_ACPI_RESET_PORT + 1, &r));
	assert_true(hvm_io_lookup(&d.arch.ports, GUEST_ACPI_SLEEP_STS_PORT, &r));
	assert_int_equal(r.ops->read(&v, r.priv, GUEST_ACPI_SLEEP_STS_PORT, 1, &val), 0);
	assert_int_equal(val, 0); /* no wake status */
	assert_int_equal(r.ops->write(&v, r.priv, GUEST_ACPI_SLEEP_STS_PORT, 1, 0x80), 0);
	/* SLP_TYP 5 without SLP_EN, SLP_EN with another type, the reset port with another value. */
	assert_int_equal(r.ops->write(&v, r.priv, GUEST_ACPI_SLEEP_CTL_PORT, 1, 5u << 2), 0);
	assert_int_equal(r.ops->write(&v, r.priv, GUEST_ACPI_SLEEP_CTL_PORT, 1, (3u << 2) | 0x20),
			 0);
	assert_int_equal(r.ops->write(&v, r.priv, GUEST_ACPI_RESET_PORT, 1, 0x06), 0);
	assert_int_equal(shutdowns, 0);
	/* What Linux writes for S5 (acpi_power_off) and for a reset. */
	assert_int_equal(r.ops->write(&v, r.priv, GUEST_ACPI_SLEEP_CTL_PORT, 1, (5u << 2) | 0x20),
			 0);
	assert_int_equal(shutdowns, 1);
	assert_int_equal(last_reason, SHUTDOWN_poweroff);
	assert_int_equal(r.ops->write(&v, r.priv, GUEST_ACPI_RESET_PORT, 1, GUEST_ACPI_RESET_VALUE),
			 0);
	assert_int_equal(shutdowns, 2);
	assert_int_equal(last_reason, SHUTDOWN_reboot);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
	    T(test_lookup_edges),	   T(test_overlaps_refused), T(test_bad_ranges),
	    T(test_unregister_exact_only), T(test_full_table),	     T(test_random_against_model),
	    T(test_domain_devices),	   T(test_acpi_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
