/* Guest ABI: hypercall numbers, domain ids and the hypercall calling convention (Xen numbering). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_HYPERCALL_H
#define KEEL_PUBLIC_HYPERCALL_H

#include <stdint.h>

/*
 * Calling convention (x86-64, CPL 0 only; a hypercall from CPL > 0 returns -EPERM):
 *   RAX = hypercall number, arguments in RDI, RSI, RDX, R10, R8; result in RAX
 *   (0 or a positive value on success, a negated errno from errno.h on failure).
 *   Pointer arguments are guest VIRTUAL addresses, translated through the caller's CR3.
 *   The hypervisor may clobber the argument registers it does not use as results.
 *
 * A guest enters the hypervisor either by executing the instruction itself
 *   vmcall  = 0F 01 C1 (Intel)   or   vmmcall = 0F 01 D9 (AMD);
 * both opcodes are accepted on either vendor, or by calling into the hypercall page:
 *   wrmsr(MSR = CPUID(leaf base+2).EBX, value = GPA of a 4 KiB page | page index (bits 11:0, 0))
 * after which the hypervisor has filled the page with HYPERCALL_PAGE_SLOTS slots of
 * HYPERCALL_PAGE_SLOT_SIZE bytes; slot N holds `mov $N, %eax; vmcall; ret` and is entered with
 * `call page + HYPERCALL_PAGE_SLOT_SIZE * N` (arguments already in RDI, RSI, RDX, R10, R8).
 */
#define HYPERCALL_PAGE_SIZE	 4096u
#define HYPERCALL_PAGE_SLOT_SIZE 32u
#define HYPERCALL_PAGE_SLOTS	 (HYPERCALL_PAGE_SIZE / HYPERCALL_PAGE_SLOT_SIZE)
#define HYPERCALL_MAX_ARGS	 5

/* Hypercall numbers (RAX). */
#define HYPERCALL_platform_op	   7
#define HYPERCALL_memory_op	   12
#define HYPERCALL_xen_version	   17
#define HYPERCALL_console_io	   18
#define HYPERCALL_grant_table_op   20
#define HYPERCALL_vm_assist	   21
#define HYPERCALL_vcpu_op	   24
#define HYPERCALL_sched_op	   29
#define HYPERCALL_event_channel_op 32
#define HYPERCALL_physdev_op	   33
#define HYPERCALL_hvm_op	   34
#define HYPERCALL_sysctl	   35
#define HYPERCALL_domctl	   36

/* Domain ids: a u16; values from 0x7FF0 up are special. */
typedef uint16_t domid_t;
#define DOMID_FIRST_RESERVED 0x7FF0u
#define DOMID_SELF	     0x7FF0u /* the calling domain */
#define DOMID_INVALID	     0x7FF4u

/* vm_assist(cmd, type) */
#define VMASST_CMD_enable		 0
#define VMASST_CMD_disable		 1
#define VMASST_TYPE_runstate_update_flag 5 /* see RUNSTATE_UPDATE in shared_info.h */

#endif
