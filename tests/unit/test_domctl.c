/* Unit tests: domctl's call rules (privilege, version, commands, reserved fields), create and destroy. */
#include <keel/logbuf.h>
#include <keel/printk.h>
#include <keel/types.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mgmt_fixture.h"

/* Times @text occurs in what Keel logged from ring position @from on (read as sysctl reads it). */
static unsigned int log_count(u64 from, const char *text)
{
	static char buf[65537];
	size_t n = printk_log_read(&from, buf, sizeof(buf) - 1, false), len = strlen(text);
	unsigned int count = 0;

	for (size_t i = 0; i + len <= n; i++)
		count += memcmp(buf + i, text, len) == 0;
	return count;
}

/* An unprivileged caller gets -EPERM for every call, before the argument is read: a faulting
 * pointer is -EPERM too, and nothing happens (a valid create creates nothing). */
static void test_unprivileged_eperm_before_read(void **state)
{
	const u64 bad[] = {0, MGMT_ARG + SHIM_GVA_SIZE, ~0ULL};

	(void)state;
	for (u32 cmd = 0; cmd <= KEEL_DOMCTL_MAX; cmd++) {
		struct keel_domctl *c = dc_prep(cmd, mgmt.domu->id);

		c->u.create.nr_vcpus = 1;
		strlcpy(c->u.create.name, "x", sizeof(c->u.create.name));
		shim_gva_reads = shim_gva_writes = 0;
		assert_int_equal(shim_domctl(mgmt.vu, MGMT_ARG), -EPERM);
		assert_int_equal(shim_gva_reads + shim_gva_writes, 0);
	}
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(shim_domctl(mgmt.vu, bad[i]), -EPERM);
	shim_gva_set(MGMT_ARG, 1, SHIM_GVA_NONE);
	assert_int_equal(shim_domctl(mgmt.vu, MGMT_ARG), -EPERM);
	assert_int_equal(shim_gva_reads + shim_gva_writes, 0);
	assert_int_equal(domains_alive(), 2);
	/* The same call from dom0 reads the struct and fails on the unmapped page. */
	assert_int_equal(shim_domctl(mgmt.v0, MGMT_ARG), -EFAULT);
	assert_int_equal(shim_gva_reads, 1);
}

/* dom0's struct is read whole: unmapped, or running into an unmapped page, is -EFAULT. */
static void test_struct_fault(void **state)
{
	u64 straddle = MGMT_BUF - 64; /* its last 64 bytes in the page after */

	(void)state;
	assert_int_equal(shim_domctl(mgmt.v0, 0), -EFAULT);
	assert_int_equal(shim_domctl(mgmt.v0, SHIM_GVA_BASE + SHIM_GVA_SIZE - 64), -EFAULT);
	memcpy(shim_gva(straddle), dc_prep(KEEL_DOMCTL_getinfo, 0), 64);
	shim_gva_set(MGMT_BUF, 1, SHIM_GVA_NONE);
	assert_int_equal(shim_domctl(mgmt.v0, straddle), -EFAULT);
	shim_gva_set(MGMT_BUF, 1, SHIM_GVA_RW);
	assert_int_equal(shim_domctl(mgmt.v0, straddle), 0); /* the same bytes, all mapped */
	/* Readable but not writable: the command acts, the result cannot be written back. */
	dc_prep(KEEL_DOMCTL_getinfo, 0);
	shim_gva_set(MGMT_ARG, 1, SHIM_GVA_RO);
	assert_int_equal(dc_call(), -EFAULT);
}

static void test_wrong_version(void **state)
{
	const u32 bad[] = {0, KEEL_DOMCTL_VERSION - 1, KEEL_DOMCTL_VERSION + 1, KEEL_SYSCTL_VERSION,
			   ~0u};

	(void)state;
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dc_prep(KEEL_DOMCTL_getinfo, 0)->interface_version = bad[i];
		assert_int_equal(dc_call(), -EACCES);
		/* Checked before the command: an unknown one with a wrong version is -EACCES. */
		dc_prep(0, 0)->interface_version = bad[i];
		assert_int_equal(dc_call(), -EACCES);
	}
	assert_int_equal(dc_simple(KEEL_DOMCTL_getinfo, 0), 0);
}

static void test_unknown_cmd(void **state)
{
	const u32 bad[] = {0, KEEL_DOMCTL_MAX, KEEL_DOMCTL_MAX + 1, 0x80000001u, ~0u};

	(void)state;
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dc_simple(bad[i], 0), -EINVAL);
	assert_int_equal(dc_simple(KEEL_DOMCTL_get_sched, 0), 0);
	assert_int_equal(dc_simple(KEEL_DOMCTL_MAX - 1, 0), -EINVAL); /* set_sched: weight 0 */
}

static void test_header_pad(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		for (u16 bit = 1; bit; bit <<= 15) {
			dc_prep(KEEL_DOMCTL_getinfo, 0)->pad[i] = bit;
			assert_int_equal(dc_call(), -EINVAL);
		}
	}
	assert_int_equal(dc_simple(KEEL_DOMCTL_getinfo, 0), 0);
}

/* A create with these fields; returns the result, and checks a refusal created nothing. */
static long try_create(const char *name, size_t name_len, u32 nr_vcpus, u32 flags, u64 max_pages)
{
	struct keel_domctl *c = dc_prep(KEEL_DOMCTL_create, 0);
	unsigned int before = domains_alive();
	u64 frames = shim_mgmt_free_frames();
	long rc;

	memcpy(c->u.create.name, name, name_len);
	c->u.create.nr_vcpus = nr_vcpus;
	c->u.create.flags = flags;
	c->u.create.max_pages = max_pages;
	rc = dc_call();
	if (rc) {
		assert_int_equal(domains_alive(), before);
		assert_int_equal(shim_mgmt_free_frames(), frames);
	} else {
		assert_int_equal(domains_alive(), before + 1);
	}
	return rc;
}

static void test_create_nr_vcpus(void **state)
{
	struct keel_domctl *c = shim_gva(MGMT_ARG);

	(void)state;
	assert_int_equal(try_create("v", 2, 0, 0, 0), -EINVAL);
	assert_int_equal(try_create("v", 2, 33, 0, 0), -EINVAL);
	assert_int_equal(try_create("v", 2, ~0u, 0, 0), -EINVAL);
	assert_int_equal(try_create("v", 2, 1, 0, 0), 0);
	assert_int_equal(dc_info(c->domain).nr_vcpus, 1);
	assert_int_equal(try_create("v", 2, 32, 0, 0), 0);
	assert_int_equal(dc_info(c->domain).nr_vcpus, 32);
	assert_int_equal(shim_mgmt_live(c->domain)->nr_vcpus, 32);
}

static void test_create_name(void **state)
{
	char name[KEEL_NAME_LEN];
	struct keel_domctl *c = shim_gva(MGMT_ARG);

	(void)state;
	assert_int_equal(try_create("", 1, 1, 0, 0), -EINVAL);
	memset(name, 'n', sizeof(name)); /* 32 bytes, no NUL */
	assert_int_equal(try_create(name, sizeof(name), 1, 0, 0), -EINVAL);
	name[sizeof(name) - 1] = 0; /* 31 characters */
	assert_int_equal(try_create(name, sizeof(name), 1, 0, 0), 0);
	assert_string_equal(dc_info(c->domain).name, name);
	assert_string_equal(shim_mgmt_live(c->domain)->name, name);
	/* Bytes after the NUL are the name field's, not checked: the name ends at the NUL. */
	assert_int_equal(try_create("ab\0zz", 5, 1, 0, 0), 0);
	assert_string_equal(dc_info(c->domain).name, "ab");
}

static void test_create_flags_pages_tail(void **state)
{
	struct keel_domctl *c = shim_gva(MGMT_ARG);

	(void)state;
	assert_int_equal(try_create("f", 2, 1, 1u << 1, 0), -EINVAL);
	assert_int_equal(try_create("f", 2, 1, 1u << 31, 0), -EINVAL);
	assert_int_equal(try_create("f", 2, 1, 0, (1ULL << 22) + 1), -EINVAL);
	assert_int_equal(try_create("f", 2, 1, 0, ~0ULL), -EINVAL);
	assert_int_equal(try_create("f", 2, 1, KEEL_CREATE_DESTROY_ON_END, 1ULL << 22), 0);
	assert_int_equal(dc_info(c->domain).max_pages, 1ULL << 22);
	/* The union's bytes after the create struct are reserved. */
	for (size_t off = sizeof(struct keel_domctl_create); off < sizeof(c->u.raw); off += 63) {
		c = dc_prep(KEEL_DOMCTL_create, 0);
		strlcpy(c->u.create.name, "t", sizeof(c->u.create.name));
		c->u.create.nr_vcpus = 1;
		c->u.raw[off] = 0x80;
		assert_int_equal(dc_call(), -EINVAL);
	}
	assert_int_equal(domains_alive(), 3);
}

/* Out of memory (here: the EPT) is -ENOMEM, and the half-made domain leaves nothing behind. */
static void test_create_enomem(void **state)
{
	(void)state;
	shim_mgmt_arch_init_rc = -ENOMEM;
	assert_int_equal(try_create("m", 2, 4, 0, 0), -ENOMEM);
	shim_mgmt_arch_init_rc = 0;
	assert_int_equal(try_create("m", 2, 4, 0, 0), 0);
}

/* A struct it cannot write back: -EFAULT, yet the domain exists (the domain list shows it). */
static void test_create_readonly_struct(void **state)
{
	struct keel_domctl *c = dc_prep(KEEL_DOMCTL_create, 0);

	(void)state;
	strlcpy(c->u.create.name, "ro", sizeof(c->u.create.name));
	c->u.create.nr_vcpus = 1;
	shim_gva_set(MGMT_ARG, 1, SHIM_GVA_RO);
	assert_int_equal(dc_call(), -EFAULT);
	assert_int_equal(domains_alive(), 3);
	assert_int_equal(c->domain, 0); /* not written */
}

/* create, getinfo says what it is, destroy: gone from the calls at once, freed when reaped. */
static void test_create_info_destroy(void **state)
{
	u64 frames = shim_mgmt_free_frames();
	struct keel_domain_info i;
	struct domain *d;
	u16 id;

	(void)state;
	id = mk_domain("guest", 3, 0, 1000);
	assert_int_not_equal(id, 0);
	assert_int_not_equal(id, mgmt.domu->id);
	d = shim_mgmt_live(id);
	assert_false(d->privileged);
	assert_int_equal(d->life.on_crash, ACTION_PRESERVE); /* kept after it ends (no flag) */
	assert_true(shim_mgmt_free_frames() < frames);	     /* its shared_info */
	i = dc_info(id);
	assert_int_equal(i.domid, id);
	assert_string_equal(i.name, "guest");
	assert_int_equal(i.flags, KEEL_DOMINFO_PAUSED); /* never started */
	assert_int_equal(i.pages, 0);
	assert_int_equal(i.max_pages, 1000);
	assert_int_equal(i.nr_vcpus, 3);
	assert_int_equal(i.shutdown_reason, 0);
	assert_int_equal(i.cpu_time_ns, 0);
	assert_int_equal(i.pad, 0);
	i = dc_info(DOMID_SELF);
	assert_int_equal(i.domid, 0);
	assert_int_equal(i.flags & KEEL_DOMINFO_PRIVILEGED, KEEL_DOMINFO_PRIVILEGED);

	assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, id), 0);
	assert_true(d->life.dying);
	assert_int_equal(dc_simple(KEEL_DOMCTL_getinfo, id), -ESRCH);
	assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, id), -ESRCH);
	shim_mgmt_reap();
	assert_int_equal(domains_alive(), 2);
	assert_null(domain_by_id(id));
	assert_int_equal(shim_mgmt_free_frames(), frames);
	assert_int_equal(shim_mgmt_dom_exc, 1); /* dom0 was told a domain ended */
}

static void test_destroy_refused(void **state)
{
	struct domain *priv2 = domain_create(DOMID_AUTO, "priv2", 1, true);

	(void)state;
	assert_non_null(priv2);
	assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, DOMID_SELF), -EINVAL);
	assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, 0), -EINVAL); /* dom0 itself */
	assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, priv2->id), -EINVAL);
	assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, 1234), -ESRCH);
	assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, DOMID_INVALID), -ESRCH);
	assert_false(mgmt.dom0->life.dying || priv2->life.dying);
	/* A privileged domain other than dom0 cannot destroy dom0 either. */
	dc_prep(KEEL_DOMCTL_destroy, 0);
	assert_int_equal(shim_domctl(priv2->vcpus[0], MGMT_ARG), -EINVAL);
	assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, mgmt.domu->id), 0);
	assert_true(mgmt.domu->life.dying);
}

/* Every command but create on an unknown or a dying domain: -ESRCH, whatever else it says. */
static void test_unknown_and_dying_domain(void **state)
{
	u16 dying = mk_domain("dying", 1, 0, 0);
	struct domain *d = shim_mgmt_live(dying);
	const u16 ids[] = {dying, 999, DOMID_INVALID, 0xffff};

	(void)state;
	domain_kill(d);
	for (u32 cmd = KEEL_DOMCTL_destroy; cmd < KEEL_DOMCTL_MAX; cmd++) {
		for (unsigned int i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			struct keel_domctl *c = dc_prep(cmd, ids[i]);

			c->u.sched.weight = 256; /* otherwise-valid arguments */
			c->u.affinity.cpumap = 1;
			assert_int_equal(dc_call(), -ESRCH);
		}
	}
	assert_int_equal(d->refs, 0); /* every lookup put back what it took */
}

/*
 * Domain ids come from 1..0x7FEF, wrapping around and skipping those in use: never DOMID_SELF
 * (0x7FF0) or the other reserved ids, never 0xFFFF, never a live domain's (dom0's 0, domU's).
 * Ids ran on past 0x7FF0 and wrapped to dom0's 0 after 65535 creations.
 */
static void test_domid_wraps_past_reserved(void **state)
{
	u16 keep = mk_domain("keep", 1, 0, 0);
	u16 last = keep;
	bool wrapped = false;

	(void)state;
	for (unsigned int i = 0; i < DOMID_FIRST_RESERVED + 8; i++) {
		u16 id = mk_domain("cycle", 1, 0, 0);

		assert_true(id >= 1 && id < DOMID_FIRST_RESERVED);
		assert_true(id != keep && id != mgmt.domu->id);
		wrapped |= id < last;
		last = id;
		assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, id), 0);
		shim_mgmt_reap();
	}
	assert_true(wrapped);
	assert_int_equal(domains_alive(), 3);
	assert_int_equal(dc_info(keep).domid, keep);
	assert_int_equal(dc_info(0).flags & KEEL_DOMINFO_PRIVILEGED, KEEL_DOMINFO_PRIVILEGED);
}

/* A failing call is logged once per domain and command, not once per call. */
static void test_failure_logged_once(void **state)
{
	u64 from = keel_log.head;

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dc_simple(KEEL_DOMCTL_getinfo, 4321), -ESRCH);
		dc_prep(KEEL_DOMCTL_getinfo, 0)->interface_version = 0;
		assert_int_equal(dc_call(), -EACCES);
		assert_int_equal(shim_domctl(mgmt.vu, MGMT_ARG), -EPERM); /* not logged */
	}
	assert_int_equal(log_count(from, "mgmt: d0 vCPU 0: hypercall 36 op 7 failed: -3 ("), 1);
	assert_int_equal(log_count(from, "failed: -13 ("), 0); /* the same op: logged already */
	assert_int_equal(log_count(from, "failed: -1 ("), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mgmt_setup, mgmt_teardown)
	    T(test_unprivileged_eperm_before_read),
	    T(test_struct_fault),
	    T(test_wrong_version),
	    T(test_unknown_cmd),
	    T(test_header_pad),
	    T(test_create_nr_vcpus),
	    T(test_create_name),
	    T(test_create_flags_pages_tail),
	    T(test_create_enomem),
	    T(test_create_readonly_struct),
	    T(test_create_info_destroy),
	    T(test_destroy_refused),
	    T(test_unknown_and_dying_domain),
	    T(test_failure_logged_once),
	    T(test_domid_wraps_past_reserved),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
