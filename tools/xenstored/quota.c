/* quota.c: per-domain limits (nodes, watches, transactions, message size) and their options. */
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

void xs_quota_defaults(struct xs_quota *q)
{
	q->nodes = 1000;
	q->watches = 128;
	q->transactions = 10;
	q->msg_size = XS_PAYLOAD_MAX;
}

bool xs_quota_set(struct xs_quota *q, const char *name, const char *value)
{
	char *end;
	unsigned long v = strtoul(value, &end, 10);

	if (*value == '\0' || *end != '\0' || v == 0 || v > 1000000)
		return false;
	if (!strcmp(name, "nodes"))
		q->nodes = (unsigned int)v;
	else if (!strcmp(name, "watches"))
		q->watches = (unsigned int)v;
	else if (!strcmp(name, "transactions"))
		q->transactions = (unsigned int)v;
	else if (!strcmp(name, "msg-size") && v <= XS_PAYLOAD_MAX)
		q->msg_size = (unsigned int)v;
	else
		return false;
	return true;
}

char *xs_quota_describe(const struct xs_quota *q)
{
	return g_strdup_printf("nodes=%u watches=%u transactions=%u msg-size=%u", q->nodes,
			       q->watches, q->transactions, q->msg_size);
}
