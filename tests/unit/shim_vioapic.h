/* What the vLAPIC told the virtual IO-APIC (tests/unit/shim_vioapic.c). */
#ifndef TESTS_SHIM_VIOAPIC_H
#define TESTS_SHIM_VIOAPIC_H

extern unsigned int shim_vioapic_eois;
extern int shim_vioapic_last_vector;

#endif
