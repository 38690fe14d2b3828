/* keel CLI: shared helpers: messages, the privcmd and xenstore handles, finding domains. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

int cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("keel: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return CLI_FAILED;
}

int cli_usage(const char *name)
{
	const struct cli_command *cmd = cli_command(name);

	fprintf(stderr, "usage: keel %s %s\n(keel help %s says more)\n", name,
		cmd ? cmd->synopsis : "", name);
	return CLI_USAGE;
}

struct keel_handle *cli_keel(struct cli *c)
{
	if (!c->keel && !(c->keel = keel_open())) {
		cli_error("cannot open /dev/xen/privcmd: %s (run in dom0 as root, with the "
			  "xen-privcmd module loaded)",
			  strerror(errno));
		exit(CLI_FAILED);
	}
	return c->keel;
}

struct xs_handle *cli_xs(struct cli *c)
{
	if (!c->xs && !(c->xs = xs_open(0))) {
		cli_error("cannot reach xenstored: %s (is keel-xenstored running?)",
			  strerror(errno));
		exit(CLI_FAILED);
	}
	return c->xs;
}

int cli_domains(struct cli *c, struct keel_domain_info *out, unsigned int max)
{
	unsigned int total = 0;

	for (;;) {
		unsigned int n = 0;
		uint16_t first = total ? (uint16_t)(out[total - 1].domid + 1) : 0;
		int rc = keel_domain_list(cli_keel(c), first, out + total, max - total, &n);

		if (rc) {
			cli_error("listing domains: %s", strerror(-rc));
			return -1;
		}
		total += n;
		if (!n || total == max)
			return (int)total;
	}
}

bool cli_number(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

int cli_find_domain(struct cli *c, const char *what, struct keel_domain_info *out)
{
	static struct keel_domain_info list[256];
	uint64_t id;
	int n = cli_domains(c, list, 256);

	if (n < 0)
		return CLI_FAILED;
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i].name, what) ||
		    (cli_number(what, 0xFFFF, &id) && list[i].domid == id)) {
			*out = list[i];
			return 0;
		}
	return cli_error("no domain %s (keel list shows them)", what);
}

const char *cli_state(const struct keel_domain_info *d, char buf[8])
{
	static const struct {
		uint32_t flag;
		char c;
	} letters[] = {{KEEL_DOMINFO_RUNNING, 'r'},
		       {KEEL_DOMINFO_PAUSED, 'p'},
		       {KEEL_DOMINFO_SHUTDOWN, 's'},
		       {KEEL_DOMINFO_CRASHED, 'c'},
		       {KEEL_DOMINFO_DYING, 'd'}};
	unsigned int n = 0;

	for (unsigned int i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
		buf[n++] = d->flags & letters[i].flag ? letters[i].c : '-';
	buf[n] = 0;
	return buf;
}
