/* transport.h: the daemon's transports as main sees them: the Unix socket and domain rings. */
#ifndef KEEL_XS_TRANSPORT_H
#define KEEL_XS_TRANSPORT_H

#include "xenstored.h"

/* Listens on a Unix socket; each client is a dom0 connection. */
bool xs_socket_listen(struct xs_core *core, const char *path);
/* Opens /dev/xen/evtchn and /dev/xen/gntdev; fills hooks that map an introduced domain's
 * page (grant ref 1) and bind its port. false (with a log line) if Xen's devices are absent. */
bool xs_ring_transport_open(struct xs_ring_hooks *hooks);

/* Serves dom0's own kernel over its local ring (after xs_ring_transport_open filled @hooks and
 * the core exists). false (with a log line) when the kernel has none. */
bool xs_ring_serve_kernel(struct xs_core *core, const struct xs_ring_hooks *hooks);

#endif
