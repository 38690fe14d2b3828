/* VT-x on each physical CPU: feature control, fixed CR0/CR4 bits, the VMXON region. */
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/vmx_internal.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>

static paddr_t vmxon_region[MAX_CPUS];

int vmx_cpu_enable(void)
{
	unsigned int cpu = smp_processor_id();
	u64 fc = rdmsr(MSR_FEATURE_CONTROL);
	u64 cr0, cr4;

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		/* Firmware left it open: enable VMXON outside SMX and lock it. */
		wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_VMXON | FEATURE_CONTROL_LOCKED);
	} else if (!(fc & FEATURE_CONTROL_VMXON)) {
		pr_err("vmx: CPU %u: VT-x disabled by firmware", cpu);
		return -ENODEV;
	}
	if (vmx_msr_bitmap_init())
		return -ENOMEM;
	if (!vmxon_region[cpu]) {
		u32 *region = frame_alloc_zeroed_page();

		if (!region)
			return -ENOMEM;
		region[0] = vmx_cfg.revision;
		vmxon_region[cpu] = virt_to_paddr(region);
	}
	cr0 = (read_cr0() | vmx_cfg.cr0_fixed0) & vmx_cfg.cr0_fixed1;
	cr4 = (read_cr4() | vmx_cfg.cr4_fixed0 | CR4_VMXE) & vmx_cfg.cr4_fixed1;
	write_cr0(cr0);
	write_cr4(cr4);
	if (vmxon(vmxon_region[cpu])) {
		pr_err("vmx: CPU %u: VMXON failed", cpu);
		return -EIO;
	}
	/* Nothing may be cached from an earlier life of this CPU. */
	invept_all();
	return 0;
}

void vmx_vmwrite_failed(u64 field, u64 value)
{
	panic("vmx: VMWRITE of field %#llx = %#llx failed (VM-instruction error %llu)", field,
	      value, vmread(VMCS_INSN_ERROR));
}
