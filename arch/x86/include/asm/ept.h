/* EPT (Intel extended page tables): one guest's GPA -> HPA tables, EPTP, violation decoding. */
#ifndef ASM_EPT_H
#define ASM_EPT_H

#include <asm/percpu.h>
#include <keel/spinlock.h>
#include <keel/types.h>

/* Access rights, as given to ept_map()/ept_protect() and returned by ept_lookup(). */
#define EPT_R	(1u << 0)
#define EPT_W	(1u << 1)
#define EPT_X	(1u << 2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)

/* Memory types for leaf entries (ept_map's @mtype), optionally ORed with EPT_IPAT. */
#define EPT_MT_UC 0u
#define EPT_MT_WC 1u
#define EPT_MT_WT 4u
#define EPT_MT_WP 5u
#define EPT_MT_WB 6u
#define EPT_IPAT  (1u << 3) /* ignore the guest's PAT: the EPT memory type wins */

/* Leaf sizes, for ept_map's @max_level and ept_lookup's @level (same numbering as paging). */
#define EPT_LEVEL_4K 1u
#define EPT_LEVEL_2M 2u
#define EPT_LEVEL_1G 3u

/* Entry bits (Intel SDM, EPT paging-structure entries). */
#define EPTE_R		  (1ULL << 0)
#define EPTE_W		  (1ULL << 1)
#define EPTE_X		  (1ULL << 2)
#define EPTE_PERM_MASK	  (EPTE_R | EPTE_W | EPTE_X) /* all clear: not present */
#define EPTE_MT_SHIFT	  3
#define EPTE_MT_MASK	  (7ULL << EPTE_MT_SHIFT) /* leaf only */
#define EPTE_IPAT	  (1ULL << 6)		  /* leaf only */
#define EPTE_LARGE	  (1ULL << 7)		  /* PDPTE/PDE: maps 1 GiB / 2 MiB */
#define EPTE_ACCESSED	  (1ULL << 8)		  /* with EPTP_AD */
#define EPTE_DIRTY	  (1ULL << 9)		  /* leaf, with EPTP_AD */
#define EPTE_ADDR_MASK	  0x000ffffffffff000ULL	  /* bits 51:12 */
#define EPTE_TABLE_ACCESS EPTE_PERM_MASK	  /* non-leaf entries allow everything below */

/* EPT pointer (VMCS field EPTP). */
#define EPTP_MT_WB  6ULL	/* bits 2:0: memory type for walking the tables */
#define EPTP_WALK_4 (3ULL << 3) /* bits 5:3: walk length - 1 */
#define EPTP_AD	    (1ULL << 6) /* accessed/dirty flags enabled */

#define EPT_GPA_LIMIT (1ULL << 48) /* 4-level walk: 48-bit guest-physical space */
#define EPT_HPA_LIMIT (1ULL << 52) /* architectural MAXPHYADDR bound */

/*
 * What one CPU last did with one EPT, written by that CPU only: in_guest is set around each VM
 * entry with this EPT (from just before the entry until just after the exit), flushed is the
 * generation its last INVEPT of this EPT covered.
 */
struct ept_cpu {
	u32 in_guest;
	u64 flushed;
};

/*
 * One guest's tables. Fields are read-only outside ept.c, except ad_enabled, max_leaf_level and
 * table_limit, which the owner sets (the first two after ept_init() and before the first
 * ept_map()), and cpu[], which each CPU updates through ept_cpu_enter()/ept_cpu_exit().
 *
 * Invalidation is by generation. Changing or removing a present entry sets flush_pending; tables
 * taken out of the tree are kept (zeroed) on a retired list, tagged with the generation whose
 * flush frees them (gen + 1 at the time). ept_flush_begin() publishes that generation; a CPU
 * entering the guest INVEPTs when its cpu[].flushed is behind gen; ept_flush_reached() says which
 * generation every CPU has reached (a CPU not in the guest will flush before it enters); and
 * ept_flush_done() frees the retired tables of the generations reached.
 */
struct ept {
	paddr_t pml4;	     /* root table; INVALID_PADDR before init and after destroy */
	spinlock_t lock;     /* serializes every operation below */
	u64 mapped_pages_4k; /* guest memory mapped, in 4 KiB pages (a 2 MiB leaf counts 512) */
	u64 table_pages;     /* table frames in the tree, root included */
	u64 retired_pages;   /* table frames detached, awaiting ept_flush_done() */
	paddr_t retired;     /* head of the retired list, linked through each table's entry 0 */
	u64 gen;	     /* generation published by ept_flush_begin(); 0 at init */
	u64 table_limit;     /* table_pages + retired_pages may not exceed it (0: no limit) */
	u64 alloc_failures;  /* frame_alloc() failed (Keel out of memory, not table_limit) */
	bool flush_pending;  /* a present entry changed or vanished since ept_flush_begin() */
	bool ad_enabled;     /* ept_eptp() sets EPTP_AD */
	unsigned int
	    max_leaf_level; /* largest leaf the CPU supports; ept_init() sets EPT_LEVEL_1G */
	struct ept_cpu cpu[MAX_CPUS];
};

/* Allocate the root table. 0 or -ENOMEM (then @e holds nothing and ept_destroy is a no-op). */
int ept_init(struct ept *e);
/*
 * Free every table frame, retired ones included (never the mapped frames). The owner makes sure
 * that no CPU can use this EPTP's cached translations once the frames are reused. @e can be
 * re-inited.
 */
void ept_destroy(struct ept *e);
/* The EPTP value for the VMCS: WB walks, 4 levels, A/D when enabled, root address. */
u64 ept_eptp(const struct ept *e);

/*
 * Map [gpa, gpa + size) to [hpa, hpa + size) with @perms (EPT_R/W/X; W needs R; not execute-only)
 * and @mtype (EPT_MT_* | optional EPT_IPAT). Leaves up to @max_level (and e->max_leaf_level) are
 * used where gpa, hpa and size allow. Whatever was mapped there is replaced; large pages that
 * straddle the range are split. -EINVAL for bad arguments (misaligned, empty, overflowing, gpa
 * at or past EPT_GPA_LIMIT, hpa past EPT_HPA_LIMIT) with nothing changed; -ENOMEM when a table
 * cannot be allocated (no frame, or table_limit reached): the tables stay consistent, each page of the range holding either its old
 * or its new translation (in ascending order, a prefix got the new one).
 */
int ept_map(struct ept *e, u64 gpa, paddr_t hpa, u64 size, unsigned int perms, unsigned int mtype,
	    unsigned int max_level);
/* Unmap [gpa, gpa + size); holes are fine. Splits large pages (-ENOMEM as for ept_map). */
int ept_unmap(struct ept *e, u64 gpa, u64 size);
/*
 * Set the access rights of every page in [gpa, gpa + size) to @perms, keeping translation and
 * memory type. -ENOENT (nothing changed) if part of the range is unmapped; -ENOMEM as ept_map.
 */
int ept_protect(struct ept *e, u64 gpa, u64 size, unsigned int perms);
/*
 * Translate @gpa: *hpa gets the host address of that very byte, *perms its EPT_R/W/X, *level the
 * leaf size (EPT_LEVEL_*). Any output may be NULL. -ENOENT when unmapped, -EINVAL past the limit.
 */
int ept_lookup(const struct ept *e, u64 gpa, paddr_t *hpa, unsigned int *perms,
	       unsigned int *level);
/*
 * Call @fn for every leaf in ascending gpa order with the leaf's base addresses, size and raw
 * entry. Runs under e->lock: @fn must not call ept_* on @e.
 */
void ept_for_each_leaf(const struct ept *e,
		       void (*fn)(u64 gpa, paddr_t hpa, u64 size, u64 entry, void *ctx), void *ctx);
/*
 * Start invalidating: if anything changed since the last call, publish a new generation (the
 * one the tables retired meanwhile carry). Returns the generation every CPU must reach; a full
 * barrier orders it before the caller's ept_flush_reached().
 */
u64 ept_flush_begin(struct ept *e);
/*
 * The generation every one of CPUs 0..@nr_cpus-1 is known to have reached, at most @gen (from
 * ept_flush_begin()): a CPU in the guest has reached what it last flushed, one outside the guest
 * has reached @gen (it flushes before it enters). *@behind gets the CPUs in the guest that lag:
 * the ones to kick out of guest mode.
 */
u64 ept_flush_reached(struct ept *e, u64 gen, unsigned int nr_cpus, u64 *behind);
/* Every CPU has reached @gen: free the retired tables of generations up to @gen. */
void ept_flush_done(struct ept *e, u64 gen);

/*
 * CPU @cpu is about to enter a guest using @e (interrupts off): mark it in the guest, then
 * return the generation it must INVEPT for (0: its translations are current). After that
 * INVEPT, ept_cpu_flushed(); after the VM exit, ept_cpu_exit().
 */
static inline u64 ept_cpu_enter(struct ept *e, unsigned int cpu)
{
	struct ept_cpu *c = &e->cpu[cpu];
	u64 gen;

	/* Seen in the guest before gen is read: pairs with the barrier in ept_flush_begin(). */
	__atomic_exchange_n(&c->in_guest, 1, __ATOMIC_SEQ_CST);
	gen = __atomic_load_n(&e->gen, __ATOMIC_SEQ_CST);
	return gen != c->flushed ? gen : 0;
}

static inline void ept_cpu_flushed(struct ept *e, unsigned int cpu, u64 gen)
{
	__atomic_store_n(&e->cpu[cpu].flushed, gen, __ATOMIC_RELEASE);
}

static inline void ept_cpu_exit(struct ept *e, unsigned int cpu)
{
	__atomic_store_n(&e->cpu[cpu].in_guest, 0, __ATOMIC_RELEASE);
}

/* How many CPUs are in the guest using @e (to check that none is before freeing it). */
unsigned int ept_cpus_in_guest(const struct ept *e, unsigned int nr_cpus);

static inline unsigned int ept_entry_perms(u64 entry)
{
	return entry & EPTE_PERM_MASK;
}
static inline unsigned int ept_entry_mtype(u64 entry)
{
	return (entry & EPTE_MT_MASK) >> EPTE_MT_SHIFT;
}

/* EPT-violation exit qualification (Intel SDM, "Exit Qualification for EPT Violations"). */
#define EPT_QUAL_READ	       (1ULL << 0)
#define EPT_QUAL_WRITE	       (1ULL << 1)
#define EPT_QUAL_FETCH	       (1ULL << 2)
#define EPT_QUAL_READABLE      (1ULL << 3)
#define EPT_QUAL_WRITABLE      (1ULL << 4)
#define EPT_QUAL_EXECUTABLE    (1ULL << 5)
#define EPT_QUAL_GLA_VALID     (1ULL << 7)
#define EPT_QUAL_GLA_TRANSLATE (1ULL << 8)
#define EPT_QUAL_NMI_UNBLOCK   (1ULL << 12)

struct ept_violation_info {
	bool read, write, exec;				 /* what the guest tried */
	bool gpa_readable, gpa_writable, gpa_executable; /* what the entry allowed */
	bool gla_valid;	      /* the guest-linear-address field is valid */
	bool gla_translation; /* (gla_valid) access to the translated address, not a paging walk */
	bool nmi_unblocking;  /* the fault hit an IRET that unblocked NMIs: re-block on retry */
};
struct ept_violation_info ept_decode_violation(u64 qual);

#endif
