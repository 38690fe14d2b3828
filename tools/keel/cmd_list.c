/* keel CLI: list, info and dmesg: what Keel says about its domains, the host and its log. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_DOMAINS 256

static const char *state_word(const struct keel_domain_info *d)
{
	if (d->flags & KEEL_DOMINFO_DYING)
		return "dying";
	if (d->flags & KEEL_DOMINFO_CRASHED)
		return "crashed";
	if (d->flags & KEEL_DOMINFO_SHUTDOWN)
		return "shutdown";
	if (d->flags & KEEL_DOMINFO_PAUSED)
		return "paused";
	return "running";
}

/* One domain as `keel list --json` prints it (docs/toolstack.md: stable field names). */
static json_object *domain_json(const struct keel_domain_info *d)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "domid", json_object_new_int(d->domid));
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "state", json_object_new_string(state_word(d)));
	json_object_object_add(o, "privileged",
			       json_object_new_boolean(!!(d->flags & KEEL_DOMINFO_PRIVILEGED)));
	json_object_object_add(o, "vcpus", json_object_new_int((int32_t)d->nr_vcpus));
	json_object_object_add(o, "memory_kib", json_object_new_int64((int64_t)d->pages * 4));
	json_object_object_add(o, "max_memory_kib",
			       json_object_new_int64((int64_t)d->max_pages * 4));
	json_object_object_add(o, "cpu_time_ns", json_object_new_int64((int64_t)d->cpu_time_ns));
	if (d->flags & (KEEL_DOMINFO_SHUTDOWN | KEEL_DOMINFO_CRASHED))
		json_object_object_add(o, "shutdown_reason",
				       json_object_new_int((int32_t)d->shutdown_reason));
	return o;
}

static int run_list(struct cli *c, int argc, char **argv)
{
	static struct keel_domain_info doms[MAX_DOMAINS];
	bool json = false;
	json_object *arr;
	int opt, n;

	static const struct option longs[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};

	while ((opt = getopt_long(argc, argv, "j", longs, NULL)) != -1)
		if (opt == 'j')
			json = true;
		else
			return cli_usage("list");
	if (optind < argc) {
		for (n = 0; optind + n < argc; n++)
			if (n == MAX_DOMAINS || cli_find_domain(c, argv[optind + n], &doms[n]))
				return CLI_FAILED;
	} else if ((n = cli_domains(c, doms, MAX_DOMAINS)) < 0) {
		return CLI_FAILED;
	}
	if (json) {
		arr = json_object_new_array();
		for (int i = 0; i < n; i++)
			json_object_array_add(arr, domain_json(&doms[i]));
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_SPACED));
		json_object_put(arr);
		return 0;
	}
	printf("%-32s %5s %8s %5s %-6s %10s\n", "Name", "ID", "Mem", "VCPUs", "State", "Time(s)");
	for (int i = 0; i < n; i++) {
		char st[8];

		printf("%-32s %5u %8llu %5u %-6s %10.1f\n", doms[i].name, doms[i].domid,
		       (unsigned long long)(doms[i].pages / 256), doms[i].nr_vcpus,
		       cli_state(&doms[i], st), (double)doms[i].cpu_time_ns / 1e9);
	}
	return 0;
}

static int run_info(struct cli *c, int argc, char **argv)
{
	struct keel_sysctl_physinfo pi;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_usage("info");
	rc = keel_physinfo(cli_keel(c), &pi);
	if (rc)
		return cli_error("physinfo: %s", strerror(-rc));
	printf("keel_version           : %.*s\n", (int)sizeof(pi.version), pi.version);
	printf("keel_commandline       : %.*s\n", (int)sizeof(pi.cmdline), pi.cmdline);
	printf("nr_cpus                : %u\n", pi.nr_cpus);
	printf("total_memory           : %llu\n", (unsigned long long)(pi.total_pages / 256));
	printf("free_memory            : %llu\n", (unsigned long long)(pi.free_pages / 256));
	return 0;
}

static int run_dmesg(struct cli *c, int argc, char **argv)
{
	static char buf[65536];
	uint64_t index = 0;
	uint32_t flags = 0;
	int opt;

	while ((opt = getopt(argc, argv, "c")) != -1)
		if (opt == 'c')
			flags = KEEL_READLOG_CLEAR;
		else
			return cli_usage("dmesg");
	if (optind != argc)
		return cli_usage("dmesg");
	for (;;) {
		size_t size;
		char *lbuf = keel_buffer(cli_keel(c), &size);
		struct keel_sysctl op = {.cmd = KEEL_SYSCTL_readlog};
		size_t room = size - sizeof(op) < sizeof(buf) ? size - sizeof(op) : sizeof(buf);
		int rc;

		op.u.readlog.index = index;
		op.u.readlog.buffer = (uint64_t)(uintptr_t)(lbuf + sizeof(op));
		op.u.readlog.size = (uint32_t)room;
		op.u.readlog.flags = flags;
		rc = keel_sysctl(c->keel, &op);
		if (rc)
			return cli_error("reading Keel's log: %s", strerror(-rc));
		if (!op.u.readlog.size)
			return 0;
		memcpy(buf, lbuf + sizeof(op), op.u.readlog.size);
		fwrite(buf, 1, op.u.readlog.size, stdout);
		index = op.u.readlog.index;
	}
}

const struct cli_command cli_list_commands[] = {
    {"list", run_list, "[-j|--json] [DOMAIN...]",
     "Lists the domains (all, or those named): name, id, memory in MiB, vCPUs, state\n"
     "(r running, p paused, s shut down, c crashed, d dying) and CPU time.\n"
     "  -j, --json  JSON instead: an array of objects with domid, name, state (running, paused,\n"
     "      shutdown, crashed, dying), privileged, vcpus, memory_kib, max_memory_kib,\n"
     "      cpu_time_ns and, once ended, shutdown_reason (docs/toolstack.md)."},
    {"info", run_info, "", "Prints the host: Keel's version and command line, CPUs, memory."},
    {"dmesg", run_dmesg, "[-c]",
     "Prints Keel's log ring.\n  -c  clear it: later reads start after what was printed."},
    {NULL, NULL, NULL, NULL},
};
