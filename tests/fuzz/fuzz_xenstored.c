/* fuzz_xenstored.c: keel-xenstored's framing and request handling fed arbitrary byte streams. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../tools/xenstored/xenstored.h"

static size_t sent;

static void count_send(void *ctx, const void *buf, size_t len)
{
	struct xs_header h;

	/* Every message the daemon sends is whole and within the protocol's limit. */
	if (len < sizeof(h) || len > sizeof(h) + XS_PAYLOAD_MAX)
		__builtin_trap();
	memcpy(&h, buf, sizeof(h));
	if (h.len != len - sizeof(h))
		__builtin_trap();
	sent += len;
}

static const struct xs_conn_ops ops = {.send = count_send};

static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data) {}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_quota q;
	struct xs_core *core;
	struct xs_conn *dom0, *guest, *c;
	size_t at = 0;

	g_log_set_default_handler(quiet, NULL);
	xs_quota_defaults(&q);
	q.nodes = 50;
	core = xs_core_new(&q, NULL);
	dom0 = xs_conn_new(core, 0, &ops, NULL);
	guest = xs_conn_new(core, 3, &ops, NULL);
	/* The first byte of each chunk picks the sender; chunks are up to 64 bytes. */
	while (at < size) {
		size_t n = size - at - 1 < 64 ? size - at - 1 : 64;

		c = (data[at] & 1) ? guest : dom0;
		if (c && !xs_conn_input(c, data + at + 1, n)) {
			xs_conn_free(c);
			if (c == guest)
				guest = NULL;
			else
				dom0 = NULL;
		}
		at += n + 1;
	}
	xs_core_free(core);
	return 0;
}
