/* The PV console ring Keel serves each domain (common/console_ring*.c): page, port, drain, input. */
#ifndef KEEL_CONSOLE_RING_H
#define KEEL_CONSOLE_RING_H

#include <keel/spinlock.h>
#include <keel/types.h>

/* Xen's place for it: special page 7 of the 8 at PVH_SPECIAL_PAGES_GPA (0xFEFF8000). */
#define CONSOLE_RING_GFN 0xFEFFFULL

struct xencons_interface;
struct domain;

/* A domain's console ring (a sub-structure of struct domain; all zero: none). */
struct console_ring {
	spinlock_t lock; /* serializes Keel's side: drains and input */
	struct xencons_interface *page;
	paddr_t pa;
	u32 port;	 /* its Keel-served event channel in the domain */
	u32 bad_indices; /* times the guest's indices were impossible (logged once) */
};

/*
 * The index handling, on a page the guest may change at any moment (each index is read once).
 * xencons_take_output() moves up to @max bytes of out[] to @buf and consumes them: the count,
 * or -EIO when out_prod - out_cons exceeds the ring (out_cons is then set to out_prod: what was
 * there is skipped). xencons_put_input() puts up to @len bytes into in[] (the rest is dropped):
 * the count put, or -EIO when in_prod - in_cons exceeds the ring (in_prod is then set to
 * in_cons and nothing is put).
 */
int xencons_take_output(struct xencons_interface *r, char *buf, size_t max);
int xencons_put_input(struct xencons_interface *r, const char *buf, size_t len);

/* Register the ring's Keel service (once, at boot). */
void console_ring_init(void);
/*
 * Give @d its ring: a zeroed page mapped at CONSOLE_RING_GFN, a Keel-served port, and the HVM
 * params CONSOLE_PFN and CONSOLE_EVTCHN naming them. 0 or -errno.
 */
int console_ring_setup(struct domain *d);
/* Scrub and free the page (@d's EPT is gone). */
void console_ring_release(struct domain *d);
/*
 * Move what @d wrote to out[] into its console queue (keel/domain_console.h: "(dN)" lines, rate
 * limit) and notify it; no lock held. Bounded: at most one ring's worth.
 */
void console_ring_drain(struct domain *d);
/* Give @d input bytes (dropped when in[] is full) and notify it; how many were taken. */
size_t console_ring_input(struct domain *d, const char *buf, size_t len);

#endif
