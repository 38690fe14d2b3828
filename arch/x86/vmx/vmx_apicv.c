/* VT-x APIC virtualization of a vLAPIC in x2APIC mode: virtual-APIC page, virtual-interrupt delivery. */
#include <asm/vlapic.h>
#include <asm/vmx_internal.h>
#include <keel/cmdline.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/vcpu.h>

static bool opt_apicv = true;
KEEL_PARAM_BOOL(
    apicv, opt_apicv,
    "use the CPU's APIC virtualization for guests' x2APIC (off: plain vLAPIC emulation)");

/*
 * dom0 (the domain with the host's device interrupts) runs its vLAPIC on the plain path unless
 * asked: with APIC virtualization a 2-vCPU Linux dom0 stalled for good in 2 of 5 boots in Bochs
 * (during its late initcalls, both vCPUs still taking interrupts), and never in 3 of 3 without.
 * The same stall as `apicv_upcall`'s; the cause is not found yet (docs/dom0-boot.md).
 */
static bool opt_apicv_dom0;
KEEL_PARAM_BOOL(apicv_dom0, opt_apicv_dom0,
		"APIC virtualization with a virtual IO-APIC too (dom0 stalls now and then)");

/*
 * What it takes: the TPR shadow (the virtual-APIC page), virtualized x2APIC MSRs with reads
 * served from the page, and virtual-interrupt delivery (IRR/ISR/EOI in the page and RVI/SVI).
 * The EOI-exit bitmap stays clear for domains without a virtual IO-APIC (every vLAPIC interrupt
 * is edge-triggered) and is all ones for those with one, dom0 and the domains given GSIs (their
 * level-triggered device interrupts need the EOI); those run without it unless `apicv_dom0`. Posted interrupts
 * are not used: other CPUs set IRR bits in struct vlapic and kick, the owner moves them into
 * the page before its next entry.
 */
#define APICV_PROC  PROC_TPR_SHADOW
#define APICV_PROC2 (PROC2_VIRT_X2APIC | PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIV)

void vmx_apicv_probe(u32 pin_may1, u32 proc_may1, u32 proc2_may1)
{
	bool has = (proc_may1 & APICV_PROC) == APICV_PROC &&
		   (proc2_may1 & APICV_PROC2) == APICV_PROC2 && (vmx_cfg.pin & PIN_EXT_INT_EXITING);

	if (has && opt_apicv) {
		vmx_cfg.apicv_proc = APICV_PROC;
		vmx_cfg.apicv_proc2 = APICV_PROC2;
		pr_info("vmx: vLAPIC path: APICv (x2APIC mode: virtual-interrupt delivery, "
			"APIC-register virtualization; posted interrupts %s; xAPIC mode emulated)",
			(pin_may1 & PIN_POSTED_INTR) ? "available but not used" : "absent");
	} else {
		vmx_cfg.apicv_proc = vmx_cfg.apicv_proc2 = 0;
		pr_info("vmx: vLAPIC path: plain emulation (%s)",
			has ? "apicv=off"
			    : "the CPU lacks TPR shadow, x2APIC or interrupt virtualization");
	}
}

int vmx_apicv_vcpu_init(struct vmx_vcpu *x)
{
	if (!vmx_cfg.apicv_proc2)
		return 0;
	x->vapic_page = frame_alloc_zeroed_page();
	if (!x->vapic_page)
		return -ENOMEM;
	vmwrite(VMCS_VIRTUAL_APIC_ADDR, virt_to_paddr(x->vapic_page));
	vmwrite(VMCS_TPR_THRESHOLD, 0);
	for (unsigned int i = 0; i < 4; i++)
		vmwrite(VMCS_EOI_EXIT_BITMAP0 + i * 2, 0);
	vmwrite(VMCS_GUEST_INTR_STATUS, 0);
	x->apicv_on = false;
	return 0;
}

void vmx_apicv_vcpu_destroy(struct vmx_vcpu *x)
{
	if (x->vapic_page)
		frame_free(virt_to_paddr(x->vapic_page), 0);
	x->vapic_page = NULL;
}

static void set_controls(bool on)
{
	u64 proc = vmread(VMCS_PROC_CTLS), proc2 = vmread(VMCS_PROC_CTLS2);

	if (on) {
		proc |= vmx_cfg.apicv_proc;
		proc2 |= vmx_cfg.apicv_proc2;
	} else {
		proc &= ~(u64)vmx_cfg.apicv_proc;
		proc2 &= ~(u64)vmx_cfg.apicv_proc2;
	}
	vmwrite(VMCS_PROC_CTLS, proc);
	vmwrite(VMCS_PROC_CTLS2, proc2);
	vmwrite(VMCS_MSR_BITMAP, vmx_msr_bitmap_pa(on));
}

/* Does @v's APIC virtualization match its vLAPIC's mode (nothing for vmx_apicv_update to switch)? */
static bool apicv_wanted(const struct vmx_vcpu *x, const struct vlapic *l)
{
	return x->vapic_page && l && (l->apic_base & APIC_BASE_EN) && vlapic_x2apic(l) &&
	       (opt_apicv_dom0 || !l->v->domain->arch.vioapic);
}

bool vmx_apicv_settled(const struct vcpu *v)
{
	const struct vmx_vcpu *x = v->arch.vendor;
	const struct vlapic *l = v->arch.vlapic;

	return x->apicv_on == apicv_wanted(x, l) && (!x->apicv_on || l->vapic == x->vapic_page);
}

void vmx_apicv_update(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.vendor;
	struct vlapic *l = v->arch.vlapic;
	bool want = apicv_wanted(x, l);
	u64 status, rvi;
	int vec;

	/* Off when the mode left x2APIC, or when a reset took the registers back (l->vapic). */
	if (x->apicv_on && (!want || l->vapic != x->vapic_page)) {
		vlapic_page_unload(l);
		set_controls(false);
		x->apicv_on = false;
	}
	if (!want)
		return;
	if (!x->apicv_on) {
		vlapic_page_load(l, x->vapic_page);
		vec = vlapic_page_highest(x->vapic_page, APIC_ISR);
		vmwrite(VMCS_GUEST_INTR_STATUS, vec < 0 ? 0 : (u64)vec << 8); /* SVI */
		/* Level-triggered device interrupts need the guest's EOIs: they exit (vioapic.c). */
		for (unsigned int i = 0; i < 4; i++)
			vmwrite(VMCS_EOI_EXIT_BITMAP0 + i * 2, v->domain->arch.vioapic ? ~0ULL : 0);
		set_controls(true);
		x->apicv_on = true;
	}
	vec = vlapic_page_merge_irr(l, x->vapic_page);
	rvi = vec < 0 ? 0 : (u64)vec;
	status = vmread(VMCS_GUEST_INTR_STATUS);
	if ((status & 0xff) != rvi)
		vmwrite(VMCS_GUEST_INTR_STATUS, (status & 0xff00) | rvi);
}

void vmx_apicv_after_msr_write(struct vcpu *v, u32 msr)
{
	struct vmx_vcpu *x = v->arch.vendor;

	if (x->apicv_on && v->arch.vlapic->vapic && msr >= APIC_X2APIC_MSR &&
	    msr <= APIC_X2APIC_MSR + 0xff)
		vlapic_page_mirror(v->arch.vlapic, x->vapic_page);
}

/*
 * Offering the per-vCPU upcall vector (acknowledged by an EOI, exitless here) waits on a known
 * bug: a 2-vCPU Linux taking its events that way under APICv stalls during boot (a lost event,
 * not yet found), while 1 vCPU runs. Until then guests get the callback vector, which needs no
 * EOI at all; `apicv_upcall` offers the vector anyway, to test and chase it.
 */
static bool opt_apicv_upcall;
KEEL_PARAM_BOOL(apicv_upcall, opt_apicv_upcall,
		"with APICv, offer guests the per-vCPU upcall vector (CPUID 0x40000004 bit 6)");

bool vmx_eoi_exitless(struct vcpu *v)
{
	const struct vmx_vcpu *x = v->arch.vendor;

	/* In x2APIC mode, the one Linux runs its LAPIC in; xAPIC-mode EOIs still exit (MMIO). */
	return opt_apicv_upcall && x && x->vapic_page;
}
