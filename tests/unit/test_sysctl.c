/* Unit tests: sysctl's call rules and its commands (physinfo, domain_list, readlog) over the real log ring. */
#include <keel/cmdline.h>
#include <keel/logbuf.h>
#include <keel/main.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/types.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mgmt_fixture.h"

static void test_unprivileged_eperm_before_read(void **state)
{
	(void)state;
	for (u32 cmd = 0; cmd <= KEEL_SYSCTL_MAX; cmd++) {
		struct keel_sysctl *s = sc_prep(cmd);

		s->u.domain_list.max_entries = 1;
		s->u.domain_list.buffer = MGMT_BUF;
		shim_gva_reads = shim_gva_writes = 0;
		assert_int_equal(shim_sysctl(mgmt.vu, MGMT_ARG), -EPERM);
		assert_int_equal(shim_gva_reads + shim_gva_writes, 0);
	}
	assert_int_equal(shim_sysctl(mgmt.vu, 0), -EPERM);
	assert_int_equal(shim_sysctl(mgmt.vu, ~0ULL), -EPERM);
	assert_int_equal(shim_gva_reads + shim_gva_writes, 0);
}

static void test_header_rules(void **state)
{
	const u32 versions[] = {0, KEEL_SYSCTL_VERSION + 1, KEEL_SYSCTL_VERSION - 1,
				KEEL_DOMCTL_VERSION};
	const u32 cmds[] = {0, KEEL_SYSCTL_MAX, 0x80000003u, ~0u};

	(void)state;
	assert_int_equal(shim_sysctl(mgmt.v0, 0), -EFAULT);
	assert_int_equal(shim_sysctl(mgmt.v0, MGMT_ARG + SHIM_GVA_SIZE - 127), -EFAULT);
	for (unsigned int i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		sc_prep(KEEL_SYSCTL_physinfo)->interface_version = versions[i];
		assert_int_equal(sc_call(), -EACCES);
		sc_prep(0)->interface_version = versions[i];
		assert_int_equal(sc_call(), -EACCES);
	}
	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		sc_prep(cmds[i]);
		assert_int_equal(sc_call(), -EINVAL);
	}
	sc_prep(KEEL_SYSCTL_physinfo)->domain = 1; /* no command acts on a domain */
	assert_int_equal(sc_call(), -EINVAL);
	for (unsigned int i = 0; i < 3; i++) {
		sc_prep(KEEL_SYSCTL_physinfo)->pad[i] = 0x100;
		assert_int_equal(sc_call(), -EINVAL);
	}
	sc_prep(KEEL_SYSCTL_physinfo);
	assert_int_equal(sc_call(), 0);
	sc_prep(KEEL_SYSCTL_physinfo);
	shim_gva_set(MGMT_ARG, 1, SHIM_GVA_RO);
	assert_int_equal(sc_call(), -EFAULT); /* the answer cannot be written back */
}

static void test_physinfo(void **state)
{
	struct keel_sysctl *s;
	unsigned long shrinks = shim_mgmt_heap_shrinks;
	u64 free_then;

	(void)state;
	sc_prep(KEEL_SYSCTL_physinfo)->u.physinfo.pad = 1;
	assert_int_equal(sc_call(), -EINVAL);
	memset(keel_cmdline, 'c', 100);
	keel_cmdline[100] = 0;
	s = sc_prep(KEEL_SYSCTL_physinfo);
	memset(s->u.raw, 0xee, sizeof(s->u.physinfo));
	s->u.physinfo.pad = 0;
	assert_int_equal(sc_call(), 0);
	assert_int_equal(s->u.physinfo.nr_cpus, 4);
	assert_int_equal(s->u.physinfo.total_pages, (64ULL << 20) / 4096); /* shim_mm's arena */
	assert_int_equal(s->u.physinfo.free_pages, shim_mgmt_free_frames());
	assert_int_equal(s->u.physinfo.pad, 0);
	assert_string_equal(s->u.physinfo.version, KEEL_VERSION);
	assert_int_equal(strlen(s->u.physinfo.cmdline), KEEL_CMDLINE_LEN - 1); /* truncated */
	assert_int_equal(s->u.physinfo.cmdline[0], 'c');
	assert_true(shim_mgmt_heap_shrinks > shrinks);
	free_then = s->u.physinfo.free_pages;
	assert_int_equal(domain_populate_range(mgmt.domu, 1ULL << 20, 2ULL << 20), 0);
	s = sc_prep(KEEL_SYSCTL_physinfo);
	assert_int_equal(sc_call(), 0);
	assert_int_equal(s->u.physinfo.free_pages, free_then - 256);
	keel_cmdline[0] = 0;
}

static long list(u16 first, u32 max, u64 buffer, u32 *nr)
{
	struct keel_sysctl *s = sc_prep(KEEL_SYSCTL_domain_list);
	long rc;

	s->u.domain_list.first_domid = first;
	s->u.domain_list.max_entries = max;
	s->u.domain_list.buffer = buffer;
	s->u.domain_list.nr_entries = 0xdead;
	rc = sc_call();
	*nr = s->u.domain_list.nr_entries;
	return rc;
}

static void test_domain_list_ranges(void **state)
{
	struct keel_domain_info *out = shim_gva(MGMT_BUF);
	u32 nr;

	(void)state;
	assert_int_equal(list(0, 0, MGMT_BUF, &nr), -EINVAL);
	assert_int_equal(list(0, 257, MGMT_BUF, &nr), -EINVAL);
	assert_int_equal(list(0, ~0u, MGMT_BUF, &nr), -EINVAL);
	for (unsigned int i = 0; i < 3; i++) {
		struct keel_sysctl *s = sc_prep(KEEL_SYSCTL_domain_list);

		s->u.domain_list.max_entries = 1;
		s->u.domain_list.buffer = MGMT_BUF;
		s->u.domain_list.pad[i] = 1;
		assert_int_equal(sc_call(), -EINVAL);
	}
	assert_int_equal(out[0].domid, 0); /* nothing written by the refusals */
	assert_int_equal(out[0].nr_vcpus, 0);
	assert_int_equal(list(0, 1, MGMT_BUF, &nr), 0);
	assert_int_equal(nr, 1);
	assert_int_equal(out[0].domid, 0);
	assert_int_equal(out[1].nr_vcpus, 0); /* room for one: one written */
	assert_int_equal(list(0, 256, MGMT_BUF, &nr), 0);
	assert_int_equal(nr, 2);
	/* 256 entries fill 18 KiB: the buffer is only checked where entries are written. */
	for (int i = 0; i < 300 && domains_alive() < 300; i++)
		assert_non_null(domain_create(DOMID_AUTO, "many", 1, false));
	assert_int_equal(list(0, 256, MGMT_BUF, &nr), 0);
	assert_int_equal(nr, 256);
	for (u32 i = 1; i < nr; i++)
		assert_true(out[i].domid > out[i - 1].domid);
	assert_int_equal(list(out[255].domid, 256, MGMT_BUF, &nr), 0);
	assert_int_equal(nr, 300 - 255);
	assert_int_equal(list(0xffff, 256, MGMT_BUF, &nr), 0);
	assert_int_equal(nr, 0);
}

/* Entries are the same as getinfo's; dying domains are left out; a faulting buffer is -EFAULT. */
static void test_domain_list_contents(void **state)
{
	struct keel_domain_info *out = shim_gva(MGMT_BUF);
	u16 a = mk_domain("a", 2, 0, 512), b = mk_domain("b", 1, 0, 0);
	struct keel_domain_info ia = dc_info(a);
	u32 nr;

	(void)state;
	assert_int_equal(list(a, 256, MGMT_BUF, &nr), 0);
	assert_int_equal(nr, 2);
	assert_memory_equal(&out[0], &ia, sizeof(ia));
	assert_int_equal(out[1].domid, b);
	assert_int_equal(list(0, 256, MGMT_BUF, &nr), 0);
	assert_int_equal(nr, 4);
	assert_int_equal(out[0].flags, KEEL_DOMINFO_RUNNING | KEEL_DOMINFO_PRIVILEGED);
	assert_int_equal(out[0].pages, 256);
	assert_int_equal(out[1].domid, mgmt.domu->id);
	assert_int_equal(out[1].flags, KEEL_DOMINFO_RUNNING);
	assert_string_equal(out[2].name, "a");
	assert_int_equal(out[2].nr_vcpus, 2);
	assert_int_equal(out[2].max_pages, 512);
	assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, a), 0);
	assert_int_equal(list(0, 256, MGMT_BUF, &nr), 0);
	assert_int_equal(nr, 3);
	assert_int_equal(out[2].domid, b);
	/* The buffer faults at the second entry: the first was written, the call fails. */
	memset(out, 0, 2 * sizeof(*out));
	assert_int_equal(list(0, 3, MGMT_BUF + 4096 - sizeof(*out), &nr), 0);
	shim_gva_set(MGMT_BUF + 4096, 1, SHIM_GVA_NONE);
	assert_int_equal(list(0, 3, MGMT_BUF + 4096 - sizeof(*out), &nr), -EFAULT);
	assert_int_equal(list(0, 1, MGMT_BUF + 4096 - sizeof(*out), &nr), 0);
	assert_int_equal(list(0, 1, 0, &nr), -EFAULT);
}

/* The log as readlog returns it, from @index: its result, the bytes in MGMT_BUF, index, size. */
static long readlog(u64 *index, u32 *size, u32 flags)
{
	struct keel_sysctl *s = sc_prep(KEEL_SYSCTL_readlog);
	long rc;

	s->u.readlog.index = *index;
	s->u.readlog.buffer = MGMT_BUF;
	s->u.readlog.size = *size;
	s->u.readlog.flags = flags;
	rc = sc_call();
	*index = s->u.readlog.index;
	*size = s->u.readlog.size;
	return rc;
}

static void test_readlog_ranges(void **state)
{
	u64 index = 0;
	u32 size;

	(void)state;
	for (int i = 0; i < 2000; i++) /* more than the 64 KiB ring holds */
		pr_info("test: filler line %d to wrap the log ring past its size", i);
	assert_true(keel_log.head > keel_log.tail && keel_log.tail > 0);
	size = 0;
	assert_int_equal(readlog(&index, &size, 0), -EINVAL);
	size = 65537;
	assert_int_equal(readlog(&index, &size, 0), -EINVAL);
	size = 1;
	assert_int_equal(readlog(&index, &size, 2), -EINVAL);
	assert_int_equal(readlog(&index, &size, 0x80000000u), -EINVAL);
	/* Index 0 was overwritten: the read starts at the oldest line held. */
	index = 0;
	size = 1;
	assert_int_equal(readlog(&index, &size, 0), 0);
	assert_int_equal(size, 1);
	assert_int_equal(index, keel_log.tail + 1);
	assert_memory_equal(shim_gva(MGMT_BUF), keel_log.data + (keel_log.tail & 65535), 1);
	/* Up to 64 KiB at once: everything held. */
	index = 0;
	size = 65536;
	assert_int_equal(readlog(&index, &size, 0), 0);
	assert_int_equal(size, keel_log.head - keel_log.tail);
	assert_int_equal(index, keel_log.head);
	{
		static char ring[65536];
		u64 pos = 0;

		assert_int_equal(logbuf_read(&keel_log, &pos, ring, sizeof(ring)), size);
		assert_memory_equal(shim_gva(MGMT_BUF), ring, size);
	}
	/* At or past the end: nothing, the index stays at the end. */
	size = 65536;
	assert_int_equal(readlog(&index, &size, 0), 0);
	assert_int_equal(size, 0);
	index = ~0ULL;
	size = 100;
	assert_int_equal(readlog(&index, &size, 0), 0);
	assert_int_equal(size, 0);
}

/* Reads continue where the last ended; CLEAR moves the returned index to the end. */
static void test_readlog_continue_and_clear(void **state)
{
	u64 index = keel_log.head, start = keel_log.head;
	u32 size;

	(void)state;
	pr_info("test: first");
	pr_info("test: second");
	size = 7;
	assert_int_equal(readlog(&index, &size, 0), 0);
	assert_int_equal(size, 7);
	assert_int_equal(index, start + 7);
	size = 65536;
	assert_int_equal(readlog(&index, &size, 0), 0);
	assert_int_equal(index, keel_log.head);
	assert_int_equal(size + 7, keel_log.head - start);
	index = start;
	size = 3;
	assert_int_equal(readlog(&index, &size, KEEL_READLOG_CLEAR), 0);
	assert_int_equal(size, 3);
	assert_int_equal(index, keel_log.head);
	size = 100;
	assert_int_equal(readlog(&index, &size, 0), 0);
	assert_int_equal(size, 0);
	/* An unmapped buffer: -EFAULT, and nothing moves. */
	pr_info("test: third");
	shim_gva_set(MGMT_BUF, 1, SHIM_GVA_RO);
	size = 100;
	assert_int_equal(readlog(&index, &size, 0), -EFAULT);
}

/* An index past the end comes back as the end, so that the next read gets what is logged next. */
static void test_readlog_index_past_end(void **state)
{
	u64 index = keel_log.head + 12345;
	u32 size = 100;

	(void)state;
	assert_int_equal(readlog(&index, &size, 0), 0);
	assert_int_equal(size, 0);
	assert_int_equal(index, keel_log.head);
	pr_info("test: after");
	size = 100;
	assert_int_equal(readlog(&index, &size, 0), 0);
	assert_int_equal(index, keel_log.head);
	assert_true(size > 0);
	assert_memory_equal(shim_gva(MGMT_BUF + size - 12), "test: after\n", 12);
}

/* A buffer that faults part way: what was written is what size says, and index follows it. */
static void test_readlog_partial_fault(void **state)
{
	static char ring[8192];
	u64 index, pos;
	u32 size = 8192;

	(void)state;
	for (int i = 0; i < 200; i++)
		pr_info("test: a line of the log for a read that faults half way");
	index = pos = keel_log.head - 6000;
	assert_int_equal(logbuf_read(&keel_log, &pos, ring, sizeof(ring)), 6000);
	shim_gva_set(MGMT_BUF + 4096, 1, SHIM_GVA_NONE);
	assert_int_equal(readlog(&index, &size, 0), 0);
	assert_int_equal(size, 4096);
	assert_int_equal(index, keel_log.head - 6000 + 4096);
	assert_memory_equal(shim_gva(MGMT_BUF), ring, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mgmt_setup, mgmt_teardown)
	    T(test_unprivileged_eperm_before_read),
	    T(test_header_rules),
	    T(test_physinfo),
	    T(test_domain_list_ranges),
	    T(test_domain_list_contents),
	    T(test_readlog_ranges),
	    T(test_readlog_continue_and_clear),
	    T(test_readlog_partial_fault),
	    T(test_readlog_index_past_end),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
