/* Guest page walks with the access's privilege (arch/x86/hvm/guest_walk.c). */
#ifndef ASM_GUEST_WALK_H
#define ASM_GUEST_WALK_H

#include <keel/types.h>

struct vcpu;

enum guest_access { GUEST_READ, GUEST_WRITE, GUEST_FETCH };

/* Whose access it is, which decides the checks (U/S, SMAP, SMEP, CR0.WP). */
enum guest_priv {
	GUEST_SUPERVISOR, /* an explicit access at CPL 0-2 (SMAP honours RFLAGS.AC) */
	GUEST_USER,	  /* an explicit access at CPL 3 */
	GUEST_IMPLICIT,	  /* an implicit supervisor access (descriptor tables ...): AC is ignored */
};

/* The architectural #PF error code bits. */
#define PFEC_PRESENT (1u << 0) /* a protection violation, not a non-present entry */
#define PFEC_WRITE   (1u << 1)
#define PFEC_USER    (1u << 2)
#define PFEC_RSVD    (1u << 3)
#define PFEC_INSN    (1u << 4)

/* The privilege of an explicit access @v makes now: user at CPL 3, else supervisor. */
enum guest_priv guest_current_priv(struct vcpu *v);

/*
 * Translate linear address @la for @v's access @acc with privilege @priv, through the guest's
 * current paging mode as the CPU would (sets the accessed and dirty bits the CPU sets):
 *   0        *gpa is the guest-physical address;
 *   -EFAULT  the guest takes a page fault: *pfec is its error code (CR2 is @la);
 *   -EINVAL  @la is not canonical (the guest takes #GP or #SS, not #PF);
 *   -ENXIO   a paging structure is not in the guest's RAM (the CPU would have an EPT fault);
 *   -EAGAIN  another vCPU kept changing the entries while their A/D flags were being set.
 * Outside long mode only bits 31:0 of @la count.
 */
int guest_walk(struct vcpu *v, u64 la, enum guest_access acc, enum guest_priv priv, u64 *gpa,
	       u32 *pfec);

#endif
