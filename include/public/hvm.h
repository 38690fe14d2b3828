/* Guest ABI: the hvm_op hypercall, HVM parameters and the event callback encoding. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_HVM_H
#define KEEL_PUBLIC_HVM_H

#include <stdint.h>

/* hvm_op(cmd, arg) */
#define HVMOP_set_param		       0  /* arg: struct hvm_param */
#define HVMOP_get_param		       1  /* arg: struct hvm_param */
#define HVMOP_pagetable_dying	       9  /* arg: struct hvm_pagetable_dying; Keel: -ENOSYS */
#define HVMOP_set_evtchn_upcall_vector 23 /* arg: struct hvm_evtchn_upcall_vector */

struct hvm_param {
	uint16_t domid; /* DOMID_SELF */
	uint16_t pad;
	uint32_t index; /* HVM_PARAM_* */
	uint64_t value;
};

/* HVM parameters. */
#define HVM_PARAM_CALLBACK_IRQ	 0  /* how events are signalled: encoding below */
#define HVM_PARAM_STORE_PFN	 1  /* xenstore ring GFN (0 = no xenstore) */
#define HVM_PARAM_STORE_EVTCHN	 2  /* xenstore event channel */
#define HVM_PARAM_CONSOLE_PFN	 17 /* PV console ring GFN */
#define HVM_PARAM_CONSOLE_EVTCHN 18 /* PV console event channel */

/*
 * HVM_PARAM_CALLBACK_IRQ value: type in bits 63:56, type-specific data below.
 *   type 0 (GSI): bits 31:0 = GSI; type 1 (PCI INTx): device/pin;
 *   type 2 (vector): bits 7:0 = vector, injected directly whenever a vCPU's upcall_pending is
 *   set and EFLAGS.IF = 1 (no LAPIC IRR/ISR, no EOI).
 * The value 1 (type 0, GSI 1) is what guests write after HVMOP_set_evtchn_upcall_vector.
 */
#define HVM_CALLBACK_TYPE_SHIFT	   56
#define HVM_CALLBACK_TYPE_GSI	   0ull
#define HVM_CALLBACK_TYPE_PCI_INTX 1ull
#define HVM_CALLBACK_TYPE_VECTOR   2ull
#define HVM_CALLBACK_TYPE(v)	   ((uint64_t)(v) >> HVM_CALLBACK_TYPE_SHIFT)
#define HVM_CALLBACK_VECTOR(vec) \
	((HVM_CALLBACK_TYPE_VECTOR << HVM_CALLBACK_TYPE_SHIFT) | ((uint64_t)(vec)&0xffu))

struct hvm_pagetable_dying {
	uint16_t domid;
	uint16_t pad[3];
	uint64_t gpa; /* top-level page table being torn down */
};

/* Per-vCPU upcall vector, delivered through the virtual LAPIC (guest EOIs). */
struct hvm_evtchn_upcall_vector {
	uint32_t vcpu;
	uint8_t vector;
	uint8_t pad[3];
};

_Static_assert(sizeof(struct hvm_param) == 16, "hvm_param is 16 bytes");
_Static_assert(__builtin_offsetof(struct hvm_param, index) == 4, "hvm_param.index");
_Static_assert(__builtin_offsetof(struct hvm_param, value) == 8, "hvm_param.value");
_Static_assert(sizeof(struct hvm_pagetable_dying) == 16, "hvm_pagetable_dying is 16 bytes");
_Static_assert(sizeof(struct hvm_evtchn_upcall_vector) == 8, "hvm_evtchn_upcall_vector");

#endif
