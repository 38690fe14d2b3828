/* Host-test shim for domctl/sysctl (shim_mgmt.c): the platform around them, a guest memory that faults. */
#ifndef TESTS_UNIT_SHIM_MGMT_H
#define TESTS_UNIT_SHIM_MGMT_H

#include <keel/types.h>

struct domain;
struct vcpu;

/*
 * The calling vCPU's virtual memory: SHIM_GVA_PAGES pages at SHIM_GVA_BASE, each readable and
 * writable, read-only or absent; every other address faults. Copies go page by page like the
 * real ones (arch/x86/hvm/guest_access.c): a copy that meets a fault has written what came before.
 */
#define SHIM_GVA_BASE  0x7f0000000000ULL
#define SHIM_GVA_PAGES 24
#define SHIM_GVA_SIZE  (SHIM_GVA_PAGES * 4096ULL)
enum shim_gva_perm { SHIM_GVA_RW, SHIM_GVA_RO, SHIM_GVA_NONE };
extern u8 shim_gva_mem[SHIM_GVA_SIZE];
extern u8 shim_gva_perm[SHIM_GVA_PAGES];
extern unsigned long shim_gva_reads, shim_gva_writes; /* copy_{from,to}_guest calls */
/* All pages read-write and zeroed, counters cleared. */
void shim_gva_reset(void);
/* Every page touching [@gva, @gva + @len) gets @perm. */
void shim_gva_set(u64 gva, u64 len, enum shim_gva_perm perm);
/* Where guest virtual @gva (inside the window) is in shim_gva_mem. */
void *shim_gva(u64 gva);

/* The platform's answers. */
extern unsigned int
    shim_mgmt_nr_cpus;		   /* arch_nr_cpus(); shim_mgmt_up() gives the scheduler as many */
extern int shim_mgmt_arch_init_rc; /* arch_domain_init()'s result: non-zero fails creation */
extern unsigned int shim_mgmt_dom_exc; /* VIRQ_DOM_EXC sent to privileged domains */
extern unsigned long shim_mgmt_heap_shrinks;
extern long shim_mgmt_allocs; /* kmalloc'd blocks not yet freed */

/*
 * The fixture: the real frame allocator over shim_mm.c's arena, the real scheduler on
 * shim_mgmt_nr_cpus CPUs, and two running domains from the real domain_create(): dom0 (id 0,
 * privileged) and an unprivileged domU, one vCPU each (the callers, on CPU 0).
 */
/* Start @d as common/domain_build.c starts a boot-time domain: shim_mgmt_boot_ram bytes of RAM
 * (1 MiB; the fuzzer gives none, populating is slow), vCPU 0 up, unpaused. */
extern u64 shim_mgmt_boot_ram;
void shim_mgmt_boot_start(struct domain *d);
struct shim_mgmt {
	struct domain *dom0, *domu;
	struct vcpu *v0, *vu;
	u64 free_before; /* free frames before any domain */
};
void shim_mgmt_up(struct shim_mgmt *m);
/* Keep the frame allocator from one shim_mgmt_down() to the next up() (the fuzzer: speed). */
extern bool shim_mgmt_keep_frames;
/* Reap every dying domain nothing holds (CPU 0's pass). */
void shim_mgmt_reap(void);
/* Destroy every domain; fails unless all are gone and every frame came back. */
void shim_mgmt_down(struct shim_mgmt *m);
u64 shim_mgmt_free_frames(void);
/* The domain with @id if it is on the domain list and not dying (no reference kept), or NULL. */
struct domain *shim_mgmt_live(u16 id);

/* The hypercalls as a guest makes them: the struct's guest virtual address in the first argument. */
long shim_domctl(struct vcpu *v, u64 gva);
long shim_sysctl(struct vcpu *v, u64 gva);

#endif
