/* platform_op: dom0's machine-wide calls: set the wall clock, CPU facts, firmware info, ACPI S5. */
#include <keel/arch.h>
#include <keel/dom0_acpi.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <keel/wallclock.h>
#include <public/platform.h>
#include <public/sched.h>
#include <public/shared_info.h>

#include "handlers.h"

#define NS_PER_SEC 1000000000ULL

static void refresh_wallclock(struct domain *d, void *ctx)
{
	(void)ctx;
	wallclock_fill(d->abi.shared_info);
}

static long settime(u64 secs, u32 nsecs, u64 system_time)
{
	if (nsecs >= NS_PER_SEC || secs > (~0ULL - NS_PER_SEC) / NS_PER_SEC)
		return -EINVAL;
	wallclock_set_at(secs * NS_PER_SEC + nsecs, system_time);
	domain_for_each(refresh_wallclock, NULL); /* every domain's wc_* follows */
	return 0;
}

static u32 acpi_id_of(u32 apic_id)
{
	const struct acpi_madt_info *m = &acpi_host_info()->madt;

	for (unsigned int i = 0; i < m->nr_cpus; i++)
		if (m->cpus[i].apic_id == apic_id)
			return m->cpus[i].acpi_uid;
	return ~0u;
}

static long pcpu_info(struct xenpf_pcpuinfo *p)
{
	unsigned int n = arch_nr_cpus();
	u32 apic = arch_cpu_apic_id(p->xen_cpuid);

	p->max_present = n ? n - 1 : 0;
	if (p->xen_cpuid >= n || apic == ~0u) {
		p->flags = XEN_PCPU_FLAGS_INVALID;
		p->apic_id = p->acpi_id = 0;
		return 0;
	}
	p->flags = XEN_PCPU_FLAGS_ONLINE;
	p->apic_id = apic;
	p->acpi_id = acpi_id_of(apic);
	return 0;
}

static long acpi_sleep(struct vcpu *v, const struct xenpf_enter_acpi_sleep *s)
{
	if (s->flags & ~XENPF_ACPI_SLEEP_EXTENDED)
		return -EINVAL;
	if (s->sleep_state != 5) {
		pr_warn("platform_op: d%u: ACPI S%u refused: Keel does not suspend the machine",
			v->domain->id, s->sleep_state);
		return -EOPNOTSUPP;
	}
	pr_info("platform_op: d%u entered ACPI S5 (soft off): a power-off", v->domain->id);
	domain_shutdown(v->domain, SHUTDOWN_poweroff);
	return 0;
}

/* Each unknown command is logged once per domain (bit cmd % 64). */
static long unknown(struct vcpu *v, u32 cmd)
{
	static u64 logged;

	if (!(__atomic_fetch_or(&logged, 1ULL << (cmd % 64), __ATOMIC_RELAXED) &
	      (1ULL << (cmd % 64))))
		pr_info("platform_op: d%u: command %u not offered: -EOPNOTSUPP (logged once)",
			v->domain->id, cmd);
	return -EOPNOTSUPP;
}

long do_platform_op(struct vcpu *v, const u64 *args)
{
	struct xen_platform_op op;
	bool write_back = false;
	long rc;

	if (!v->domain->privileged)
		return -EPERM;
	if (copy_from_guest(v, &op, args[0], sizeof(op)))
		return -EFAULT;
	if (op.interface_version != XENPF_INTERFACE_VERSION)
		return -EACCES;
	switch (op.cmd) {
	case XENPF_settime32:
		rc = settime(op.u.settime32.secs, op.u.settime32.nsecs, op.u.settime32.system_time);
		break;
	case XENPF_settime64:
		rc = op.u.settime64.mbz ? -EINVAL
					: settime(op.u.settime64.secs, op.u.settime64.nsecs,
						  op.u.settime64.system_time);
		break;
	case XENPF_firmware_info:
		rc =
		    op.u.firmware_info.type >= XEN_FW_DISK_INFO &&
			    op.u.firmware_info.type <= XEN_FW_KBD_SHIFT_FLAGS
			? -ESRCH /* Keel was booted by multiboot2: it has no BIOS data to pass on */
			: -EINVAL;
		break;
	case XENPF_enter_acpi_sleep:
		rc = acpi_sleep(v, &op.u.enter_acpi_sleep);
		break;
	case XENPF_get_cpuinfo:
		rc = pcpu_info(&op.u.pcpu_info);
		write_back = true;
		break;
	default:
		rc = unknown(v, op.cmd);
		break;
	}
	if (!rc && write_back && copy_to_guest(v, args[0], &op, sizeof(op)))
		return -EFAULT;
	return rc;
}
