/* Guest ABI: the PV console ring page (io/console.h) a domain shares with its console backend. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_CONSOLE_H
#define KEEL_PUBLIC_CONSOLE_H

#include <stdint.h>

#define XENCONS_IN_SIZE	 1024
#define XENCONS_OUT_SIZE 2048

/*
 * in[] carries input to the guest (the backend produces), out[] its output (the guest
 * produces). Indices are free-running and taken modulo the buffer size.
 */
struct xencons_interface {
	char in[XENCONS_IN_SIZE];
	char out[XENCONS_OUT_SIZE];
	uint32_t in_cons, in_prod;
	uint32_t out_cons, out_prod;
	uint8_t connection; /* for backends that reconnect; Keel leaves it 0 */
};

_Static_assert(__builtin_offsetof(struct xencons_interface, in_cons) == 3072, "in_cons");
_Static_assert(__builtin_offsetof(struct xencons_interface, out_prod) == 3084, "out_prod");
_Static_assert(__builtin_offsetof(struct xencons_interface, connection) == 3088, "connection");

#endif
