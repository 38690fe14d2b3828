/* The shared grant entry's flags word: claimed for a map or copy, then released (grant_entry.c). */
#ifndef KEEL_GRANT_ENTRY_H
#define KEEL_GRANT_ENTRY_H

#include <keel/types.h>

/* Attempts at the compare-and-swap before the entry counts as unstable (GNTST_general_error). */
#define GRANT_CLAIM_RETRIES 8

/*
 * @word is the granter's entry as one 32-bit word: flags in bits 0-15, domid in bits 16-31.
 * Claim it for @grantee: the entry must permit access to @grantee (and writing unless
 * @readonly); GTF_reading is set, and GTF_writing unless @readonly, in one compare-and-swap
 * against the granter revoking it. Returns GNTST_okay, GNTST_permission_denied, or
 * GNTST_general_error when the granter kept changing it.
 */
int grant_entry_claim(u32 *word, u16 grantee, bool readonly);
/* Clear @bits (GTF_reading, GTF_writing) atomically, leaving the granter's own bits. */
void grant_entry_clear(u32 *word, u16 bits);
/*
 * The bits one pin holds alone, given the other pins of the entry (read-only and writable): what
 * a pin set that was not set before, and so what its undo or unpin must clear.
 */
u16 grant_entry_sole_bits(u32 other_ro, u32 other_rw, bool readonly);

#endif
