/* Guest library: small statistics helpers for the benchmark guest (pure: host unit-tested). */
#ifndef GUEST_STATS_H
#define GUEST_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Sort v[0..n) ascending in place (heap sort: no recursion, O(n log n)). */
void stats_sort_u64(uint64_t *v, size_t n);
/* Median of v[0..n) (sorts v); for even n the lower middle. 0 if n == 0. */
uint64_t stats_median_u64(uint64_t *v, size_t n);

#endif
