/* keel CLI: uptime and top: how long each domain has run, and a one-shot look at what it uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "cli.h"

#define MAX_DOMAINS 256

/* Seconds since @d started: its start-time node (keel create writes it); dom0: since boot. */
static long long uptime_of(struct cli *c, const struct keel_domain_info *d)
{
	char path[64];
	unsigned int len;
	char *s;
	long long t;

	if (d->domid == 0) {
		FILE *f = fopen("/proc/uptime", "r");
		double up = -1;

		if (f) {
			if (fscanf(f, "%lf", &up) != 1)
				up = -1;
			fclose(f);
		}
		return (long long)up;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/start-time", d->domid);
	s = xs_read(cli_xs(c), XBT_NULL, path, &len);
	t = s ? time(NULL) - strtoll(s, NULL, 10) : -1;
	free(s);
	return t;
}

static void print_duration(long long s)
{
	if (s < 0)
		printf("%12s", "-");
	else if (s >= 86400)
		printf("%3lld days, %2lld:%02lld:%02lld", s / 86400, s % 86400 / 3600,
		       s % 3600 / 60, s % 60);
	else
		printf("%4lld:%02lld:%02lld", s / 3600, s % 3600 / 60, s % 60);
}

static int domains(struct cli *c, int argc, char **argv, struct keel_domain_info *doms)
{
	int n;

	if (optind >= argc)
		return cli_domains(c, doms, MAX_DOMAINS);
	for (n = 0; optind + n < argc; n++)
		if (n == MAX_DOMAINS || cli_find_domain(c, argv[optind + n], &doms[n]))
			return -1;
	return n;
}

static int run_uptime(struct cli *c, int argc, char **argv)
{
	static struct keel_domain_info doms[MAX_DOMAINS];
	int n;

	if (getopt(argc, argv, "") != -1)
		return cli_usage("uptime");
	if ((n = domains(c, argc, argv, doms)) < 0)
		return CLI_FAILED;
	printf("%-32s %5s %s\n", "Name", "ID", "Uptime");
	for (int i = 0; i < n; i++) {
		printf("%-32s %5u ", doms[i].name, doms[i].domid);
		print_duration(uptime_of(c, &doms[i]));
		printf("\n");
	}
	return 0;
}

static const struct keel_domain_info *find(const struct keel_domain_info *doms, int n,
					   uint16_t domid)
{
	for (int i = 0; i < n; i++)
		if (doms[i].domid == domid)
			return &doms[i];
	return NULL;
}

static int run_top(struct cli *c, int argc, char **argv)
{
	static struct keel_domain_info before[MAX_DOMAINS], after[MAX_DOMAINS];
	struct keel_sysctl_physinfo pi;
	struct timespec t0, t1;
	double delay = 1.0, wall;
	int opt, n0, n1;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd' || (delay = strtod(optarg, NULL)) < 0.1 || delay > 60)
			return opt == 'd' ? cli_error("top: -d %s: seconds from 0.1 to 60", optarg)
					  : cli_usage("top");
	}
	if (optind < argc)
		return cli_usage("top");
	if (keel_physinfo(cli_keel(c), &pi))
		return cli_error("top: reading the host's memory failed");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((n0 = cli_domains(c, before, MAX_DOMAINS)) < 0)
		return CLI_FAILED;
	nanosleep(&(struct timespec){(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)},
		  NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if ((n1 = cli_domains(c, after, MAX_DOMAINS)) < 0)
		return CLI_FAILED;
	wall = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	printf("%-24s %5s %-6s %10s %7s %10s %6s %5s\n", "Name", "ID", "State", "CPU(s)", "CPU(%)",
	       "Mem(KiB)", "Mem(%)", "VCPUs");
	for (int i = 0; i < n1; i++) {
		const struct keel_domain_info *d = &after[i], *p = find(before, n0, d->domid);
		double used = p ? (double)(d->cpu_time_ns - p->cpu_time_ns) : 0;
		char st[8];

		printf("%-24s %5u %-6s %10.1f %7.1f %10llu %6.1f %5u\n", d->name, d->domid,
		       cli_state(d, st), (double)d->cpu_time_ns / 1e9,
		       p ? 100.0 * used / wall : 0.0, (unsigned long long)d->pages * 4,
		       pi.total_pages ? 100.0 * (double)d->pages / (double)pi.total_pages : 0.0,
		       d->nr_vcpus);
	}
	printf("host: %u CPUs, %llu KiB, %llu KiB free\n", pi.nr_cpus,
	       (unsigned long long)pi.total_pages * 4, (unsigned long long)pi.free_pages * 4);
	return 0;
}

const struct cli_command cli_stats_commands[] = {
    {"uptime", run_uptime, "[DOMAIN...]",
     "Prints how long each domain (all, or those named) has run since keel create\n"
     "started it (dom0: since its boot)."},
    {"top", run_top, "[-d SECONDS]",
     "Prints one look at every domain: state, CPU time, CPU use over the sample (100% =\n"
     "one CPU), memory and its share of the host's, vCPUs; then the host's CPUs and memory.\n"
     "  -d  the sample's length in seconds (0.1 to 60, default 1)."},
    {NULL, NULL, NULL, NULL},
};
