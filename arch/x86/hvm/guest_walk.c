/* Guest page walks as the CPU does them: 2-level, PAE, 4- and 5-level, with the access's rights. */
#include <asm/cpu.h>
#include <asm/cpuid_bits.h>
#include <asm/guest_walk.h>
#include <asm/hvm.h>
#include <asm/hvm_emul.h>
#include <asm/paging.h>
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/vcpu.h>

/*
 * What the walk does not model, and why that is safe:
 *  - Protection keys: CPUID does not offer PKU (arch/x86/hvm/cpuid.c), so PKRU is not consulted.
 *  - PAE paging reads the PDPTEs from memory; the CPU uses the copies it loaded with CR3. They
 *    differ only while the guest's kernel edits its PDPT without reloading CR3.
 *  - 32-bit paging with 4 MiB pages assumes PSE-36 (every CPU with VT-x has it).
 */

#define MAX_LEVELS     5
#define A_D_RETRIES    4
#define PAE_PDPTE_RSVD 0x1e6ULL	     /* bits 8:5 and 2:1 */
#define PAGE_1G_RSVD   0x3fffe000ULL /* bits 29:13 of a 1 GiB leaf */
#define PAGE_2M_RSVD   0x1fe000ULL   /* bits 20:13 of a 2 MiB leaf */
#define PSE36_MAX_BITS 40

enum guest_priv guest_current_priv(struct vcpu *v)
{
	return hvm_ops->get_cpl(v) == 3 ? GUEST_USER : GUEST_SUPERVISOR;
}

/*
 * The guest's physical-address width and 1 GiB page support, from its CPUID policy: read at the
 * domain's first walk (the policy is fixed before it runs) and kept.
 */
static void guest_paging_features(struct vcpu *v, unsigned int *paddr_bits, bool *page_1g)
{
	struct arch_domain *a = &v->domain->arch;
	u8 known = __atomic_load_n(&a->walk_paddr_bits, __ATOMIC_ACQUIRE);

	if (!known) {
		u8 width = 36; /* the architectural value without leaf 0x80000008 */
		bool large = false;
		struct cpuid_regs r;
		u32 max_ext;

		hvm_cpuid(v, 0x80000000u, 0, &r);
		max_ext = r.eax;
		if (max_ext >= 0x80000001u) {
			hvm_cpuid(v, 0x80000001u, 0, &r);
			large = r.edx & LEAF_EXT1_EDX_PAGE1GB;
		}
		if (max_ext >= 0x80000008u) {
			hvm_cpuid(v, 0x80000008u, 0, &r);
			if ((r.eax & 0xff) >= 32 && (r.eax & 0xff) <= 52)
				width = (u8)(r.eax & 0xff);
		}
		a->walk_page_1g = large;
		__atomic_store_n(&a->walk_paddr_bits, width, __ATOMIC_RELEASE);
		known = width;
	}
	*paddr_bits = known;
	*page_1g = a->walk_page_1g;
}

/* Bits [lo, hi] set (lo <= hi < 64). */
static u64 bits(unsigned int hi, unsigned int lo)
{
	return (hi == 63 ? ~0ULL : (1ULL << (hi + 1)) - 1) & ~((1ULL << lo) - 1);
}

enum walk_mode { WALK_2LEVEL, WALK_PAE, WALK_LONG };

struct walk {
	u64 cr0, cr4; /* as the guest has them */
	enum walk_mode mode;
	unsigned int levels;
	bool nx, page_1g, pse;
	unsigned int paddr_bits;
	/* Where each entry used lives and what it held, top level first, for A/D updates. */
	unsigned int n;
	u64 entry_gpa[MAX_LEVELS], entry[MAX_LEVELS];
};

/* The reserved bits of a present entry at @level (1 = PTE) with leaf flag @ps. */
static u64 reserved_bits(const struct walk *w, unsigned int level, bool ps)
{
	u64 rsvd;

	if (w->mode == WALK_2LEVEL) {
		unsigned int m = w->paddr_bits < PSE36_MAX_BITS ? w->paddr_bits : PSE36_MAX_BITS;

		/* Only a 4 MiB leaf has any: the address bits above MAXPHYADDR, and bit 21. */
		return level == 2 && ps ? bits(21, m - 19) : 0;
	}
	if (w->mode == WALK_PAE && level == 3)
		return PAE_PDPTE_RSVD | bits(63, w->paddr_bits);
	/* PAE entries reserve bits 62:M; 4/5-level ones 51:M (62:52 are ignored there). */
	rsvd = w->mode == WALK_PAE ? bits(62, w->paddr_bits)
				   : (w->paddr_bits < 52 ? bits(51, w->paddr_bits) : 0);
	if (!w->nx)
		rsvd |= PTE_NX;
	if (level >= 4)
		rsvd |= PTE_PS; /* PML4E and PML5E never map pages */
	else if (level == 3 && ps)
		rsvd |= w->page_1g ? PAGE_1G_RSVD : PTE_PS;
	else if (level == 2 && ps)
		rsvd |= PAGE_2M_RSVD;
	return rsvd;
}

static unsigned int index_of(const struct walk *w, u64 la, unsigned int level)
{
	if (w->mode == WALK_2LEVEL)
		return (la >> (12 + 10 * (level - 1))) & 1023;
	if (w->mode == WALK_PAE && level == 3)
		return (la >> 30) & 3;
	return (la >> (12 + 9 * (level - 1))) & 511;
}

/* Read the entry at @gpa (4 or 8 bytes) through the EPT, as the CPU's walk does. */
static int read_entry(struct vcpu *v, u64 gpa, bool wide, u64 *e)
{
	paddr_t hpa;

	if (arch_gpa_to_hpa(v->domain, gpa, false, &hpa))
		return -ENXIO;
	if (wide)
		*e = __atomic_load_n((u64 *)paddr_to_virt(hpa), __ATOMIC_RELAXED);
	else
		*e = __atomic_load_n((u32 *)paddr_to_virt(hpa), __ATOMIC_RELAXED);
	return 0;
}

/*
 * Set the accessed flags of the entries used and the dirty flag of the leaf (for a write), each
 * only if the entry still holds what the walk read. False if one changed: walk again.
 */
static bool set_accessed_dirty(struct vcpu *v, const struct walk *w, bool write)
{
	for (unsigned int i = 0; i < w->n; i++) {
		u64 want = w->entry[i] | PTE_A;
		paddr_t hpa;

		if (w->mode == WALK_PAE && i == 0)
			continue; /* PDPTEs have no accessed flag */
		if (write && i == w->n - 1)
			want |= PTE_D;
		if (want == w->entry[i])
			continue;
		if (arch_gpa_to_hpa(v->domain, w->entry_gpa[i], true, &hpa))
			continue; /* tables the guest cannot write: leave the flags alone */
		if (w->mode == WALK_2LEVEL) {
			u32 old = (u32)w->entry[i];

			if (!__atomic_compare_exchange_n((u32 *)paddr_to_virt(hpa), &old, (u32)want,
							 false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				return false;
		} else {
			u64 old = w->entry[i];

			if (!__atomic_compare_exchange_n((u64 *)paddr_to_virt(hpa), &old, want,
							 false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				return false;
		}
	}
	return true;
}

/* May an access of kind @acc, @priv go through a translation with these combined rights? */
static bool allowed(struct vcpu *v, const struct walk *w, enum guest_access acc,
		    enum guest_priv priv, bool user_page, bool writable, bool executable)
{
	if (priv == GUEST_USER) {
		if (!user_page)
			return false;
		return acc == GUEST_WRITE ? writable : acc == GUEST_FETCH ? executable : true;
	}
	if (acc == GUEST_FETCH)
		return executable && !(user_page && (w->cr4 & CR4_SMEP));
	if (user_page && (w->cr4 & CR4_SMAP) &&
	    (priv == GUEST_IMPLICIT || !(hvm_ops->get_reg(v, HVM_REG_RFLAGS) & X86_EFLAGS_AC)))
		return false;
	return acc != GUEST_WRITE || writable || !(w->cr0 & CR0_WP);
}

static u32 error_code(const struct walk *w, enum guest_access acc, enum guest_priv priv)
{
	u32 pfec = 0;

	if (acc == GUEST_WRITE)
		pfec |= PFEC_WRITE;
	if (priv == GUEST_USER)
		pfec |= PFEC_USER;
	/* I/D is reported only where fetches can fault for their own reasons: NX or SMEP. */
	if (acc == GUEST_FETCH && ((w->cr4 & CR4_SMEP) || (w->mode != WALK_2LEVEL && w->nx)))
		pfec |= PFEC_INSN;
	return pfec;
}

/* One walk from @table; -EAGAIN when an entry changed before its A/D flags could be set. */
static int walk_once(struct vcpu *v, struct walk *w, u64 table, u64 la, enum guest_access acc,
		     enum guest_priv priv, u64 *gpa, u32 *pfec)
{
	bool user_page = true, writable = true, executable = true;
	bool wide = w->mode != WALK_2LEVEL;
	u64 e = 0, page_mask = 0;

	w->n = 0;
	for (unsigned int level = w->levels; level >= 1; level--) {
		u64 at = table + (u64)index_of(w, la, level) * (wide ? 8 : 4);
		bool ps;

		if (read_entry(v, at, wide, &e))
			return -ENXIO;
		w->entry_gpa[w->n] = at;
		w->entry[w->n++] = e;
		*pfec = error_code(w, acc, priv);
		if (!(e & PTE_P))
			return -EFAULT;
		ps = level == 2 ? (e & PTE_PS) && (w->mode != WALK_2LEVEL || w->pse)
				: level == 3 && w->mode == WALK_LONG && (e & PTE_PS);
		if (e & reserved_bits(w, level, ps)) {
			*pfec |= PFEC_PRESENT | PFEC_RSVD;
			return -EFAULT;
		}
		if (!(w->mode == WALK_PAE && level == 3)) { /* PDPTEs carry no rights */
			user_page &= !!(e & PTE_US);
			writable &= !!(e & PTE_RW);
			executable &= !(w->nx && (e & PTE_NX));
		}
		if (level == 1 || ps) {
			page_mask = (1ULL << (12 + (wide ? 9 : 10) * (level - 1))) - 1;
			break;
		}
		table = e & (wide ? PTE_ADDR_MASK : 0xfffff000ULL);
	}
	if (!allowed(v, w, acc, priv, user_page, writable, executable)) {
		*pfec |= PFEC_PRESENT;
		return -EFAULT;
	}
	if (!set_accessed_dirty(v, w, acc == GUEST_WRITE))
		return -EAGAIN;
	if (w->mode == WALK_2LEVEL && page_mask > 0xfff) /* 4 MiB: bits 39:32 in 20:13 */
		*gpa = (e & 0xffc00000ULL) | (((e >> 13) & 0xff) << 32) | (la & page_mask);
	else
		*gpa = (e & (wide ? PTE_ADDR_MASK : 0xfffff000ULL) & ~page_mask) | (la & page_mask);
	return 0;
}

int guest_walk(struct vcpu *v, u64 la, enum guest_access acc, enum guest_priv priv, u64 *gpa,
	       u32 *pfec)
{
	u64 cr0 = hvm_ops->get_cr(v, 0), cr3 = hvm_ops->get_cr(v, 3), cr4 = hvm_ops->get_cr(v, 4);
	u64 efer = hvm_ops->get_efer(v), table;
	struct walk w = {0};
	int rc = -EAGAIN;

	*pfec = 0;
	if (!(cr0 & CR0_PG)) {
		*gpa = la & 0xffffffffULL;
		return 0;
	}
	guest_paging_features(v, &w.paddr_bits, &w.page_1g);
	w.cr0 = cr0;
	w.cr4 = cr4;
	w.nx = (efer & EFER_NXE) && (cr4 & CR4_PAE);
	w.pse = cr4 & CR4_PSE;
	if (efer & EFER_LMA) {
		unsigned int va_bits = (cr4 & CR4_LA57) ? 57 : 48;

		if ((u64)((s64)(la << (64 - va_bits)) >> (64 - va_bits)) != la)
			return -EINVAL;
		w.mode = WALK_LONG;
		w.levels = (cr4 & CR4_LA57) ? 5 : 4;
		table = cr3 & PTE_ADDR_MASK;
	} else if (cr4 & CR4_PAE) {
		w.mode = WALK_PAE;
		w.levels = 3;
		table = cr3 & 0xffffffe0ULL;
		la &= 0xffffffffULL;
	} else {
		w.mode = WALK_2LEVEL;
		w.levels = 2;
		table = cr3 & 0xfffff000ULL;
		la &= 0xffffffffULL;
	}
	for (unsigned int i = 0; i < A_D_RETRIES && rc == -EAGAIN; i++)
		rc = walk_once(v, &w, table, la, acc, priv, gpa, pfec);
	return rc;
}
