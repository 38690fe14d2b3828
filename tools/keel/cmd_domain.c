/* keel CLI: destroy, pause, unpause, shutdown and reboot: one domain's life from dom0. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

#include "cli.h"
#include "introduce.h"
#include "vbd.h"
#include "vif.h"

#define SHUTDOWN_WAIT_S 60 /* shutdown -w / reboot: how long the guest has to act */

/* The one DOMAIN argument of @argv (after options), not dom0 nor a privileged domain. */
static int target(struct cli *c, const char *cmd, int argc, char **argv, int first,
		  struct keel_domain_info *d)
{
	if (argc - first != 1)
		return cli_usage(cmd);
	if (cli_find_domain(c, argv[first], d))
		return CLI_FAILED;
	if (d->flags & KEEL_DOMINFO_PRIVILEGED)
		return cli_error("%s: %s (d%u) is the privileged domain: not for keel %s", cmd,
				 d->name, d->domid, cmd);
	return 0;
}

/* Ends @d at once: its devices, the domain, its xenstore home. */
static int destroy(struct cli *c, const struct keel_domain_info *d)
{
	char path[64];
	int rc;

	/* Its devices first: the backends let go of its pages and their loop devices. */
	keel_vif_remove_all(cli_xs(c), d->domid);
	keel_vbd_remove_all(cli_xs(c), d->domid);
	rc = keel_domain_destroy(cli_keel(c), d->domid);
	if (rc)
		return cli_error("destroy %s (d%u): %s", d->name, d->domid, strerror(-rc));
	/* Its xenstore home goes too (keel-xenstored releases its connection on its death). */
	snprintf(path, sizeof(path), "/local/domain/%u", d->domid);
	xs_rm(cli_xs(c), XBT_NULL, path);
	return 0;
}

static int run_destroy(struct cli *c, int argc, char **argv)
{
	struct keel_domain_info d;
	int rc = target(c, "destroy", argc, argv, 1, &d);

	return rc ? rc : destroy(c, &d);
}

static int pause_or_unpause(struct cli *c, int argc, char **argv, bool pause)
{
	const char *cmd = pause ? "pause" : "unpause";
	struct keel_domain_info d;
	int rc = target(c, cmd, argc, argv, 1, &d);

	if (rc)
		return rc;
	rc = pause ? keel_domain_pause(cli_keel(c), d.domid)
		   : keel_domain_unpause(cli_keel(c), d.domid);
	if (rc)
		return cli_error("%s %s (d%u): %s", cmd, d.name, d.domid, strerror(-rc));
	return 0;
}

static int run_pause(struct cli *c, int argc, char **argv)
{
	return pause_or_unpause(c, argc, argv, true);
}

static int run_unpause(struct cli *c, int argc, char **argv)
{
	return pause_or_unpause(c, argc, argv, false);
}

/*
 * Until @d has ended (or is gone), @secs at most (libkeel's keel_wait_ended); then, with @force,
 * a guest that did not act (hung, or deaf to control/shutdown) is destroyed.
 */
static int wait_ended(struct cli *c, const struct keel_domain_info *d, uint64_t secs, bool force)
{
	struct keel_domain_info now;
	int rc = keel_wait_ended(cli_keel(c), cli_xs(c), d->domid, (double)secs, NULL, NULL, &now);

	if (rc == -ETIMEDOUT && force) {
		fprintf(stderr, "keel: %s (d%u) has not shut down after %llu s: destroying it\n",
			d->name, d->domid, (unsigned long long)secs);
		return destroy(c, d);
	}
	if (rc == -ETIMEDOUT)
		return cli_error(
		    "%s (d%u) has not shut down after %llu s (keel destroy %s ends it)", d->name,
		    d->domid, (unsigned long long)secs, d->name);
	if (rc && rc != -ESRCH)
		return cli_error("waiting for %s (d%u): %s", d->name, d->domid, strerror(-rc));
	return 0;
}

/* The guest's own shutdown: control/shutdown in its xenstore home, which Linux watches. */
static int ask(struct cli *c, int argc, char **argv, const char *how)
{
	const char *cmd = !strcmp(how, "poweroff") ? "shutdown" : "reboot";
	uint64_t secs = SHUTDOWN_WAIT_S;
	struct keel_domain_info d;
	bool wait = false, force = false;
	char path[64];
	int opt, rc;

	optind = 1;
	while ((opt = getopt(argc, argv, "wFt:")) != -1)
		if (opt == 'w') {
			wait = true;
		} else if (opt == 'F') {
			wait = force = true;
		} else if (opt == 't') {
			if (!cli_number(optarg, 86400, &secs) || secs == 0)
				return cli_error("%s: -t \"%s\": give seconds, 1 to 86400", cmd,
						 optarg);
			wait = true;
		} else {
			return cli_usage(cmd);
		}
	rc = target(c, cmd, argc, argv, optind, &d);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", d.domid);
	if (!xs_write(cli_xs(c), XBT_NULL, path, how, strlen(how)))
		return cli_error("%s %s (d%u): writing %s: %s", cmd, d.name, d.domid, path,
				 strerror(errno));
	return wait ? wait_ended(c, &d, secs, force) : 0;
}

static int run_shutdown(struct cli *c, int argc, char **argv)
{
	return ask(c, argc, argv, "poweroff");
}

static int run_reboot(struct cli *c, int argc, char **argv)
{
	return ask(c, argc, argv, "reboot");
}

const struct cli_command cli_domain_commands[] = {
    {"destroy", run_destroy, "DOMAIN",
     "Ends the domain at once (no shutdown inside it); its memory goes back to Keel."},
    {"pause", run_pause, "DOMAIN", "Stops the domain's vCPUs until keel unpause."},
    {"unpause", run_unpause, "DOMAIN", "Lets a paused domain run again."},
    {"shutdown", run_shutdown, "[-w] [-t SECONDS] [-F] DOMAIN",
     "Asks the guest to power off (control/shutdown = poweroff in its xenstore home).\n"
     "  -w          wait (60 s at most) until it has shut down\n"
     "  -t SECONDS  wait that long at most instead (implies -w)\n"
     "  -F          a guest still up after the wait (hung, or deaf to control/shutdown) is\n"
     "              destroyed (implies -w)"},
    {"reboot", run_reboot, "[-w] [-t SECONDS] [-F] DOMAIN",
     "Asks the guest to reboot (control/shutdown = reboot).\n"
     "  -w, -t, -F  as for shutdown: wait until it went down, destroy it if it did not"},
    {NULL, NULL, NULL, NULL},
};
