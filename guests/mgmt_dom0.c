/* Test guest mgmt_dom0: as dom0, hostile management calls, then build, run and destroy a child. */
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/domctl.h>
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/memory.h>
#include <public/start_info.h>
#include <public/sysctl.h>

const char guest_name[] = "mgmt_dom0";

/* guests/lib/string.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

static void set_name(char *dst, const char *src)
{
	while ((*dst++ = *src++))
		;
}

static int contains(const char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (!memcmp(hay + i, needle, m))
			return 1;
	return 0;
}

extern const uint8_t mgmt_child_elf[], mgmt_child_elf_end[];

#define CHILD_PAGES 1024       /* 4 MiB */
#define MAP_GFN	    0xC0000ULL /* where dom0 maps the child's frames (3 GiB, no RAM) */
#define CHILD_SI    0x1000u    /* the child's start_info GPA */
#define MAP_VA(gpa) ((uint8_t *)(uintptr_t)((MAP_GFN << 12) + (gpa)))
#define FREE_SLACK  16 /* pages of dom0's own EPT tables for the map window may stay */

static struct keel_domctl dc;
static struct keel_sysctl sc;
static uint64_t gfns[512], idxs[512];
static int32_t errs[512];
static struct keel_domain_info infos[16];
static char logtext[4096];
static volatile uint32_t dom_exc_seen;

static long domctl(uint32_t cmd, uint16_t dom)
{
	dc.cmd = cmd;
	dc.interface_version = KEEL_DOMCTL_VERSION;
	dc.domain = dom;
	dc.pad[0] = dc.pad[1] = dc.pad[2] = 0;
	return hypercall(HYPERCALL_domctl, HV_PTR(&dc), 0, 0, 0, 0);
}

static long sysctl(uint32_t cmd)
{
	sc.cmd = cmd;
	sc.interface_version = KEEL_SYSCTL_VERSION;
	sc.domain = 0;
	return hypercall(HYPERCALL_sysctl, HV_PTR(&sc), 0, 0, 0, 0);
}

static uint64_t free_pages(void)
{
	long rc = sysctl(KEEL_SYSCTL_physinfo);

	TEST_CHECK(rc == 0, "physinfo returned %ld", rc);
	return sc.u.physinfo.free_pages;
}

#define EXPECT(call, want)                                                           \
	do {                                                                         \
		long r_ = (call);                                                    \
		TEST_CHECK(r_ == (want), "%s returned %ld, expected %ld", #call, r_, \
			   (long)(want));                                            \
	} while (0)

static void hostile(void)
{
	struct add_to_physmap_batch b = {
	    DOMID_SELF,	 XENMAPSPACE_gmfn_foreign, 1, DOMID_SELF, HV_PTR(idxs), HV_PTR(gfns),
	    HV_PTR(errs)};
	struct remove_from_physmap rm = {DOMID_SELF, {0, 0, 0}, MAP_GFN + 77};
	struct memory_reservation r = {HV_PTR(gfns), 1, 0, 0, 999, {0, 0, 0}};

	EXPECT(hypercall(HYPERCALL_domctl, 0xdead000000ULL, 0, 0, 0, 0), -EFAULT);
	EXPECT(hypercall(HYPERCALL_sysctl, 0xdead000000ULL, 0, 0, 0, 0), -EFAULT);
	dc.cmd = KEEL_DOMCTL_getinfo;
	dc.interface_version = 1;
	EXPECT(hypercall(HYPERCALL_domctl, HV_PTR(&dc), 0, 0, 0, 0), -EACCES);
	sc.cmd = KEEL_SYSCTL_physinfo;
	sc.interface_version = 0;
	EXPECT(hypercall(HYPERCALL_sysctl, HV_PTR(&sc), 0, 0, 0, 0), -EACCES);
	EXPECT(domctl(0, 0), -EINVAL);
	EXPECT(domctl(KEEL_DOMCTL_MAX, 0), -EINVAL);
	EXPECT(domctl(9999, 0), -EINVAL);
	EXPECT(sysctl(0), -EINVAL);
	EXPECT(sysctl(77), -EINVAL);
	EXPECT(domctl(KEEL_DOMCTL_getinfo, 999), -ESRCH);
	EXPECT(domctl(KEEL_DOMCTL_destroy, DOMID_SELF), -EINVAL);
	EXPECT(domctl(KEEL_DOMCTL_destroy, 0), -EINVAL);
	EXPECT(domctl(KEEL_DOMCTL_pause, 0), -EINVAL);
	memset(&dc.u, 0, sizeof(dc.u));
	set_name(dc.u.create.name, "x");
	dc.u.create.nr_vcpus = 0;
	EXPECT(domctl(KEEL_DOMCTL_create, 0), -EINVAL);
	dc.u.create.nr_vcpus = 1000;
	EXPECT(domctl(KEEL_DOMCTL_create, 0), -EINVAL);
	dc.u.create.nr_vcpus = 1;
	dc.u.create.flags = 1u << 7;
	EXPECT(domctl(KEEL_DOMCTL_create, 0), -EINVAL);
	dc.u.create.flags = 0;
	memset(dc.u.create.name, 'a', sizeof(dc.u.create.name));
	EXPECT(domctl(KEEL_DOMCTL_create, 0), -EINVAL);
	dc.u.create.name[0] = 0;
	EXPECT(domctl(KEEL_DOMCTL_create, 0), -EINVAL);
	set_name(dc.u.create.name, "x");
	dc.u.create.max_pages = 1ULL << 40;
	EXPECT(domctl(KEEL_DOMCTL_create, 0), -EINVAL);
	memset(&sc.u, 0, sizeof(sc.u));
	EXPECT(sysctl(KEEL_SYSCTL_domain_list), -EINVAL); /* max_entries 0 */
	sc.u.domain_list.max_entries = 100000;
	EXPECT(sysctl(KEEL_SYSCTL_domain_list), -EINVAL);
	sc.u.domain_list.max_entries = 4;
	sc.u.domain_list.buffer = 0xdead000000ULL;
	EXPECT(sysctl(KEEL_SYSCTL_domain_list), -EFAULT);
	memset(&sc.u, 0, sizeof(sc.u));
	EXPECT(sysctl(KEEL_SYSCTL_readlog), -EINVAL); /* size 0 */
	sc.u.readlog.size = 16;
	sc.u.readlog.flags = 2;
	EXPECT(sysctl(KEEL_SYSCTL_readlog), -EINVAL);
	EXPECT(hv_memory_op(XENMEM_add_to_physmap_batch, &b), -EINVAL); /* foreign = self */
	b.foreign_domid = 999;
	EXPECT(hv_memory_op(XENMEM_add_to_physmap_batch, &b), -ESRCH);
	b.size = 60000;
	EXPECT(hv_memory_op(XENMEM_add_to_physmap_batch, &b), -EINVAL);
	EXPECT(hv_memory_op(XENMEM_remove_from_physmap, &rm), -ENOENT);
	EXPECT(hv_memory_op(XENMEM_populate_physmap, &r), -ESRCH);
	con_printf("mgmt_dom0: hostile arguments all refused\n");
}

static void on_dom_exc(evtchn_port_t port, void *ctx)
{
	(void)port;
	(void)ctx;
	dom_exc_seen++;
}

static void on_timer(evtchn_port_t port, void *ctx)
{
	(void)port;
	(void)ctx;
}

static void sleep_ms(uint64_t ms)
{
	uint64_t end = time_now_ns() + ms * NS_PER_MS;

	irq_disable();
	while (time_now_ns() < end) {
		timer_set_abs(end);
		safe_halt();
		irq_disable();
	}
	irq_enable();
}

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* Copy the child's PT_LOAD segments through the map; its PVH entry (the Xen note) out. */
static uint32_t load_child(void)
{
	const struct elf64_ehdr *eh = (const void *)mgmt_child_elf;
	uint32_t entry = 0;

	TEST_CHECK(eh->ident[0] == 0x7f && eh->ident[1] == 'E', "the child image is no ELF");
	for (unsigned int i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph =
		    (const void *)(mgmt_child_elf + eh->phoff + i * eh->phentsize);

		if (ph->type == 1) {
			TEST_CHECK(ph->paddr + ph->memsz <= CHILD_PAGES * 4096ULL,
				   "child segment outside its RAM");
			memcpy(MAP_VA(ph->paddr), mgmt_child_elf + ph->offset, ph->filesz);
		} else if (ph->type == 4) {
			const uint8_t *n = mgmt_child_elf + ph->offset, *end = n + ph->filesz;

			while (n + 12 <= end) {
				uint32_t namesz = *(const uint32_t *)n,
					 descsz = *(const uint32_t *)(n + 4);
				uint32_t type = *(const uint32_t *)(n + 8);
				const uint8_t *desc = n + 12 + ((namesz + 3) & ~3u);

				if (type == 18 && namesz == 4 && !memcmp(n + 12, "Xen", 4))
					entry = *(const uint32_t *)desc;
				n = desc + ((descsz + 3) & ~3u);
			}
		}
	}
	TEST_CHECK(entry, "the child image has no PVH entry note");
	return entry;
}

static void write_start_info(void)
{
	struct pvh_start_info *si = (struct pvh_start_info *)MAP_VA(CHILD_SI);
	struct pvh_memmap_entry *mm = (struct pvh_memmap_entry *)MAP_VA(CHILD_SI + 0x100);

	memset(si, 0, 4096);
	mm->addr = 0;
	mm->size = CHILD_PAGES * 4096ULL;
	mm->type = 1;
	si->magic = PVH_START_MAGIC;
	si->version = 1;
	si->memmap_paddr = CHILD_SI + 0x100;
	si->memmap_entries = 1;
}

static void map_child(uint16_t child)
{
	struct add_to_physmap_batch b = {
	    DOMID_SELF,	 XENMAPSPACE_gmfn_foreign, 512, child, HV_PTR(idxs), HV_PTR(gfns),
	    HV_PTR(errs)};
	struct memory_reservation r = {HV_PTR(gfns), 512, 0, 0, child, {0, 0, 0}};
	long rc;

	for (unsigned int half = 0; half < 2; half++) {
		for (unsigned int i = 0; i < 512; i++) {
			gfns[i] = half * 512 + i;
			idxs[i] = half * 512 + i;
		}
		rc = hv_memory_op(XENMEM_populate_physmap, &r);
		TEST_CHECK(rc == 512, "populate_physmap(d%u) returned %ld", child, rc);
		for (unsigned int i = 0; i < 512; i++)
			gfns[i] = MAP_GFN + half * 512 + i;
		rc = hv_memory_op(XENMEM_add_to_physmap_batch, &b);
		TEST_CHECK(rc == 0, "add_to_physmap_batch returned %ld", rc);
		for (unsigned int i = 0; i < 512; i++)
			TEST_CHECK(errs[i] == 0, "foreign map %u: %d", i, errs[i]);
	}
	/* A second map at a taken GFN, and a child frame outside its RAM, fail per entry. */
	b.size = 2;
	gfns[0] = MAP_GFN;
	idxs[0] = 0;
	gfns[1] = MAP_GFN + 2000;
	idxs[1] = 5000;
	rc = hv_memory_op(XENMEM_add_to_physmap_batch, &b);
	TEST_CHECK(rc == 0 && errs[0] == -EBUSY && errs[1] == -EFAULT,
		   "bad foreign maps: rc %ld errs %d %d", rc, errs[0], errs[1]);
}

static void unmap_child(void)
{
	struct remove_from_physmap rm = {DOMID_SELF, {0, 0, 0}, 0};

	for (unsigned int i = 0; i < CHILD_PAGES; i++) {
		long rc;

		rm.gpfn = MAP_GFN + i;
		rc = hv_memory_op(XENMEM_remove_from_physmap, &rm);
		TEST_CHECK(rc == 0, "remove_from_physmap(%#lx) returned %ld",
			   (unsigned long)rm.gpfn, rc);
	}
}

static int listed(uint16_t dom)
{
	memset(&sc.u, 0, sizeof(sc.u));
	sc.u.domain_list.first_domid = 0;
	sc.u.domain_list.max_entries = 16;
	sc.u.domain_list.buffer = HV_PTR(infos);
	TEST_CHECK(sysctl(KEEL_SYSCTL_domain_list) == 0, "domain_list failed");
	for (uint32_t i = 0; i < sc.u.domain_list.nr_entries; i++)
		if (infos[i].domid == dom)
			return 1;
	return 0;
}

static void run_child(void)
{
	uint64_t free0, free1, t0;
	evtchn_port_t port, tport;
	uint32_t entry;
	uint16_t child;

	TEST_CHECK(shared_info_map() == 0 && events_init() == 0, "events setup failed");
	TEST_CHECK(events_bind_virq(VIRQ_TIMER, 0, &tport, on_timer, NULL) == 0, "VIRQ_TIMER");
	TEST_CHECK(events_bind_virq(VIRQ_DOM_EXC, 0, &port, on_dom_exc, NULL) == 0, "VIRQ_DOM_EXC");
	free0 = free_pages();
	con_printf("mgmt_dom0: physinfo: %u CPUs, %lu pages free, Keel %s\n", sc.u.physinfo.nr_cpus,
		   (unsigned long)free0, sc.u.physinfo.version);
	memset(&dc.u, 0, sizeof(dc.u));
	set_name(dc.u.create.name, "mgmt-child");
	dc.u.create.nr_vcpus = 1;
	EXPECT(domctl(KEEL_DOMCTL_create, 0), 0);
	child = dc.domain;
	con_printf("mgmt_dom0: created d%u\n", child);
	TEST_CHECK(listed(child), "the new domain is not in the domain list");
	EXPECT(domctl(KEEL_DOMCTL_unpause, child), -EINVAL); /* no vCPU context yet */
	memset(&dc.u, 0, sizeof(dc.u));
	dc.u.max_mem.max_pages = CHILD_PAGES;
	EXPECT(domctl(KEEL_DOMCTL_max_mem, child), 0);
	map_child(child);
	entry = load_child();
	write_start_info();
	memset(&dc.u, 0, sizeof(dc.u));
	dc.u.vcpu_context.vcpu = 0;
	dc.u.vcpu_context.entry = entry;
	dc.u.vcpu_context.ebx = CHILD_SI;
	dc.u.vcpu_context.flags = 1;
	EXPECT(domctl(KEEL_DOMCTL_set_vcpu_context, child), -EINVAL);
	dc.u.vcpu_context.flags = 0;
	dc.u.vcpu_context.vcpu = 5;
	EXPECT(domctl(KEEL_DOMCTL_set_vcpu_context, child), -EINVAL);
	dc.u.vcpu_context.vcpu = 0;
	EXPECT(domctl(KEEL_DOMCTL_set_vcpu_context, child), 0);
	memset(&dc.u, 0, sizeof(dc.u));
	dc.u.sched.weight = 512;
	EXPECT(domctl(KEEL_DOMCTL_set_sched, child), 0);
	EXPECT(domctl(KEEL_DOMCTL_get_sched, child), 0);
	TEST_CHECK(dc.u.sched.weight == 512, "sched weight reads %u", dc.u.sched.weight);
	memset(&dc.u, 0, sizeof(dc.u));
	dc.u.hvm_param.index = 99;
	EXPECT(domctl(KEEL_DOMCTL_set_hvm_param, child), -EINVAL);
	con_printf("mgmt_dom0: d%u loaded (entry %#x), unpausing it\n", child, entry);
	EXPECT(domctl(KEEL_DOMCTL_unpause, child), 0);
	t0 = time_now_ns();
	while (!dom_exc_seen && time_now_ns() - t0 < 20000 * NS_PER_MS)
		sleep_ms(20);
	TEST_CHECK(dom_exc_seen, "no VIRQ_DOM_EXC within 20 s of starting the child");
	EXPECT(domctl(KEEL_DOMCTL_getinfo, child), 0);
	TEST_CHECK(dc.u.info.flags & KEEL_DOMINFO_SHUTDOWN, "child info flags %#x, no shutdown",
		   dc.u.info.flags);
	TEST_CHECK(dc.u.info.shutdown_reason == 0, "child shutdown reason %u",
		   dc.u.info.shutdown_reason);
	con_printf("mgmt_dom0: VIRQ_DOM_EXC; d%u shut down (flags %#x, %lu pages, %lu ns)\n", child,
		   dc.u.info.flags, (unsigned long)dc.u.info.pages,
		   (unsigned long)dc.u.info.cpu_time_ns);
	/* Destroyed while its frames are still mapped here: they must stay (a zombie). */
	EXPECT(domctl(KEEL_DOMCTL_destroy, child), 0);
	TEST_CHECK(!listed(child), "the destroyed domain is still listed");
	EXPECT(domctl(KEEL_DOMCTL_getinfo, child), -ESRCH);
	sleep_ms(100);
	TEST_CHECK(*(volatile uint32_t *)MAP_VA(CHILD_SI) == PVH_START_MAGIC,
		   "a destroyed domain's frames changed under the foreign map");
	free1 = free_pages();
	TEST_CHECK(free1 + CHILD_PAGES <= free0 + FREE_SLACK,
		   "the child's RAM was freed while mapped (%lu free, %lu before)",
		   (unsigned long)free1, (unsigned long)free0);
	unmap_child();
	t0 = time_now_ns();
	while ((free1 = free_pages()) + FREE_SLACK < free0 && time_now_ns() - t0 < 3000 * NS_PER_MS)
		sleep_ms(20);
	con_printf("mgmt_dom0: after destroy and unmap: %lu pages free, %lu before\n",
		   (unsigned long)free1, (unsigned long)free0);
	TEST_CHECK(free1 + FREE_SLACK >= free0 && free1 <= free0, "free memory not back");
}

static void read_log(void)
{
	memset(&sc.u, 0, sizeof(sc.u));
	sc.u.readlog.index = 0;
	sc.u.readlog.buffer = HV_PTR(logtext);
	sc.u.readlog.size = sizeof(logtext) - 1;
	EXPECT(sysctl(KEEL_SYSCTL_readlog), 0);
	TEST_CHECK(sc.u.readlog.size > 0, "readlog returned nothing");
	logtext[sc.u.readlog.size] = 0;
	TEST_CHECK(contains(logtext, sc.u.readlog.size, "keel", 4),
		   "Keel's log has no 'keel' in its first bytes");
	con_printf("mgmt_dom0: readlog: %u bytes, next index %lu\n", sc.u.readlog.size,
		   (unsigned long)sc.u.readlog.index);
}

void guest_main(void)
{
	test_require_hv();
	hostile();
	run_child();
	read_log();
	test_pass();
}
