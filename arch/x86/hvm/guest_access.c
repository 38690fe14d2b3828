/* Guest virtual memory access for hypercall arguments: walks the guest's own page tables. */
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/mm.h>
#include <keel/string.h>
#include <keel/vcpu.h>

#define CR0_PG_BIT  (1ULL << 31)
#define CR0_WP_BIT  (1ULL << 16)
#define CR4_PSE_BIT (1ULL << 4)
#define CR4_PAE_BIT (1ULL << 5)
#define EFER_LMA    (1ULL << 10)
#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE   (1ULL << 1)
#define PTE_LARGE   (1ULL << 7)
#define ADDR_MASK   0x000ffffffffff000ULL

static int read_gpa_u64(struct domain *d, u64 gpa, u64 *val)
{
	return domain_copy_from_gpa(d, val, gpa, sizeof(*val));
}

static int read_gpa_u32(struct domain *d, u64 gpa, u64 *val)
{
	u32 v32;
	int rc = domain_copy_from_gpa(d, &v32, gpa, sizeof(v32));

	*val = v32;
	return rc;
}

/* 4-level (long mode) or 3-level (PAE) walk. CR0.WP is honoured for writes. */
static int walk_64(struct vcpu *v, u64 cr3, u64 gva, bool write, int levels, u64 *gpa)
{
	u64 table = cr3 & ADDR_MASK;

	if (levels == 3)
		table = cr3 & 0xffffffe0ULL;
	for (int l = levels; l >= 1; l--) {
		unsigned int shift = 12 + 9 * (l - 1);
		u64 idx = levels == 3 && l == 3 ? (gva >> 30) & 3 : (gva >> shift) & 511;
		u64 e;

		if (read_gpa_u64(v->domain, table + idx * 8, &e) || !(e & PTE_PRESENT))
			return -EFAULT;
		/* PAE's PDPTEs have no R/W bit; every other level's must allow a write. */
		if (write && !(e & PTE_WRITE) && !(levels == 3 && l == 3))
			return -EFAULT;
		if (l > 1 && l < 4 && (e & PTE_LARGE)) {
			u64 size = 1ULL << shift;

			*gpa = (e & ADDR_MASK & ~(size - 1)) | (gva & (size - 1));
			return 0;
		}
		table = e & ADDR_MASK;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

/* Legacy 2-level 32-bit walk (4 MiB pages with CR4.PSE). */
static int walk_32(struct vcpu *v, u64 cr3, u64 gva, bool write, bool pse, u64 *gpa)
{
	u64 pde, pte;

	if (read_gpa_u32(v->domain, (cr3 & 0xfffff000ULL) + ((gva >> 22) & 1023) * 4, &pde) ||
	    !(pde & PTE_PRESENT) || (write && !(pde & PTE_WRITE)))
		return -EFAULT;
	if (pse && (pde & PTE_LARGE)) {
		*gpa = (pde & 0xffc00000ULL) | (gva & 0x3fffff);
		return 0;
	}
	if (read_gpa_u32(v->domain, (pde & 0xfffff000ULL) + ((gva >> 12) & 1023) * 4, &pte) ||
	    !(pte & PTE_PRESENT) || (write && !(pte & PTE_WRITE)))
		return -EFAULT;
	*gpa = (pte & 0xfffff000ULL) | (gva & 0xfff);
	return 0;
}

int guest_virt_to_phys(struct vcpu *v, u64 gva, bool write, u64 *gpa)
{
	u64 cr0 = hvm_ops->get_cr(v, 0), cr4 = hvm_ops->get_cr(v, 4), cr3 = hvm_ops->get_cr(v, 3);

	/* Keel writes as the guest kernel would: read-only pages stop it only with CR0.WP. */
	write = write && (cr0 & CR0_WP_BIT);
	if (!(cr0 & CR0_PG_BIT)) {
		*gpa = gva & 0xffffffffULL;
		return 0;
	}
	if (hvm_ops->get_efer(v) & EFER_LMA) {
		/* Non-canonical addresses never translate. */
		if ((u64)((s64)(gva << 16) >> 16) != gva)
			return -EFAULT;
		return walk_64(v, cr3, gva, write, 4, gpa);
	}
	if (cr4 & CR4_PAE_BIT)
		return walk_64(v, cr3, gva & 0xffffffffULL, write, 3, gpa);
	return walk_32(v, cr3, gva & 0xffffffffULL, write, cr4 & CR4_PSE_BIT, gpa);
}

/* Copy between @local and guest virtual memory, page by page, in the direction @to_guest says. */
static int copy_guest(struct vcpu *v, u64 gva, u8 *local, size_t len, bool to_guest)
{
	while (len) {
		size_t n = MIN(len, (size_t)(PAGE_SIZE - (gva & (PAGE_SIZE - 1))));
		u64 gpa;
		paddr_t hpa;
		int rc = guest_virt_to_phys(v, gva, to_guest, &gpa);

		/* Through the EPT: what the guest itself would reach, with its permissions. */
		if (rc || arch_gpa_to_hpa(v->domain, gpa, to_guest, &hpa))
			return -EFAULT;
		if (to_guest)
			memcpy(paddr_to_virt(hpa), local, n);
		else
			memcpy(local, paddr_to_virt(hpa), n);
		gva += n;
		len -= n;
		local += n;
	}
	return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, u64 gva, size_t len)
{
	return copy_guest(v, gva, dst, len, false);
}

int copy_to_guest(struct vcpu *v, u64 gva, const void *src, size_t len)
{
	/* Nothing is written through @local in this direction. */
	return copy_guest(v, gva, (u8 *)(uintptr_t)src, len, true);
}
