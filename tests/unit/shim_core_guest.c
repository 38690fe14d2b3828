/* Host-test shim for guest memory access: vendor ops with settable CRs, fake guest RAM and EPT. */
#include <asm/hvm.h>
#include <asm/hvm_emul.h>
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
u64 shim_guest_rflags, shim_guest_rip, shim_guest_rsp;
unsigned int shim_guest_cpl;
unsigned int shim_guest_paddr_bits;
bool shim_guest_page_1g;
static struct segment segs[6];
struct segment *const shim_guest_segs = segs;
u8 shim_ept_perm[SHIM_GRAM_SIZE >> 12];

void shim_guest_reset(void)
{
	if (!shim_gram)
		shim_gram = aligned_alloc(4096, SHIM_GRAM_SIZE);
	assert_non_null(shim_gram);
	memset(shim_gram, 0, SHIM_GRAM_SIZE);
	memset(shim_ept_perm, 0, sizeof(shim_ept_perm));
	shim_guest_cr0 = shim_guest_cr3 = shim_guest_cr4 = shim_guest_efer = 0;
	shim_guest_rflags = 0x2;
	shim_guest_rip = shim_guest_rsp = 0;
	shim_guest_cpl = 0;
	shim_guest_paddr_bits = 46;
	shim_guest_page_1g = true;
	/* Flat 32-bit data segments and a 64-bit code segment (VMX access rights). */
	for (unsigned int i = 0; i < 6; i++)
		shim_guest_segs[i] = (struct segment){0x10, 0xc093, 0xffffffff, 0};
	shim_guest_segs[1] = (struct segment){0x08, 0xa09b, 0xffffffff, 0};
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

static unsigned int fake_get_cpl(struct vcpu *v)
{
	assert_non_null(v);
	return shim_guest_cpl;
}

static u64 *fake_reg(enum hvm_reg reg)
{
	switch (reg) {
	case HVM_REG_RSP:
		return &shim_guest_rsp;
	case HVM_REG_RIP:
		return &shim_guest_rip;
	default:
		return &shim_guest_rflags;
	}
}

static u64 fake_get_reg(struct vcpu *v, enum hvm_reg reg)
{
	assert_non_null(v);
	return *fake_reg(reg);
}

static void fake_set_reg(struct vcpu *v, enum hvm_reg reg, u64 val)
{
	assert_non_null(v);
	*fake_reg(reg) = val;
}

static void fake_get_segment(struct vcpu *v, enum x86_seg seg, struct segment *s)
{
	assert_non_null(v);
	assert_true((unsigned int)seg < 6);
	*s = shim_guest_segs[seg];
}

const struct hvm_vendor_ops shim_guest_ops = {
    .name = "fake",
    .get_cr = fake_get_cr,
    .get_efer = fake_get_efer,
    .get_cpl = fake_get_cpl,
    .get_reg = fake_get_reg,
    .set_reg = fake_set_reg,
    .get_segment = fake_get_segment,
};
const struct hvm_vendor_ops *hvm_ops = &shim_guest_ops;

/* The guest's CPUID as far as page walks ask: MAXPHYADDR and 1 GiB pages. */
void hvm_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, struct cpuid_regs *out)
{
	assert_non_null(v);
	*out = (struct cpuid_regs){0, 0, 0, 0};
	if (leaf == 0x80000000u)
		out->eax = 0x80000008u;
	else if (leaf == 0x80000001u)
		out->edx = shim_guest_page_1g ? 1u << 26 : 0;
	else if (leaf == 0x80000008u)
		out->eax = shim_guest_paddr_bits;
}

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
