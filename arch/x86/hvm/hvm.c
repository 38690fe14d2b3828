/* Choosing the virtualization backend at boot (VT-x today; SVM slots in here) and enabling it. */
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/vmx_internal.h>
#include <keel/errno.h>
#include <keel/printk.h>

const struct hvm_vendor_ops *hvm_ops;
bool hvm_available;

bool hvm_init(void)
{
	struct cpuid_regs r;

	cpuid(0, &r);
	/* "GenuineIntel": VT-x. An AMD SVM backend will be chosen for "AuthenticAMD". */
	if (r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e) {
		if (vmx_probe() == 0)
			hvm_ops = &vmx_ops;
	} else {
		pr_err("hvm: not an Intel CPU; Keel has only a VT-x backend so far: no guests");
	}
	hvm_available = hvm_ops != NULL;
	return hvm_available;
}

int hvm_cpu_enable(void)
{
	if (!hvm_ops)
		return -ENODEV;
	return hvm_ops->cpu_enable();
}
