/* VMCS set-up: per-vCPU control fields, host state for this CPU, the PVH entry guest state. */
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/hvm_emul.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/vlapic.h>
#include <asm/vmx_internal.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/string.h>
#include <keel/vcpu.h>

extern char vmx_exit_entry[];
extern struct desc_ptr idt_descriptor;

static u8 *msr_bitmap, *msr_bitmap_apicv;
static paddr_t msr_bitmap_pa, msr_bitmap_apicv_pa;

/* MSRs the guest reads and writes directly: their values live in the VMCS or are swapped. */
static const u32 passthrough_msrs[] = {
    MSR_SYSENTER_CS, MSR_SYSENTER_ESP,	 MSR_SYSENTER_EIP, /* VMCS guest state */
    MSR_STAR,	     MSR_LSTAR,		 MSR_CSTAR,	   /* swapped by Keel */
    MSR_SFMASK,	     MSR_KERNEL_GS_BASE,		   /* swapped by Keel */
    MSR_FS_BASE,     MSR_GS_BASE,			   /* VMCS guest state */
};

static void msr_bitmap_allow(u8 *bitmap, u32 msr, bool read, bool write)
{
	u32 base = msr >= 0xc0000000 ? 1024 : 0;
	u32 bit = msr & 0x1fff;

	if (read)
		bitmap[base + bit / 8] &= (u8) ~(1u << (bit % 8));
	if (write)
		bitmap[2048 + base + bit / 8] &= (u8) ~(1u << (bit % 8));
}

int vmx_msr_bitmap_init(void)
{
	if (msr_bitmap)
		return 0;
	msr_bitmap = frame_alloc_zeroed_page();
	if (!msr_bitmap)
		return -ENOMEM;
	memset(msr_bitmap, 0xff, PAGE_SIZE);
	for (unsigned int i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		msr_bitmap_allow(msr_bitmap, passthrough_msrs[i], true, true);
	msr_bitmap_pa = virt_to_paddr(msr_bitmap);
	if (vmx_cfg.apicv_proc2) {
		/* Only for vCPUs with virtualized x2APIC MSRs: elsewhere they would reach the CPU's. */
		msr_bitmap_apicv = frame_alloc_zeroed_page();
		if (!msr_bitmap_apicv)
			return -ENOMEM;
		memcpy(msr_bitmap_apicv, msr_bitmap, PAGE_SIZE);
		for (u32 msr = APIC_X2APIC_MSR; msr <= APIC_X2APIC_MSR + 0xff; msr++)
			msr_bitmap_allow(msr_bitmap_apicv, msr, vlapic_page_msr_read_direct(msr),
					 vlapic_page_msr_write_direct(msr));
		msr_bitmap_apicv_pa = virt_to_paddr(msr_bitmap_apicv);
	}
	return 0;
}

paddr_t vmx_msr_bitmap_pa(bool apicv)
{
	BUG_ON(apicv && !msr_bitmap_apicv);
	return apicv ? msr_bitmap_apicv_pa : msr_bitmap_pa;
}

/* Host state that differs per physical CPU; rewritten whenever a VMCS is loaded here. */
void vmx_load_host_state(void)
{
	struct percpu *p = this_cpu();

	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_GS_BASE, (u64)p);
	vmwrite(VMCS_HOST_TR_BASE, (u64)&p->tss);
	vmwrite(VMCS_HOST_GDTR_BASE, (u64)&p->gdt);
}

static void setup_host_constant(void)
{
	vmwrite(VMCS_HOST_CS_SEL, SEL_KCODE);
	vmwrite(VMCS_HOST_SS_SEL, SEL_KDATA);
	vmwrite(VMCS_HOST_DS_SEL, SEL_KDATA);
	vmwrite(VMCS_HOST_ES_SEL, SEL_KDATA);
	vmwrite(VMCS_HOST_FS_SEL, 0);
	vmwrite(VMCS_HOST_GS_SEL, 0);
	vmwrite(VMCS_HOST_TR_SEL, SEL_TSS);
	vmwrite(VMCS_HOST_FS_BASE, 0);
	vmwrite(VMCS_HOST_IDTR_BASE, idt_descriptor.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, 0);
	vmwrite(VMCS_HOST_SYSENTER_ESP, 0);
	vmwrite(VMCS_HOST_SYSENTER_EIP, 0);
	vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	vmwrite(VMCS_HOST_RIP, (u64)vmx_exit_entry);
}

static void setup_controls(struct vcpu *v, struct vmx_vcpu *x)
{
	vmwrite(VMCS_PIN_CTLS, vmx_cfg.pin);
	vmwrite(VMCS_PROC_CTLS, vmx_cfg.proc);
	vmwrite(VMCS_PROC_CTLS2, vmx_cfg.proc2);
	vmwrite(VMCS_EXIT_CTLS, vmx_cfg.exit);
	vmwrite(VMCS_ENTRY_CTLS, vmx_cfg.entry);
	vmwrite(VMCS_EXCEPTION_BITMAP, (1u << 6) | (1u << 18)); /* #UD (vmmcall), #MC */
	vmwrite(VMCS_PF_ERR_MASK, 0);
	vmwrite(VMCS_PF_ERR_MATCH, 0);
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_STORE_CNT, 0);
	vmwrite(VMCS_EXIT_MSR_LOAD_CNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LOAD_CNT, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vmwrite(VMCS_MSR_BITMAP, msr_bitmap_pa);
	vmwrite(VMCS_EPTP, v->domain->arch.eptp);
	vmwrite(VMCS_VPID, x->vpid);
	vmwrite(VMCS_TSC_OFFSET, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ULL);
	/* CR0/CR4 bits Keel owns: the guest sees its shadow, writes to them exit. */
	vmwrite(VMCS_CR0_MASK, CR0_PE | CR0_PG | (1UL << 5) | (1UL << 29) | (1UL << 30));
	/*
	 * CR4: Keel vets every bit against the domain's CPUID (hvm_cr4_check); only the ones that
	 * are always safe once offered (PGE, TSD, PCE) are the guest's to write without an exit.
	 */
	vmwrite(VMCS_CR4_MASK,
		~(hvm_cr4_guest_owned(v) & vmx_cfg.cr4_fixed1 & ~vmx_cfg.cr4_fixed0));
}

static void set_segment(u32 sel_field, u16 sel, u64 base, u32 limit, u32 ar)
{
	/* Field encodings of one segment are at fixed distances from its selector field. */
	u32 idx = (sel_field - VMCS_GUEST_ES_SEL) / 2;

	vmwrite(sel_field, sel);
	vmwrite(VMCS_GUEST_ES_BASE + idx * 2, base);
	vmwrite(VMCS_GUEST_ES_LIMIT + idx * 2, limit);
	vmwrite(VMCS_GUEST_ES_AR + idx * 2, ar);
}

/*
 * Make @x's VMCS current to edit it, remembering what was current (an exit handler may be
 * editing another vCPU's VMCS while its own is loaded). vmcs_edit_end() clears it and restores.
 */
static paddr_t vmcs_edit_begin(struct vmx_vcpu *x)
{
	paddr_t prev = vmptrst();

	BUG_ON(vmptrld(x->vmcs_pa));
	return prev;
}

static void vmcs_edit_end(struct vmx_vcpu *x, paddr_t prev)
{
	BUG_ON(vmclear(x->vmcs_pa));
	if (prev != ~0ULL && prev != x->vmcs_pa)
		BUG_ON(vmptrld(prev));
}

/* The PVH entry state: 32-bit protected mode, paging off, flat segments, EBX = start info. */
void vmx_set_pvh_entry(struct vcpu *v, u32 entry, u32 ebx)
{
	struct vmx_vcpu *x = v->arch.vendor;
	paddr_t prev = vmcs_edit_begin(x);

	x->cr0_shadow = CR0_PE | (1UL << 4); /* PE, ET */
	x->cr4_shadow = 0;
	vmwrite(VMCS_CR0_SHADOW, x->cr0_shadow);
	vmwrite(VMCS_CR4_SHADOW, x->cr4_shadow);
	vmwrite(VMCS_GUEST_CR0,
		(x->cr0_shadow | (vmx_cfg.cr0_fixed0 & ~(CR0_PE | CR0_PG))) & vmx_cfg.cr0_fixed1);
	vmwrite(VMCS_GUEST_CR4, vmx_cfg.cr4_fixed0 | GUEST_CR4_KEEL);
	vmwrite(VMCS_GUEST_CR3, 0);
	vmwrite(VMCS_GUEST_EFER, 0);
	vmwrite(VMCS_ENTRY_CTLS, vmx_cfg.entry);
	set_segment(VMCS_GUEST_CS_SEL, 0x08, 0, 0xffffffff, 0xc09b);
	set_segment(VMCS_GUEST_DS_SEL, 0x10, 0, 0xffffffff, 0xc093);
	set_segment(VMCS_GUEST_ES_SEL, 0x10, 0, 0xffffffff, 0xc093);
	set_segment(VMCS_GUEST_SS_SEL, 0x10, 0, 0xffffffff, 0xc093);
	set_segment(VMCS_GUEST_FS_SEL, 0x10, 0, 0xffffffff, 0xc093);
	set_segment(VMCS_GUEST_GS_SEL, 0x10, 0, 0xffffffff, 0xc093);
	set_segment(VMCS_GUEST_TR_SEL, 0x18, 0, 0x67, 0x8b);
	set_segment(VMCS_GUEST_LDTR_SEL, 0, 0, 0, 0x10000); /* unusable */
	vmwrite(VMCS_GUEST_GDTR_BASE, 0);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, 0);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0);
	vmwrite(VMCS_GUEST_RIP, entry);
	vmwrite(VMCS_GUEST_RSP, 0);
	vmwrite(VMCS_GUEST_RFLAGS, 0x2);
	vmx_debug_reset(v); /* DR7 0x400, DEBUGCTL 0, DR0-DR3 not yet the guest's */
	vmwrite(VMCS_GUEST_PAT, HVM_PAT_POWER_ON);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	memset(&v->arch.gprs, 0, sizeof(v->arch.gprs));
	v->arch.gprs.rbx = ebx;
	x->launched = false;
	vmcs_edit_end(x, prev);
}

/*
 * The state INIT leaves and a SIPI completes: real mode, CS = vector << 8 (base vector << 12),
 * IP 0, 64 KiB segments, CR0 = CD|NW|ET (caching stays on in the real register), EFER 0.
 * Unrestricted guest runs it as it is.
 */
void vmx_set_sipi_entry(struct vcpu *v, u8 vector)
{
	struct vmx_vcpu *x = v->arch.vendor;
	paddr_t prev = vmcs_edit_begin(x);

	x->cr0_shadow = CR0_CD | CR0_NW | (1UL << 4);
	x->cr4_shadow = 0;
	vmwrite(VMCS_CR0_SHADOW, x->cr0_shadow);
	vmwrite(VMCS_CR4_SHADOW, x->cr4_shadow);
	vmwrite(VMCS_GUEST_CR0,
		((1UL << 4) | (vmx_cfg.cr0_fixed0 & ~(CR0_PE | CR0_PG))) & vmx_cfg.cr0_fixed1);
	vmwrite(VMCS_GUEST_CR4, vmx_cfg.cr4_fixed0 | GUEST_CR4_KEEL);
	vmwrite(VMCS_GUEST_CR3, 0);
	vmwrite(VMCS_GUEST_EFER, 0);
	vmwrite(VMCS_ENTRY_CTLS, vmx_cfg.entry);
	set_segment(VMCS_GUEST_CS_SEL, (u16)(vector << 8), (u64)vector << 12, 0xffff, 0x9b);
	set_segment(VMCS_GUEST_DS_SEL, 0, 0, 0xffff, 0x93);
	set_segment(VMCS_GUEST_ES_SEL, 0, 0, 0xffff, 0x93);
	set_segment(VMCS_GUEST_SS_SEL, 0, 0, 0xffff, 0x93);
	set_segment(VMCS_GUEST_FS_SEL, 0, 0, 0xffff, 0x93);
	set_segment(VMCS_GUEST_GS_SEL, 0, 0, 0xffff, 0x93);
	set_segment(VMCS_GUEST_TR_SEL, 0, 0, 0xffff, 0x8b);
	set_segment(VMCS_GUEST_LDTR_SEL, 0, 0, 0, 0x10000); /* unusable */
	vmwrite(VMCS_GUEST_GDTR_BASE, 0);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_RIP, 0);
	vmwrite(VMCS_GUEST_RSP, 0);
	vmwrite(VMCS_GUEST_RFLAGS, 0x2);
	vmx_debug_reset(v);
	vmwrite(VMCS_GUEST_PAT, 0x0007040600070406ULL);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	memset(&v->arch.gprs, 0, sizeof(v->arch.gprs));
	x->launched = false;
	vmcs_edit_end(x, prev);
}

int vmx_vcpu_init(struct vcpu *v)
{
	struct vmx_vcpu *x;
	u32 *vmcs;
	paddr_t prev;
	int rc;

	BUG_ON(!msr_bitmap);
	x = frame_alloc_zeroed_page();
	vmcs = frame_alloc_zeroed_page();
	if (!x || !vmcs || vpid_alloc(&x->vpid)) {
		if (x)
			frame_free(virt_to_paddr(x), 0);
		if (vmcs)
			frame_free(virt_to_paddr(vmcs), 0);
		return -ENOMEM;
	}
	BUILD_BUG_ON(sizeof(*x) > PAGE_SIZE);
	vmcs[0] = vmx_cfg.revision;
	x->last_cpu = -1;
	x->vmcs = vmcs;
	x->vmcs_pa = virt_to_paddr(vmcs);
	v->arch.vendor = x;
	BUG_ON(vmclear(x->vmcs_pa));
	prev = vmcs_edit_begin(x);
	setup_controls(v, x);
	setup_host_constant();
	rc = vmx_apicv_vcpu_init(x);
	vmcs_edit_end(x, prev);
	if (rc) {
		vmx_vcpu_destroy(v);
		return rc;
	}
	return 0;
}

void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.vendor;

	if (!x)
		return;
	vmclear(x->vmcs_pa);
	vpid_free(x->vpid); /* reused only after every CPU has flushed it */
	vmx_apicv_vcpu_destroy(x);
	frame_free(x->vmcs_pa, 0);
	frame_free(virt_to_paddr(x), 0);
	v->arch.vendor = NULL;
}
