/* Host-test shim for guest memory access: vendor ops with settable CRs, fake guest RAM and EPT. */
#include <asm/hvm.h>
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

u8 *shim_gram;
u64 shim_guest_cr0, shim_guest_cr3, shim_guest_cr4, shim_guest_efer;
u8 shim_ept_perm[SHIM_GRAM_SIZE >> 12];

void shim_guest_reset(void)
{
	if (!shim_gram)
		shim_gram = aligned_alloc(4096, SHIM_GRAM_SIZE);
	assert_non_null(shim_gram);
	memset(shim_gram, 0, SHIM_GRAM_SIZE);
	memset(shim_ept_perm, 0, sizeof(shim_ept_perm));
	shim_guest_cr0 = shim_guest_cr3 = shim_guest_cr4 = shim_guest_efer = 0;
}

static u64 fake_get_cr(struct vcpu *v, int cr)
{
	assert_non_null(v);
	switch (cr) {
	case 0:
		return shim_guest_cr0;
	case 3:
		return shim_guest_cr3;
	case 4:
		return shim_guest_cr4;
	default:
		fail_msg("get_cr(%d) not expected", cr);
		return 0;
	}
}

static u64 fake_get_efer(struct vcpu *v)
{
	assert_non_null(v);
	return shim_guest_efer;
}

static const struct hvm_vendor_ops fake_ops = {
    .name = "fake",
    .get_cr = fake_get_cr,
    .get_efer = fake_get_efer,
};
const struct hvm_vendor_ops *hvm_ops = &fake_ops;

/* Guest-physical reads with no paging: RAM is [0, SHIM_GRAM_SIZE), nothing else. */
int domain_copy_from_gpa(struct domain *d, void *dst, u64 gpa, size_t len)
{
	assert_non_null(d);
	if (gpa >= SHIM_GRAM_SIZE || len > SHIM_GRAM_SIZE - gpa)
		return -EFAULT;
	memcpy(dst, shim_gram + gpa, len);
	return 0;
}

/* The "EPT": per-page permissions from shim_ept_perm. */
int arch_gpa_to_hpa(struct domain *d, u64 gpa, bool write, paddr_t *hpa)
{
	assert_non_null(d);
	if (gpa >= SHIM_GRAM_SIZE || shim_ept_perm[gpa >> 12] == 2 ||
	    (write && shim_ept_perm[gpa >> 12] == 1))
		return -EFAULT;
	*hpa = SHIM_GRAM_HPA_BASE + gpa;
	return 0;
}

void *paddr_to_virt(paddr_t pa)
{
	if (pa < SHIM_GRAM_HPA_BASE || pa - SHIM_GRAM_HPA_BASE >= SHIM_GRAM_SIZE)
		fail_msg("paddr_to_virt(%#llx): not guest RAM", (unsigned long long)pa);
	return shim_gram + (pa - SHIM_GRAM_HPA_BASE);
}
