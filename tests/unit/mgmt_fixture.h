/* mgmt_fixture.h: domctl/sysctl unit tests' helpers: build a call in guest memory, make it, make domains. */
#ifndef TESTS_UNIT_MGMT_FIXTURE_H
#define TESTS_UNIT_MGMT_FIXTURE_H

#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/domctl.h>
#include <public/hypercall.h>
#include <public/sysctl.h>

#include "shim_mgmt.h"

/* Calls pass their struct at the start of the caller's memory; buffers follow from page 1. */
#define MGMT_ARG SHIM_GVA_BASE
#define MGMT_BUF (SHIM_GVA_BASE + 4096)
#define RAM_1M	 256 /* pages: the smallest memory map a domain can have */

static struct shim_mgmt mgmt;

static inline int mgmt_setup(void **state)
{
	(void)state;
	shim_mgmt_up(&mgmt);
	return 0;
}

static inline int mgmt_teardown(void **state)
{
	(void)state;
	shim_mgmt_down(&mgmt);
	return 0;
}

/* A zeroed domctl at MGMT_ARG with @cmd, the right version and @domid; the caller fills the rest. */
static inline struct keel_domctl *dc_prep(u32 cmd, u16 domid)
{
	struct keel_domctl *c = shim_gva(MGMT_ARG);

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->interface_version = KEEL_DOMCTL_VERSION;
	c->domain = domid;
	return c;
}

static inline struct keel_sysctl *sc_prep(u32 cmd)
{
	struct keel_sysctl *s = shim_gva(MGMT_ARG);

	memset(s, 0, sizeof(*s));
	s->cmd = cmd;
	s->interface_version = KEEL_SYSCTL_VERSION;
	return s;
}

/* The prepared call from dom0 (or @v). */
static inline long dc_call(void)
{
	return shim_domctl(mgmt.v0, MGMT_ARG);
}

static inline long sc_call(void)
{
	return shim_sysctl(mgmt.v0, MGMT_ARG);
}

/* Prepare and make a domctl whose union stays zero. */
static inline long dc_simple(u32 cmd, u16 domid)
{
	dc_prep(cmd, domid);
	return dc_call();
}

/* domctl create from dom0: the new domid, or fails the test. */
static inline u16 mk_domain(const char *name, u32 nr_vcpus, u32 flags, u64 max_pages)
{
	struct keel_domctl *c = dc_prep(KEEL_DOMCTL_create, 0);

	strlcpy(c->u.create.name, name, sizeof(c->u.create.name));
	c->u.create.nr_vcpus = nr_vcpus;
	c->u.create.flags = flags;
	c->u.create.max_pages = max_pages;
	assert_int_equal(dc_call(), 0);
	assert_non_null(shim_mgmt_live(c->domain));
	return c->domain;
}

static inline long dc_max_mem(u16 domid, u64 pages)
{
	dc_prep(KEEL_DOMCTL_max_mem, domid)->u.max_mem.max_pages = pages;
	return dc_call();
}

static inline long dc_context(u16 domid, u32 vcpu, u32 entry, u32 ebx)
{
	struct keel_domctl *c = dc_prep(KEEL_DOMCTL_set_vcpu_context, domid);

	c->u.vcpu_context.vcpu = vcpu;
	c->u.vcpu_context.entry = entry;
	c->u.vcpu_context.ebx = ebx;
	return dc_call();
}

/* Give @domid 1 MiB of memory map and vCPU 0 a context, then unpause it: it runs. */
static inline void start_domain(u16 domid)
{
	assert_int_equal(dc_max_mem(domid, RAM_1M), 0);
	assert_int_equal(dc_context(domid, 0, 0x1000, 0x2000), 0);
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, domid), 0);
}

/* getinfo from dom0: the info, or fails the test. */
static inline struct keel_domain_info dc_info(u16 domid)
{
	assert_int_equal(dc_simple(KEEL_DOMCTL_getinfo, domid), 0);
	return ((struct keel_domctl *)shim_gva(MGMT_ARG))->u.info;
}

#endif
