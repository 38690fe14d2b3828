/* Hypercall dispatch: the guest API, in Xen's numbering (common/hypercall.c and common/hc_*.c). */
#ifndef KEEL_HYPERCALL_H
#define KEEL_HYPERCALL_H

#include <keel/types.h>

struct vcpu;

#define HYPERCALL_MAX 64

typedef long (*hypercall_fn_t)(struct vcpu *v, const u64 *args);

/* Run hypercall @nr with arguments @args[0..4] for @v (already checked to be at CPL 0). */
long hypercall_dispatch(struct vcpu *v, u64 nr, const u64 args[5]);

/* Per-number call counts, for statistics and tests. */
extern u64 hypercall_counts[HYPERCALL_MAX];

#endif
