/* Host-test shim for domctl/sysctl: fake arch/event/grant/console hooks, a faulting guest memory, the fixture. */
#include <keel/arch.h>
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/domain_build.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/power.h>
#include <keel/sched.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <keel/wallclock.h>
#include <public/event_channel.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/hypercall/handlers.h"
#include "shim_core.h"
#include "shim_mgmt.h"

/* ---- the caller's guest memory ---- */

u8 shim_gva_mem[SHIM_GVA_SIZE];
u8 shim_gva_perm[SHIM_GVA_PAGES];
unsigned long shim_gva_reads, shim_gva_writes;

void shim_gva_reset(void)
{
	memset(shim_gva_mem, 0, sizeof(shim_gva_mem));
	memset(shim_gva_perm, SHIM_GVA_RW, sizeof(shim_gva_perm));
	shim_gva_reads = shim_gva_writes = 0;
}

void shim_gva_set(u64 gva, u64 len, enum shim_gva_perm perm)
{
	assert_true(gva >= SHIM_GVA_BASE && len && gva - SHIM_GVA_BASE + len <= SHIM_GVA_SIZE);
	for (u64 p = (gva - SHIM_GVA_BASE) >> 12; p <= (gva - SHIM_GVA_BASE + len - 1) >> 12; p++)
		shim_gva_perm[p] = (u8)perm;
}

void *shim_gva(u64 gva)
{
	assert_true(gva >= SHIM_GVA_BASE && gva - SHIM_GVA_BASE < SHIM_GVA_SIZE);
	return shim_gva_mem + (gva - SHIM_GVA_BASE);
}

/* Page by page, like arch/x86/hvm/guest_access.c: bytes before a faulting page are copied. */
static int gva_copy(struct vcpu *v, u64 gva, u8 *local, size_t len, bool to_guest)
{
	assert_true(v && v->domain);
	while (len) {
		size_t n = MIN(len, (size_t)(4096 - (gva & 4095)));
		u64 off = gva - SHIM_GVA_BASE;

		if (gva < SHIM_GVA_BASE || off >= SHIM_GVA_SIZE ||
		    shim_gva_perm[off >> 12] == SHIM_GVA_NONE ||
		    (to_guest && shim_gva_perm[off >> 12] == SHIM_GVA_RO))
			return -EFAULT;
		if (to_guest)
			memcpy(shim_gva_mem + off, local, n);
		else
			memcpy(local, shim_gva_mem + off, n);
		gva += n;
		local += n;
		len -= n;
	}
	return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, u64 gva, size_t len)
{
	shim_gva_reads++;
	return gva_copy(v, gva, dst, len, false);
}

int copy_to_guest(struct vcpu *v, u64 gva, const void *src, size_t len)
{
	shim_gva_writes++;
	return gva_copy(v, gva, (u8 *)(uintptr_t)src, len, true);
}

/* ---- heap on libc, counted ---- */

long shim_mgmt_allocs;

void *kmalloc(size_t size)
{
	void *p = malloc(size);

	shim_mgmt_allocs += p != NULL;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = calloc(1, size);

	shim_mgmt_allocs += p != NULL;
	return p;
}

void kfree(void *p)
{
	shim_mgmt_allocs -= p != NULL;
	free(p);
}

unsigned long shim_mgmt_heap_shrinks;

void heap_shrink(void)
{
	shim_mgmt_heap_shrinks++;
}

/* ---- the machine: CPUs, VT-x, each domain's EPT and vCPU state (tokens the leak check sees) ---- */

unsigned int shim_mgmt_nr_cpus = 4;
int shim_mgmt_arch_init_rc;
volatile int panic_in_progress;

unsigned int arch_nr_cpus(void)
{
	return shim_mgmt_nr_cpus;
}

bool arch_virt_available(void)
{
	return true;
}

/* A domain's mappings, as arch_map_gpa was told them (enough for the ACPI tables' copy). */
#define SHIM_P2M_MAX 64
struct shim_p2m {
	unsigned int n;
	struct {
		u64 gpa, size;
		paddr_t hpa;
	} e[SHIM_P2M_MAX];
};

int arch_domain_init(struct domain *d)
{
	if (shim_mgmt_arch_init_rc)
		return shim_mgmt_arch_init_rc;
	d->arch.p2m = kzalloc(sizeof(struct shim_p2m));
	return d->arch.p2m ? 0 : -ENOMEM;
}

void arch_domain_destroy(struct domain *d)
{
	kfree(d->arch.p2m);
	d->arch.p2m = NULL;
}

/* Recorded (the first SHIM_P2M_MAX), so that copies to guest memory reach the frames. */
int arch_map_gpa(struct domain *d, u64 gpa, paddr_t hpa, u64 size, bool writable)
{
	struct shim_p2m *p = d->arch.p2m;

	(void)writable;
	if (p && p->n < SHIM_P2M_MAX) {
		p->e[p->n].gpa = gpa;
		p->e[p->n].size = size;
		p->e[p->n].hpa = hpa;
		p->n++;
	}
	return 0;
}

int arch_gpa_to_hpa(struct domain *d, u64 gpa, bool write, paddr_t *hpa)
{
	const struct shim_p2m *p = d->arch.p2m;

	(void)write;
	for (unsigned int i = 0; p && i < p->n; i++)
		if (gpa >= p->e[i].gpa && gpa - p->e[i].gpa < p->e[i].size) {
			*hpa = p->e[i].hpa + (gpa - p->e[i].gpa);
			return 0;
		}
	return -EFAULT;
}

/* Domains the toolstack creates have no devices: no IO-APIC in their MADT. */
u32 arch_domain_ioapic_gpa(const struct domain *d)
{
	(void)d;
	return 0;
}

void arch_kick_cpu(unsigned int cpu)
{
	assert_true(cpu < shim_mgmt_nr_cpus);
}

int arch_vcpu_init(struct vcpu *v)
{
	v->arch.vendor = kzalloc(16);
	return v->arch.vendor ? 0 : -ENOMEM;
}

void arch_vcpu_destroy(struct vcpu *v)
{
	kfree(v->arch.vendor);
	v->arch.vendor = NULL;
}

void arch_vcpu_set_pvh_entry(struct vcpu *v, u32 entry, u32 ebx)
{
	v->arch.gprs.rbx = ebx;
	(void)entry; /* the real code also loads it as the guest's RIP */
}

void arch_vcpu_set_sipi_entry(struct vcpu *v, u8 vector)
{
	(void)v, (void)vector;
}

bool arch_vcpu_irq_pending(const struct vcpu *v)
{
	(void)v;
	return false;
}

void arch_vcpu_exit_stats(struct vcpu *v, void (*fn)(const char *name, u64 count, void *ctx),
			  void *ctx)
{
	(void)v, (void)fn, (void)ctx;
}

/* ---- what a domain has besides vCPUs and memory: not under test here ---- */

unsigned int shim_mgmt_dom_exc;

int evtchn_domain_init(struct domain *d)
{
	(void)d;
	return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
	(void)d;
}

bool evtchn_is_pending(struct domain *d, u32 port)
{
	(void)d, (void)port;
	return false;
}

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
	(void)v, (void)virq;
}

void evtchn_send_global_virq(struct domain *d, unsigned int virq)
{
	assert_true(d->privileged && virq == VIRQ_DOM_EXC);
	shim_mgmt_dom_exc++;
}

int grant_domain_init(struct domain *d)
{
	d->gnt = kzalloc(64); /* a token: grant_domain_destroy() must free it */
	return d->gnt ? 0 : -ENOMEM;
}

void grant_domain_destroy(struct domain *d)
{
	kfree(d->gnt);
	d->gnt = NULL;
}

void grant_release_maps(struct domain *d)
{
	(void)d;
}

bool grant_maps_released(const struct domain *d)
{
	(void)d;
	return true;
}

void foreign_release_maps(struct domain *d)
{
	(void)d;
}

bool foreign_maps_released(const struct domain *d)
{
	(void)d;
	return true;
}

void console_ring_release(struct domain *d)
{
	(void)d;
}

void domain_console_end(struct domain *d)
{
	(void)d;
}

void wallclock_fill(struct shared_info *si)
{
	(void)si;
}

/* No boot-time configuration: no shared regions (common/domain_shm.c). */
void domain_shm_detach(struct domain *d)
{
	(void)d;
}

/* No domain here has a boot-time configuration, and domains_started is never set. */
int domain_rebuild(const void *cfg, u64 ran_ns)
{
	(void)cfg, (void)ran_ns;
	abort();
}

void platform_poweroff(void)
{
	abort();
}

void platform_reboot(void)
{
	abort();
}

/* ---- the fixture ---- */

extern const paddr_t shim_arena_base;
extern const u64 shim_arena_size;
static u8 *frame_meta;
bool shim_mgmt_keep_frames;

u64 shim_mgmt_free_frames(void)
{
	struct frame_stats st;

	frames_get_stats(&st);
	return st.free_frames;
}

/* As common/domain_build.c starts a boot-time domain: its RAM, vCPU 0 up, unpaused. */
u64 shim_mgmt_boot_ram = 1ULL << 20;

void shim_mgmt_boot_start(struct domain *d)
{
	if (shim_mgmt_boot_ram)
		assert_int_equal(domain_populate_ram(d, shim_mgmt_boot_ram), 0);
	assert_int_equal(vcpu_start_pvh(d->vcpus[0], 0x1000, 0), 0);
	d->life.started_ns = now_ns();
	domain_unpause(d);
}

void shim_mgmt_up(struct shim_mgmt *m)
{
	memset(m, 0, sizeof(*m));
	shim_core_timer_reset();
	shim_gva_reset();
	shim_mgmt_arch_init_rc = 0;
	shim_mgmt_dom_exc = 0;
	if (!frame_meta) {
		frame_meta = calloc(1, frames_meta_bytes(shim_arena_base + shim_arena_size));
		assert_non_null(frame_meta);
		frames_init(shim_arena_base + shim_arena_size, frame_meta);
		frames_add_range(shim_arena_base, shim_arena_base + shim_arena_size);
	}
	sched_init(shim_mgmt_nr_cpus);
	m->free_before = shim_mgmt_free_frames();
	assert_int_equal(domains_alive(), 0);
	m->dom0 = domain_create(0, "dom0", 1, true);
	m->domu = domain_create(DOMID_AUTO, "domU", 1, false);
	assert_true(m->dom0 && m->domu);
	shim_mgmt_boot_start(m->dom0);
	shim_mgmt_boot_start(m->domu);
	m->v0 = m->dom0->vcpus[0];
	m->vu = m->domu->vcpus[0];
}

void shim_mgmt_reap(void)
{
	domain_reap();
}

void shim_mgmt_down(struct shim_mgmt *m)
{
	struct domain *d;

	while ((d = domain_get_next(-1)) != NULL) {
		domain_kill(d);
		domain_put(d);
	}
	shim_mgmt_reap();
	assert_int_equal(domains_alive(), 0); /* none left behind by a leaked reference */
	assert_int_equal(shim_mgmt_free_frames(), m->free_before);
	if (shim_mgmt_keep_frames)
		return;
	frames_init(0, NULL);
	free(frame_meta);
	frame_meta = NULL;
}

struct domain *shim_mgmt_live(u16 id)
{
	struct domain *d = domain_get(id);

	if (d)
		domain_put(d);
	return d;
}

long shim_domctl(struct vcpu *v, u64 gva)
{
	u64 args[6] = {gva};

	return do_domctl(v, args);
}

long shim_sysctl(struct vcpu *v, u64 gva)
{
	u64 args[6] = {gva};

	return do_sysctl(v, args);
}
