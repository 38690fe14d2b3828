/* Unit-test stand-in for the virtual IO-APIC's EOI hook: it records what the vLAPIC reports. */
#include <asm/vioapic.h>

#include "shim_vioapic.h"

unsigned int shim_vioapic_eois;
int shim_vioapic_last_vector = -1;

void vioapic_eoi(struct domain *d, u8 vector)
{
	(void)d;
	shim_vioapic_eois++;
	shim_vioapic_last_vector = vector;
}
