/* The shared grant entry's flags word: compare-and-swap against revocation, atomic release. */
#include <keel/compiler.h>
#include <public/grant_table.h>

#include "grant_entry.h"

#define WORD_FLAGS(w) ((u16)((w)&0xffffu))
#define WORD_DOMID(w) ((u16)((w) >> 16))

int grant_entry_claim(u32 *word, u16 grantee, bool readonly)
{
	u32 old = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	for (unsigned int tries = 0; tries < GRANT_CLAIM_RETRIES; tries++) {
		u16 flags = WORD_FLAGS(old);
		u32 want;

		if ((flags & GTF_type_mask) != GTF_permit_access || WORD_DOMID(old) != grantee)
			return GNTST_permission_denied;
		if (!readonly && (flags & GTF_readonly))
			return GNTST_permission_denied;
		want = old | GTF_reading | (readonly ? 0u : GTF_writing);
		if (want == old)
			return GNTST_okay;
		/* Fails if the granter changed the word meanwhile; @old is then reloaded. */
		if (__atomic_compare_exchange_n(word, &old, want, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return GNTST_okay;
	}
	return GNTST_general_error;
}

void grant_entry_clear(u32 *word, u16 bits)
{
	__atomic_fetch_and(word, ~(u32)bits, __ATOMIC_RELEASE);
}

u16 grant_entry_sole_bits(u32 other_ro, u32 other_rw, bool readonly)
{
	u16 bits = 0;

	if (!other_ro && !other_rw)
		bits |= GTF_reading;
	if (!readonly && !other_rw)
		bits |= GTF_writing;
	return bits;
}
