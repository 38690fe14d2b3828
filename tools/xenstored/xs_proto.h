/* xs_proto.h: the xenstore wire format: message types, header, limits, the shared ring page. */
#ifndef KEEL_XS_PROTO_H
#define KEEL_XS_PROTO_H

#include <stdint.h>

enum xs_type {
	XS_CONTROL = 0, /* formerly XS_DEBUG */
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15,
	XS_ERROR = 16,
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	XS_RESTRICT = 20,
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	XS_TYPE_COUNT
};

struct xs_header {
	uint32_t type;
	uint32_t req_id;
	uint32_t tx_id;
	uint32_t len;
};

#define XS_HEADER_SIZE	16u
#define XS_PAYLOAD_MAX	4096u
#define XS_ABS_PATH_MAX 3072u
#define XS_REL_PATH_MAX 2048u

/* The xenstore page a domain shares with the daemon (grant ref 1 or its start-info mfn). */
#define XS_RING_SIZE 1024u
struct xs_ring_page {
	char req[XS_RING_SIZE]; /* requests: guest produces, daemon consumes */
	char rsp[XS_RING_SIZE]; /* replies and events: daemon produces, guest consumes */
	uint32_t req_cons, req_prod;
	uint32_t rsp_cons, rsp_prod;
	uint32_t server_features;
	uint32_t connection;
	uint32_t error;
};

#define XS_GNTTAB_RESERVED_XENSTORE 1u

#endif
