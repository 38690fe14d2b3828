/* A domain's ACPI tables (keel/guest_acpi.h) built and placed in frames of its own. */
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/domain_mem.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>
#include <keel/mm.h>

int domain_load_acpi(struct domain *d)
{
	void *buf = kzalloc(GUEST_ACPI_SIZE);
	int len, rc;

	if (!buf)
		return -ENOMEM;
	len = guest_acpi_build_ioapic(d->nr_vcpus, arch_domain_ioapic_gpa(d), GUEST_ACPI_GPA, buf,
				      GUEST_ACPI_SIZE);
	rc = len < 0 ? len : domain_populate_extra(d, GUEST_ACPI_GPA, GUEST_ACPI_SIZE);
	if (!rc)
		rc = domain_copy_to_gpa(d, GUEST_ACPI_GPA, buf, (size_t)len);
	kfree(buf);
	return rc;
}
