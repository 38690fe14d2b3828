/* domain.c: the domain requests: INTRODUCE, RELEASE, IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

int xs_domain_requests(struct xs_conn *c, const struct xs_request *req, const char **arg,
		       unsigned int nargs, GByteArray *reply);

static bool number(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s == '\0' || *s == '-')
		return false;
	v = strtoull(s, &end, 0);
	if (*end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static bool domid_arg(const char *s, unsigned int *domid)
{
	uint64_t v;

	if (!number(s, 0x7fef, &v))
		return false;
	*domid = (unsigned int)v;
	return true;
}

static int introduce(struct xs_core *core, const char **arg)
{
	struct xs_domain *d;
	unsigned int domid;
	uint64_t mfn, port;

	if (!domid_arg(arg[0], &domid) || domid == 0 || !number(arg[1], UINT64_MAX >> 12, &mfn) ||
	    !number(arg[2], 0xffffffffu, &port))
		return EINVAL;
	d = xs_domain_get(core, domid);
	if (d && d->introduced)
		return 0; /* introducing twice is harmless */
	if (!d) {
		d = g_new0(struct xs_domain, 1);
		d->domid = domid;
		d->target = -1;
		g_hash_table_insert(core->domains, GUINT_TO_POINTER(domid), d);
	}
	d->mfn = mfn;
	d->port = (unsigned int)port;
	if (core->hooks.attach && !core->hooks.attach(core, d, core->hooks.arg)) {
		g_message("domain %u: cannot map its xenstore page or bind port %u", domid,
			  d->port);
		g_hash_table_remove(core->domains, GUINT_TO_POINTER(domid));
		return EINVAL;
	}
	d->introduced = true;
	g_message("domain %u introduced (mfn %#" G_GINT64_MODIFIER "x, port %u)", domid, mfn,
		  d->port);
	xs_watch_fire(core, "@introduceDomain");
	return 0;
}

int xs_domain_requests(struct xs_conn *c, const struct xs_request *req, const char **arg,
		       unsigned int nargs, GByteArray *reply)
{
	unsigned int domid, target;
	struct xs_domain *d;
	int err = 0;

	if (!xs_conn_privileged(c))
		return EACCES;
	if (nargs < 1 || !domid_arg(arg[0], &domid))
		return EINVAL;
	d = xs_domain_get(c->core, domid);
	switch (req->hdr.type) {
	case XS_INTRODUCE:
		err = nargs == 3 ? introduce(c->core, arg) : EINVAL;
		break;
	case XS_RELEASE:
		if (domid == 0)
			return EINVAL;
		if (!d)
			return ENOENT;
		xs_domain_gone(c->core, domid);
		break;
	case XS_IS_DOMAIN_INTRODUCED:
		g_byte_array_append(reply, (const guint8 *)(d && d->introduced ? "T" : "F"), 2);
		return 0;
	case XS_RESUME:
		if (!d)
			return ENOENT;
		break;
	case XS_SET_TARGET:
		if (nargs != 2 || !domid_arg(arg[1], &target))
			return EINVAL;
		if (!d)
			return ENOENT;
		d->target = (int)target;
		break;
	default:
		return EINVAL;
	}
	if (!err)
		g_byte_array_append(reply, (const guint8 *)"OK", 3);
	return err;
}
