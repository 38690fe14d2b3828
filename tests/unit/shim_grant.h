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

#endif
