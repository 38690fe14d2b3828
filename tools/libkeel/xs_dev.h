/* libkeel: a split device's xenstore directories, written in one transaction. */
#ifndef LIBKEEL_XS_DEV_H
#define LIBKEEL_XS_DEV_H

#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>

/* @dir/@key = printf(@fmt, ...) within transaction @t. */
bool keel_xs_put(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *key,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * In one transaction (retried while xenstored says EAGAIN, 10 times at most): backend
 * directory @be (dom0's, readable by @domid) and frontend directory @fe (@domid's, readable by
 * dom0), then @fill writes their nodes. true when committed; false with errno set.
 */
bool keel_xs_device_write(struct xs_handle *xs, uint16_t domid, const char *be, const char *fe,
			  bool (*fill)(struct xs_handle *xs, xs_transaction_t t, const char *be,
				       const char *fe, const void *ctx),
			  const void *ctx);

/* Seconds on the monotonic clock, for bounded waits. */
double keel_now_s(void);

#endif
