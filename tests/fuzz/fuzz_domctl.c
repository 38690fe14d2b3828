/* libFuzzer target for domctl and sysctl: arbitrary 128-byte calls from dom0 (or a domU) to the real handlers. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/domctl.h>
#include <public/hypercall.h>
#include <public/sched.h>
#include <public/sysctl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../unit/shim_mgmt.h"

/*
 * The input is a run of calls, each 2 control bytes then the 128-byte struct; bytes left over
 * seed the buffers after it. Control byte 0: bit 0 sysctl (else domctl), bit 1 the right
 * interface_version, bit 2 domctl: `domain` names one of the domains there are (sysctl: header
 * domain and pads 0), bit 3 buffer pointers land in the caller's memory, bits 4-5 the struct's
 * page (2: read-only, 3: absent), bits 6-7 the buffer pages (1: one absent, 2: one read-only,
 * 3: the last ones absent). Control byte 1: bit 0 the caller is the unprivileged domU, bit 1 the
 * struct straddles two pages. Every input starts from the same domains: dom0, a running domU,
 * a paused domain with a memory map and a vCPU context, a shut-down one kept for inspection,
 * and a dying one still referenced; each is destroyed afterwards and every frame and block
 * must come back.
 */
#define REC_SIZE  (2 + 128)
#define MAX_CALLS 16
#define BUF_BASE  (SHIM_GVA_BASE + 4096)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                         \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "fuzz_domctl: %s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                                           \
			abort();                                                            \
		}                                                                           \
	} while (0)

static struct shim_mgmt m;
static struct domain *dying;
static u16 ids[32];
static unsigned int nr_ids;

/* Everything of every listed domain a call may change (not the failure-log bits, not CPU time). */
struct dom_snap {
	u16 id;
	u32 state, pause_count, dying, paused, started, nr_vcpus;
	u64 bytes, max_ram_pages, ram_pages, hvm_params[64];
	struct {
		u32 start_state, pause_count, weight, cap, start_entry, start_ebx;
		u64 affinity;
	} v[DOMAIN_MAX_VCPUS];
};
static struct dom_snap before[64], after[64];

static unsigned int snapshot(struct dom_snap *s, unsigned int max)
{
	unsigned int n = 0;

	for (struct domain *d = domain_get_next(-1), *next; d; d = next) {
		CHECK(n < max);
		memset(&s[n], 0, sizeof(s[n]));
		s[n].id = d->id;
		s[n].state = d->state;
		s[n].pause_count = d->pause_count;
		s[n].dying = d->life.dying;
		s[n].paused = d->ctl.paused;
		s[n].started = d->ctl.started;
		s[n].nr_vcpus = d->nr_vcpus;
		s[n].bytes = d->mem.bytes;
		s[n].max_ram_pages = d->mem.max_ram_pages;
		s[n].ram_pages = d->mem.ram_pages;
		memcpy(s[n].hvm_params, d->abi.hvm_params, sizeof(s[n].hvm_params));
		for (unsigned int i = 0; i < d->nr_vcpus; i++) {
			const struct vcpu *v = d->vcpus[i];

			s[n].v[i].start_state = v->start_state;
			s[n].v[i].pause_count = v->pause_count;
			s[n].v[i].weight = v->sched.weight;
			s[n].v[i].cap = v->sched.cap;
			s[n].v[i].affinity = v->sched.affinity;
			s[n].v[i].start_entry = v->start_entry;
			s[n].v[i].start_ebx = v->start_ebx;
		}
		if (n)
			CHECK(s[n].id > s[n - 1].id); /* in id order: no id twice */
		CHECK(s[n].id < DOMID_FIRST_RESERVED);
		n++;
		next = domain_get_next(d->id);
		domain_put(d);
	}
	CHECK(n && s[0].id == 0 && !s[0].dying); /* dom0 stays */
	return n;
}

/* The domains a fuzzed `domain` field is mapped onto: every listed one, the dying one, SELF. */
static void collect_ids(void)
{
	nr_ids = 0;
	for (struct domain *d = domain_get_next(-1), *next; d && nr_ids < 30; d = next) {
		ids[nr_ids++] = d->id;
		next = domain_get_next(d->id);
		domain_put(d);
	}
	ids[nr_ids++] = dying->id;
	ids[nr_ids++] = DOMID_SELF;
}

static u16 domctl_create(const char *name, u32 nr_vcpus, u32 flags)
{
	struct keel_domctl *c = shim_gva(SHIM_GVA_BASE);

	memset(c, 0, sizeof(*c));
	c->cmd = KEEL_DOMCTL_create;
	c->interface_version = KEEL_DOMCTL_VERSION;
	strlcpy(c->u.create.name, name, sizeof(c->u.create.name));
	c->u.create.nr_vcpus = nr_vcpus;
	c->u.create.flags = flags;
	CHECK(shim_domctl(m.v0, SHIM_GVA_BASE) == 0);
	return c->domain;
}

static void up(void)
{
	struct domain *d;
	u16 id;

	shim_mgmt_boot_ram = 0;
	shim_mgmt_keep_frames = true;
	shim_mgmt_up(&m);
	id = domctl_create("paused", 2, 0);
	d = domain_get(id);
	CHECK(d);
	d->mem.bytes = d->mem.max_ram_pages = 1ULL << 20; /* as after a domctl max_mem */
	d->mem.max_ram_pages /= 4096;
	CHECK(vcpu_start_pvh(d->vcpus[0], 0x1000, 0) == 0); /* as after set_vcpu_context */
	domain_put(d);
	d = domain_get(domctl_create("ended", 1, 0));
	CHECK(d);
	domain_shutdown(d, SHUTDOWN_crash);
	domain_put(d);
	dying = domain_get(domctl_create("dying", 1, 0));
	CHECK(dying);
	domain_kill(dying); /* held: not reaped until down() */
	shim_gva_reset();
}

static void down(void)
{
	domain_put(dying);
	shim_mgmt_down(&m); /* every domain gone, every frame back */
}

static bool pages_allow(u64 gva, u64 len, bool write)
{
	for (u64 p = (gva - SHIM_GVA_BASE) >> 12; p <= (gva - SHIM_GVA_BASE + len - 1) >> 12; p++)
		if (shim_gva_perm[p] == SHIM_GVA_NONE || (write && shim_gva_perm[p] == SHIM_GVA_RO))
			return false;
	return true;
}

static void set_perms(u8 ctl, u64 arg)
{
	shim_gva_set(SHIM_GVA_BASE, SHIM_GVA_SIZE, SHIM_GVA_RW);
	switch ((ctl >> 6) & 3) {
	case 1:
		shim_gva_set(BUF_BASE + 4096, 1, SHIM_GVA_NONE);
		break;
	case 2:
		shim_gva_set(BUF_BASE + 2 * 4096, 1, SHIM_GVA_RO);
		break;
	case 3:
		shim_gva_set(BUF_BASE + 4 * 4096, SHIM_GVA_SIZE - 5 * 4096, SHIM_GVA_NONE);
		break;
	}
	if (((ctl >> 4) & 3) >= 2)
		shim_gva_set(arg, 128, ((ctl >> 4) & 3) == 2 ? SHIM_GVA_RO : SHIM_GVA_NONE);
}

static bool header_ok_domctl(const struct keel_domctl *c, long rc)
{
	if (c->interface_version != KEEL_DOMCTL_VERSION)
		return rc == -EACCES;
	if (c->cmd == 0 || c->cmd >= KEEL_DOMCTL_MAX || c->pad[0] || c->pad[1] || c->pad[2])
		return rc == -EINVAL;
	return true;
}

static bool header_ok_sysctl(const struct keel_sysctl *s, long rc)
{
	if (s->interface_version != KEEL_SYSCTL_VERSION)
		return rc == -EACCES;
	if (s->cmd == 0 || s->cmd >= KEEL_SYSCTL_MAX || s->domain || s->pad[0] || s->pad[1] ||
	    s->pad[2])
		return rc == -EINVAL;
	return true;
}

static void one_call(const u8 *rec)
{
	u8 ctl = rec[0], ctl2 = rec[1];
	bool sys = ctl & 1, unpriv = ctl2 & 1;
	u64 arg = (ctl2 & 2) ? BUF_BASE - 64 : SHIM_GVA_BASE;
	union {
		struct keel_domctl d;
		struct keel_sysctl s;
	} c;
	unsigned int nb, na;
	bool readable, writable, query;
	long rc;

	memcpy(&c, rec + 2, sizeof(c));
	if (ctl & 2)
		c.d.interface_version = sys ? KEEL_SYSCTL_VERSION : KEEL_DOMCTL_VERSION;
	if ((ctl & 4) && !sys) {
		collect_ids();
		c.d.domain = ids[c.d.domain % nr_ids];
	} else if (ctl & 4) {
		c.s.domain = 0;
		memset(c.s.pad, 0, sizeof(c.s.pad));
	}
	if ((ctl & 8) && sys) {
		uint64_t *buf = c.s.cmd == KEEL_SYSCTL_readlog ? &c.s.u.readlog.buffer
							       : &c.s.u.domain_list.buffer;

		*buf = BUF_BASE + *buf % (SHIM_GVA_SIZE - 4096);
	}
	set_perms(ctl, arg);
	memcpy(shim_gva(arg), &c, sizeof(c));
	readable = pages_allow(arg, sizeof(c), false);
	writable = pages_allow(arg, sizeof(c), true);
	nb = snapshot(before, 64);
	shim_gva_reads = shim_gva_writes = 0;
	rc = sys ? shim_sysctl(unpriv ? m.vu : m.v0, arg) : shim_domctl(unpriv ? m.vu : m.v0, arg);
	na = snapshot(after, 64);
	if (getenv("FUZZ_DOMCTL_TRACE")) /* what each call of an input did */
		fprintf(stderr, "%s%s cmd %u domain %u: %ld\n", sys ? "sysctl" : "domctl",
			unpriv ? " (domU)" : "", c.d.cmd, c.d.domain, rc);

	CHECK(rc == 0 || rc == -EPERM || rc == -EACCES || rc == -EINVAL || rc == -EFAULT ||
	      rc == -ESRCH || rc == -ENOMEM || rc == -EEXIST);
	if (unpriv)
		CHECK(rc == -EPERM && shim_gva_reads + shim_gva_writes == 0);
	else if (!readable)
		CHECK(rc == -EFAULT);
	else
		CHECK(rc != -EPERM &&
		      (sys ? header_ok_sysctl(&c.s, rc) : header_ok_domctl(&c.d, rc)));
	/* sysctl and the domctl queries change no domain; a refused call changes none either,
	 * except a command that acted and could not write its answer back (-EFAULT). */
	query = sys || c.d.cmd == KEEL_DOMCTL_getinfo || c.d.cmd == KEEL_DOMCTL_get_hvm_param ||
		c.d.cmd == KEEL_DOMCTL_get_affinity || c.d.cmd == KEEL_DOMCTL_get_sched ||
		c.d.cmd == KEEL_DOMCTL_max_vcpus;
	if (query || (rc && !(rc == -EFAULT && readable && !writable))) {
		CHECK(na == nb);
		CHECK(memcmp(before, after, nb * sizeof(before[0])) == 0);
	}
	if (!sys && !rc && c.d.cmd == KEEL_DOMCTL_create) {
		const struct keel_domctl *out = shim_gva(arg);
		struct domain *d = domain_get(out->domain);

		CHECK(na == nb + 1 && d && !d->privileged);
		CHECK(d->nr_vcpus == c.d.u.create.nr_vcpus && d->state == DOMAIN_CREATED);
		domain_put(d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long allocs = shim_mgmt_allocs;
	unsigned int calls = 0;

	up();
	if (size % REC_SIZE)
		memcpy(shim_gva(BUF_BASE), data + size - size % REC_SIZE,
		       MIN(size % REC_SIZE, (size_t)SHIM_GVA_SIZE - 4096));
	for (size_t off = 0; off + REC_SIZE <= size && calls < MAX_CALLS; off += REC_SIZE, calls++)
		one_call(data + off);
	down();
	CHECK(shim_mgmt_allocs == allocs); /* every block allocated came back */
	return 0;
}
