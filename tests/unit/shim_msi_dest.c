/* vLAPIC and scheduler stand-ins for dom0's MSI and MSI-X tests: who got which vector. */
#include "shim_msi_dest.h"

#include <keel/softirq.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

int accepted_vcpu = -1, accepted_vec = -1, softirqs;
struct vlapic lapics[2];
struct vcpu vcpus[2];
struct domain shim_dom0;

void shim_msi_dest_reset(void)
{
	memset(&shim_dom0, 0, sizeof(shim_dom0));
	for (unsigned int i = 0; i < 2; i++) {
		memset(&vcpus[i], 0, sizeof(vcpus[i]));
		lapics[i].apic_id = 2 * i;
		vcpus[i].arch.vlapic = &lapics[i];
		vcpus[i].domain = &shim_dom0;
		shim_dom0.vcpus[i] = &vcpus[i];
	}
	shim_dom0.nr_vcpus = 2;
	accepted_vcpu = accepted_vec = -1;
	softirqs = 0;
}

struct vcpu *vlapic_device_dest(struct domain *d, u32 dest, bool logical)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (!logical && dest == d->vcpus[i]->arch.vlapic->apic_id)
			return d->vcpus[i];
	return NULL;
}

bool vlapic_accept_fixed(struct vlapic *l, u8 vec)
{
	accepted_vcpu = (int)(l - lapics);
	accepted_vec = vec;
	return true;
}

void vcpu_kick(struct vcpu *v)
{
	(void)v;
}

void softirq_raise(enum softirq s)
{
	assert_int_equal(s, SOFTIRQ_DEVICE_IRQ);
	softirqs++;
}
