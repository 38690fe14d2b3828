/* Host-test shim for grant tables (shim_grant.c): domains 1..N and their fake physical maps. */
#ifndef TESTS_UNIT_SHIM_GRANT_H
#define TESTS_UNIT_SHIM_GRANT_H

#include <keel/types.h>

#define SHIM_GRANT_DOMAINS 2
#define SHIM_GRANT_P2M	   1024 /* pages each fake physical map holds */

struct domain;
extern struct domain *shim_grant_dom[SHIM_GRANT_DOMAINS + 1];
/* What arch_unmap_gpa returns after unmapping (-ETIMEDOUT: a CPU did not confirm). */
extern int shim_grant_unmap_rc;
void shim_grant_reset(void);
/* Free frames of the shim's frame allocator now. */
u64 shim_free_frames(void);
/*
 * The fixture both grant and foreign-map tests stand on: the frame allocator over the arena,
 * domains 1..SHIM_GRANT_DOMAINS of @doms with grant tables and 1 MiB of RAM each. Returns the
 * free frames before the domains; _down() destroys them and asserts every frame came back.
 */
u64 shim_grant_domains_up(struct domain *doms);
void shim_grant_domains_down(struct domain *doms, u64 free_before);

#endif
