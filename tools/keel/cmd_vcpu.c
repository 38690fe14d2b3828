/* keel CLI: vcpu-list, vcpu-pin, sched, mem-max and mem-set: a domain's CPUs and memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

#include "cli.h"

/* "0-3,5" or "all" into a mask of CPUs below @nr_cpus; false if malformed or out of range. */
static bool parse_cpus(const char *s, unsigned int nr_cpus, uint64_t *mask)
{
	const char *p = s;

	*mask = 0;
	if (!strcmp(s, "all")) {
		*mask = nr_cpus >= 64 ? ~0ULL : (1ULL << nr_cpus) - 1;
		return true;
	}
	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p)
			return false;
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 10);
			if (end == p)
				return false;
		}
		if (a > b || b >= nr_cpus || b >= 64)
			return false;
		for (unsigned long i = a; i <= b; i++)
			*mask |= 1ULL << i;
		if (*end == ',')
			end++;
		else if (*end)
			return false;
		p = end;
	}
	return *mask != 0;
}

static void print_cpus(uint64_t mask)
{
	const char *sep = "";

	for (unsigned int i = 0; i < 64; i++) {
		unsigned int j = i;

		if (!(mask >> i & 1))
			continue;
		while (j + 1 < 64 && (mask >> (j + 1) & 1))
			j++;
		printf(j > i ? "%s%u-%u" : "%s%u", sep, i, j);
		sep = ",";
		i = j;
	}
}

static int affinity(struct cli *c, const struct keel_domain_info *d, uint32_t vcpu, uint64_t *mask,
		    bool set)
{
	struct keel_domctl op = {.cmd = set ? KEEL_DOMCTL_set_affinity : KEEL_DOMCTL_get_affinity,
				 .domain = d->domid};
	int rc;

	op.u.affinity.vcpu = vcpu;
	op.u.affinity.cpumap = *mask;
	rc = keel_domctl(cli_keel(c), &op);
	if (!rc)
		*mask = op.u.affinity.cpumap;
	return rc;
}

static int run_vcpu_list(struct cli *c, int argc, char **argv)
{
	static struct keel_domain_info doms[256];
	int n;

	if (argc > 2)
		return cli_usage("vcpu-list");
	if (argc == 2) {
		n = 1;
		if (cli_find_domain(c, argv[1], &doms[0]))
			return CLI_FAILED;
	} else if ((n = cli_domains(c, doms, 256)) < 0) {
		return CLI_FAILED;
	}
	printf("%-32s %5s %5s  %s\n", "Name", "ID", "VCPU", "Affinity (hard)");
	for (int i = 0; i < n; i++)
		for (uint32_t v = 0; v < doms[i].nr_vcpus; v++) {
			uint64_t mask = 0;
			int rc = affinity(c, &doms[i], v, &mask, false);

			printf("%-32s %5u %5u  ", doms[i].name, doms[i].domid, v);
			if (rc)
				printf("(%s)", strerror(-rc));
			else
				print_cpus(mask);
			putchar('\n');
		}
	return 0;
}

static unsigned int host_cpus(struct cli *c)
{
	struct keel_sysctl_physinfo pi;

	return keel_physinfo(cli_keel(c), &pi) ? 64 : pi.nr_cpus;
}

static int run_vcpu_pin(struct cli *c, int argc, char **argv)
{
	struct keel_domain_info d;
	uint64_t vcpu, mask;
	unsigned int nr_cpus;
	int rc;

	if (argc != 4)
		return cli_usage("vcpu-pin");
	if (cli_find_domain(c, argv[1], &d))
		return CLI_FAILED;
	nr_cpus = host_cpus(c);
	if (!parse_cpus(argv[3], nr_cpus, &mask))
		return cli_error("vcpu-pin: CPUs \"%s\": give a list such as 0-3,5 of CPUs below "
				 "%u, or all",
				 argv[3], nr_cpus);
	if (!strcmp(argv[2], "all")) {
		for (uint32_t v = 0; v < d.nr_vcpus; v++)
			if ((rc = affinity(c, &d, v, &mask, true)))
				return cli_error("vcpu-pin %s vCPU %u: %s", d.name, v,
						 strerror(-rc));
		return 0;
	}
	if (!cli_number(argv[2], d.nr_vcpus ? d.nr_vcpus - 1 : 0, &vcpu))
		return cli_error("vcpu-pin: vCPU \"%s\": %s has vCPUs 0 to %u, or say all", argv[2],
				 d.name, d.nr_vcpus - 1);
	rc = affinity(c, &d, (uint32_t)vcpu, &mask, true);
	if (rc)
		return cli_error("vcpu-pin %s vCPU %llu: %s", d.name, (unsigned long long)vcpu,
				 strerror(-rc));
	return 0;
}

static int run_sched(struct cli *c, int argc, char **argv)
{
	struct keel_domctl op = {.cmd = KEEL_DOMCTL_get_sched};
	uint64_t weight = 0, cap = 0;
	bool set_w = false, set_c = false;
	struct keel_domain_info d;
	int opt, rc;

	while ((opt = getopt(argc, argv, "w:c:")) != -1) {
		if (opt == 'w' && cli_number(optarg, 65535, &weight) && weight)
			set_w = true;
		else if (opt == 'c' && cli_number(optarg, 6400, &cap))
			set_c = true;
		else if (opt == 'w' || opt == 'c')
			return cli_error("sched: -%c %s: the weight is 1 to 65535, the cap a "
					 "percentage of one CPU (0: none)",
					 opt, optarg);
		else
			return cli_usage("sched");
	}
	if (argc - optind != 1)
		return cli_usage("sched");
	if (cli_find_domain(c, argv[optind], &d))
		return CLI_FAILED;
	op.domain = d.domid;
	rc = keel_domctl(cli_keel(c), &op);
	if (rc)
		return cli_error("sched %s: %s", d.name, strerror(-rc));
	if (set_w || set_c) {
		op.cmd = KEEL_DOMCTL_set_sched;
		if (set_w)
			op.u.sched.weight = (uint32_t)weight;
		if (set_c)
			op.u.sched.cap = (uint32_t)cap;
		rc = keel_domctl(c->keel, &op);
		if (rc)
			return cli_error("sched %s: weight %u cap %u: %s", d.name,
					 op.u.sched.weight, op.u.sched.cap, strerror(-rc));
		return 0;
	}
	printf("%-32s %5s %6s %4s\n", "Name", "ID", "Weight", "Cap");
	printf("%-32s %5u %6u %4u\n", d.name, d.domid, op.u.sched.weight, op.u.sched.cap);
	return 0;
}

static int mem(struct cli *c, int argc, char **argv, bool max)
{
	const char *cmd = max ? "mem-max" : "mem-set";
	struct keel_domain_info d;
	uint64_t mib;
	char path[64], val[32];
	int rc;

	if (argc != 3)
		return cli_usage(cmd);
	if (cli_find_domain(c, argv[1], &d))
		return CLI_FAILED;
	if (!cli_number(argv[2], 16384, &mib) || mib < 16)
		return cli_error("%s: \"%s\": give MiB, 16 to 16384", cmd, argv[2]);
	if (max) {
		rc = keel_domain_max_mem(cli_keel(c), d.domid, mib * 256);
		if (rc)
			return cli_error("mem-max %s %llu MiB: %s (it holds %llu MiB now)", d.name,
					 (unsigned long long)mib, strerror(-rc),
					 (unsigned long long)(d.pages / 256));
		return 0;
	}
	if (mib * 256 > d.max_pages)
		return cli_error("mem-set %s: %llu MiB is above its maximum %llu MiB (keel mem-max "
				 "raises it)",
				 d.name, (unsigned long long)mib,
				 (unsigned long long)(d.max_pages / 256));
	/* The guest's balloon driver watches memory/target (KiB) and gives or takes pages. */
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", d.domid);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)mib * 1024);
	if (!xs_write(cli_xs(c), XBT_NULL, path, val, strlen(val)))
		return cli_error("mem-set %s: writing %s: %s", d.name, path, strerror(errno));
	return 0;
}

static int run_mem_max(struct cli *c, int argc, char **argv)
{
	return mem(c, argc, argv, true);
}

static int run_mem_set(struct cli *c, int argc, char **argv)
{
	return mem(c, argc, argv, false);
}

const struct cli_command cli_vcpu_commands[] = {
    {"vcpu-list", run_vcpu_list, "[DOMAIN]", "Lists each vCPU with the CPUs it may run on."},
    {"vcpu-pin", run_vcpu_pin, "DOMAIN VCPU|all CPUS",
     "Sets the CPUs a vCPU may run on (hard affinity): CPUS is a list such as 0-3,5, or all."},
    {"sched", run_sched, "[-w WEIGHT] [-c CAP] DOMAIN",
     "Shows or sets the domain's fair-share parameters: -w the weight (1-65535, default\n"
     "256: CPU time shared in proportion), -c the cap (percent of one CPU, 0: none)."},
    {"mem-max", run_mem_max, "DOMAIN MIB", "Sets the most RAM the domain may hold."},
    {"mem-set", run_mem_set, "DOMAIN MIB",
     "Asks the guest's balloon driver for that much RAM (memory/target in xenstore)."},
    {NULL, NULL, NULL, NULL},
};
