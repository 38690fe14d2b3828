/* keel-hostinfo: what Keel says of the host and its domains, through libkeel (a dom0 smoke tool). */
#include "libkeel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_DOMAINS 256

static const char *state_of(uint32_t f)
{
	return (f & KEEL_DOMINFO_DYING)	     ? "dying"
	       : (f & KEEL_DOMINFO_CRASHED)  ? "crashed"
	       : (f & KEEL_DOMINFO_SHUTDOWN) ? "shutdown"
	       : (f & KEEL_DOMINFO_PAUSED)   ? "paused"
	       : (f & KEEL_DOMINFO_RUNNING)  ? "running"
					     : "?";
}

int main(void)
{
	static struct keel_domain_info doms[MAX_DOMAINS];
	struct keel_sysctl_physinfo pi;
	struct keel_handle *h = keel_open();
	unsigned int n = 0;
	int rc;

	if (!h) {
		fprintf(stderr, "keel-hostinfo: cannot open privcmd: %s\n", strerror(errno));
		return 1;
	}
	rc = keel_physinfo(h, &pi);
	if (rc) {
		fprintf(stderr, "keel-hostinfo: physinfo: %s\n", strerror(-rc));
		keel_close(h);
		return 1;
	}
	pi.version[sizeof(pi.version) - 1] = pi.cmdline[sizeof(pi.cmdline) - 1] = '\0';
	printf("keel %s, %u CPUs, %llu MiB, %llu MiB free, command line: %s\n", pi.version,
	       pi.nr_cpus, (unsigned long long)(pi.total_pages >> 8),
	       (unsigned long long)(pi.free_pages >> 8), pi.cmdline);
	rc = keel_domain_list(h, 0, doms, MAX_DOMAINS, &n);
	if (rc) {
		fprintf(stderr, "keel-hostinfo: domain list: %s\n", strerror(-rc));
		keel_close(h);
		return 1;
	}
	printf("%-5s %-31s %-9s %6s %9s %12s\n", "id", "name", "state", "vcpus", "mem MiB",
	       "cpu s");
	for (unsigned int i = 0; i < n; i++) {
		doms[i].name[sizeof(doms[i].name) - 1] = '\0';
		printf("%-5u %-31s %-9s %6u %9llu %12.1f\n", doms[i].domid, doms[i].name,
		       state_of(doms[i].flags), doms[i].nr_vcpus,
		       (unsigned long long)(doms[i].pages >> 8), (double)doms[i].cpu_time_ns / 1e9);
	}
	keel_close(h);
	return 0;
}
