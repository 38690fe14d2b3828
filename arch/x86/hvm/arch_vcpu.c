/* The x86 side of domains and vCPUs: forwards arch-neutral requests to the vendor backend. */
#include <asm/apic.h>
#include <asm/debugreg.h>
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <asm/percpu.h>
#include <asm/traps.h>
#include <asm/vioapic.h>
#include <asm/vlapic.h>
#include <asm/xstate.h>
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

bool arch_virt_available(void)
{
	return hvm_available;
}

int arch_domain_init(struct domain *d)
{
	return hvm_domain_devices_init(d) ?: vlapic_domain_init(d) ?: hvm_ops->domain_init(d);
}
void arch_domain_destroy(struct domain *d)
{
	vioapic_domain_destroy(d);
	hvm_dom0_ports_free(d);
	hvm_ops->domain_destroy(d);
}

int arch_map_gpa(struct domain *d, u64 gpa, paddr_t hpa, u64 size, bool writable)
{
	return hvm_ops->map_ram(d, gpa, hpa, size, writable);
}

int arch_unmap_gpa(struct domain *d, u64 gpa, u64 size)
{
	return hvm_ops->unmap(d, gpa, size);
}

int arch_gpa_to_hpa(struct domain *d, u64 gpa, bool write, paddr_t *hpa)
{
	return hvm_ops->gpa_to_hpa(d, gpa, write, hpa);
}

/* Every vCPU has its own extended-state area and debug registers, from reset values. */
int arch_vcpu_init(struct vcpu *v)
{
	int rc = xstate_vcpu_init(v);

	if (rc)
		return rc;
	hvm_dr_reset(v);
	hvm_msr_reset(v);
	rc = vlapic_vcpu_init(v);
	if (rc) {
		xstate_vcpu_destroy(v);
		return rc;
	}
	rc = hvm_ops->vcpu_init(v);
	if (rc) {
		vlapic_vcpu_destroy(v);
		xstate_vcpu_destroy(v);
	}
	return rc;
}
void arch_vcpu_destroy(struct vcpu *v)
{
	hvm_ops->vcpu_destroy(v);
	vlapic_vcpu_destroy(v);
	xstate_vcpu_destroy(v);
}

/* A (re)start at the PVH entry: registers of every kind from their reset values. */
void arch_vcpu_set_pvh_entry(struct vcpu *v, u32 entry, u32 ebx)
{
	xstate_vcpu_reset(v);
	hvm_dr_reset(v);
	hvm_msr_reset(v); /* the vendor resets IA32_PAT with the rest of its guest state */
	hvm_ops->vcpu_set_pvh_entry(v, entry, ebx);
}

/* A start by INIT-SIPI-SIPI: real mode at (@vector << 8):0, registers from reset values. */
void arch_vcpu_set_sipi_entry(struct vcpu *v, u8 vector)
{
	xstate_vcpu_reset(v);
	hvm_dr_reset(v);
	hvm_ops->vcpu_set_sipi_entry(v, vector);
}

bool arch_vcpu_irq_pending(const struct vcpu *v)
{
	/* Only @v's own exit handlers ask (vcpu_block, HLT): its registers are loaded here. */
	struct vcpu *self = (struct vcpu *)v;

	if (!v->arch.vlapic)
		return false;
	return vlapic_irq_pending(self, hvm_ops->get_reg(self, HVM_REG_RFLAGS) & X86_EFLAGS_IF);
}

int arch_set_upcall_vector(struct vcpu *v, u8 vector)
{
	return vlapic_set_upcall_vector(v, vector);
}

enum vcpu_leave arch_vcpu_run(struct vcpu *v, u64 slice_ns)
{
	return hvm_ops->vcpu_run(v, slice_ns);
}

void arch_vcpu_dump(struct vcpu *v)
{
	hvm_ops->vcpu_dump(v);
}

void arch_kick_cpu(unsigned int cpu)
{
	if (cpu < MAX_CPUS && cpu_table[cpu] && cpu != smp_processor_id())
		lapic_send_ipi(cpu_table[cpu]->apic_id, APIC_DM_FIXED, VEC_IPI_KICK);
}

void arch_vcpu_exit_stats(struct vcpu *v, void (*fn)(const char *name, u64 count, void *ctx),
			  void *ctx)
{
	for (unsigned int r = 0; r < HVM_MAX_EXIT_REASONS; r++)
		if (v->arch.exit_counts[r])
			fn(hvm_ops->exit_reason_name(r), v->arch.exit_counts[r], ctx);
	vlapic_exit_stats(v, fn, ctx);
}
