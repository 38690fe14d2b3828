/* keel CLI: create (a guest from an xl.cfg-syntax file) and console (attach to its pty). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "build.h"
#include "cli.h"
#include "config.h"
#include "create.h"
#include "introduce.h"
#include "read_file.h"
#include "vbd.h"
#include "vif.h"

#define TTY_WAIT_S 10	/* for keel-consoled to publish console/tty */
#define VBD_WAIT_S 30	/* for blkback to take a disk */
#define VIF_WAIT_S 30	/* for netback to make vifD.N */
#define DETACH_KEY 0x1d /* Ctrl-] */

static void report(void *ctx, int is_error, const char *msg)
{
	(void)ctx;
	(void)is_error;
	fprintf(stderr, "%s\n", msg);
}

/* What the domain should do after it is built: weight and cap, vCPU affinities, maxmem. */
static int tune(struct cli *c, const struct keel_cfg *cfg, uint16_t domid)
{
	struct keel_domctl op = {.cmd = KEEL_DOMCTL_set_sched, .domain = domid};
	struct keel_sysctl_physinfo pi;
	int rc;

	op.u.sched.weight = cfg->weight;
	op.u.sched.cap = cfg->cap;
	if ((rc = keel_domctl(c->keel, &op)))
		return cli_error("%s: weight %u cap %u: %s", cfg->name, cfg->weight, cfg->cap,
				 strerror(-rc));
	/* The host's CPU count, once for every vCPU's mask; unknown: no pinning. */
	if (keel_physinfo(c->keel, &pi))
		pi.nr_cpus = 0;
	for (unsigned int v = 0; pi.nr_cpus && v < cfg->vcpus; v++) {
		uint64_t mask = cfg->vcpu_cpumask[v];

		if (!mask || mask == ~0ULL)
			continue;
		if (pi.nr_cpus < 64)
			mask &= (1ULL << pi.nr_cpus) - 1;
		op = (struct keel_domctl){.cmd = KEEL_DOMCTL_set_affinity, .domain = domid};
		op.u.affinity.vcpu = v;
		op.u.affinity.cpumap = mask;
		if (!mask || (rc = keel_domctl(c->keel, &op)))
			return cli_error("%s: cpus: vCPU %u may run on no CPU this host has",
					 cfg->name, v);
	}
	if (cfg->maxmem_mib > cfg->memory_mib &&
	    (rc = keel_domain_max_mem(c->keel, domid, cfg->maxmem_mib * 256)))
		return cli_error("%s: maxmem %llu MiB: %s", cfg->name,
				 (unsigned long long)cfg->maxmem_mib, strerror(-rc));
	return 0;
}

static int console_attach(struct cli *c, uint16_t domid, const char *name);
static int start(struct cli *c, const struct keel_cfg *cfg, struct keel_build *b, bool paused);

int create_domain(struct cli *c, const struct keel_cfg *cfg, struct keel_build *b, bool paused)
{
	int rc;

	b->name = cfg->name;
	b->nr_vcpus = cfg->vcpus;
	b->mem_pages = cfg->memory_mib * 256;
	b->cmdline = cfg->cmdline;
	rc = start(c, cfg, b, paused);
	free((void *)b->image);
	free((void *)b->initrd);
	b->image = b->initrd = NULL;
	return rc;
}

/* Read the kernel and initrd, build, tune, introduce, unpause; what was built goes on failure. */
static int start(struct cli *c, const struct keel_cfg *cfg, struct keel_build *b, bool paused)
{
	char err[256];
	int rc;

	b->image = keel_read_file(cfg->kernel, KEEL_MAX_IMAGE_FILE, &b->image_len);
	if (!b->image)
		return cli_error("%s: kernel %s: %s", cfg->name, cfg->kernel, strerror(errno));
	if (cfg->ramdisk &&
	    !(b->initrd = keel_read_file(cfg->ramdisk, KEEL_MAX_IMAGE_FILE, &b->initrd_len)))
		return cli_error("%s: ramdisk %s: %s", cfg->name, cfg->ramdisk, strerror(errno));
	if (keel_build_elf(cli_keel(c), b))
		return cli_error("%s: %s", cfg->name, b->error);
	rc = tune(c, cfg, b->domid);
	if (!rc && keel_xs_introduce(cli_xs(c), b, cfg->memory_mib * 1024, cfg->maxmem_mib * 1024,
				     err, sizeof(err)))
		rc = cli_error("%s: %s", cfg->name, err);
	for (unsigned int i = 0; !rc && i < cfg->nr_disks; i++) {
		const struct keel_cfg_disk *k = &cfg->disks[i];
		struct keel_vbd v = {k->target, k->vdev, k->vdev_id, k->readonly};

		if (keel_vbd_attach(cli_xs(c), b->domid, &v, VBD_WAIT_S, err, sizeof(err)))
			rc = cli_error("%s: disk %s: %s", cfg->name, k->vdev, err);
	}
	for (unsigned int i = 0; !rc && i < cfg->nr_vifs; i++) {
		const struct keel_cfg_vif *k = &cfg->vifs[i];
		struct keel_vif v = {i, k->mac, k->bridge, k->script};
		char mac[18];

		if (!k->mac[0]) { /* Xen's OUI and three octets of this domain's own */
			snprintf(mac, sizeof(mac), "00:16:3e:%02x:%02x:%02x",
				 (b->domid >> 8) & 0x7f, b->domid & 0xff, i & 0xff);
			v.mac = mac;
		}
		if (keel_vif_attach(cli_xs(c), b->domid, &v, VIF_WAIT_S, err, sizeof(err)))
			rc = cli_error("%s: vif %u: %s", cfg->name, i, err);
	}
	if (!rc && !paused && (rc = keel_domain_unpause(c->keel, b->domid)))
		rc = cli_error("%s: unpause: %s", cfg->name, strerror(-rc));
	if (rc) {
		keel_vif_remove_all(cli_xs(c), b->domid);
		keel_vbd_remove_all(cli_xs(c), b->domid);
		keel_domain_destroy(c->keel, b->domid);
	}
	return rc;
}

static int run_create(struct cli *c, int argc, char **argv)
{
	struct keel_cfg_hooks hooks = {.report = report};
	struct keel_build b = {0};
	struct keel_cfg cfg;
	bool console = false, paused = false;
	int opt, rc;

	while ((opt = getopt(argc, argv, "cp")) != -1)
		if (opt == 'c')
			console = true;
		else if (opt == 'p')
			paused = true;
		else
			return cli_usage("create");
	if (optind >= argc)
		return cli_usage("create");
	if (keel_cfg_load(argv[optind], argv + optind + 1, argc - optind - 1, &hooks, &cfg))
		return cli_error("%s: not created (fix the errors above)", argv[optind]);
	rc = create_domain(c, &cfg, &b, paused);
	if (!rc) {
		printf("Started domain %s (id %u)%s\n", cfg.name, b.domid,
		       paused ? ", paused" : "");
		fflush(stdout);
		if (monitor_spawn(&cfg, b.domid) < 0)
			cli_error("%s: no monitor (fork: %s): on_poweroff, on_reboot and on_crash "
				  "will not be done",
				  cfg.name, strerror(errno));
		if (console)
			rc = console_attach(c, b.domid, cfg.name);
	}
	keel_cfg_free(&cfg);
	return rc;
}

/* Until keel-consoled has published console/tty (bounded); a malloc'd path, or NULL. */
static char *tty_of(struct cli *c, uint16_t domid)
{
	char path[64];
	time_t end = time(NULL) + TTY_WAIT_S;

	snprintf(path, sizeof(path), "/local/domain/%u/console/tty", domid);
	for (;;) {
		unsigned int len;
		char *tty = xs_read(cli_xs(c), XBT_NULL, path, &len);

		if (tty || time(NULL) > end)
			return tty;
		nanosleep(&(struct timespec){0, 100000000}, NULL);
	}
}

static int console_attach(struct cli *c, uint16_t domid, const char *name)
{
	struct termios saved, raw;
	bool is_tty = isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved);
	char *tty = tty_of(c, domid);
	int fd, rc = 0;

	if (!tty)
		return cli_error(
		    "console %s: no console/tty after %d s (is keel-consoled running?)", name,
		    TTY_WAIT_S);
	fd = open(tty, O_RDWR | O_NOCTTY);
	if (fd < 0) {
		rc = cli_error("console %s: %s: %s", name, tty, strerror(errno));
		free(tty);
		return rc;
	}
	fprintf(stderr, "keel: connected to %s's console (%s); Ctrl-] detaches\n", name, tty);
	free(tty);
	if (is_tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	for (;;) {
		struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {fd, POLLIN, 0}};
		char buf[4096];
		ssize_t n;

		if (poll(p, 2, -1) < 0)
			break;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				break; /* the domain went away: keel-consoled closed the pty */
			if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			char *k;

			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				break;
			k = memchr(buf, DETACH_KEY, (size_t)n);
			if (k)
				n = k - buf;
			if (n > 0 && write(fd, buf, (size_t)n) < 0)
				break;
			if (k)
				break;
		}
	}
	if (is_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(fd);
	fprintf(stderr, "\nkeel: left %s's console\n", name);
	return rc;
}

static int run_console(struct cli *c, int argc, char **argv)
{
	struct keel_domain_info d;

	if (argc != 2)
		return cli_usage("console");
	if (cli_find_domain(c, argv[1], &d))
		return CLI_FAILED;
	return console_attach(c, d.domid, d.name);
}

const struct cli_command cli_create_commands[] = {
    {"create", run_create, "[-c] [-p] CONFIG [KEY=VALUE...]",
     "Builds and starts a guest from an xl.cfg-syntax file (docs/config.md); KEY=VALUE\n"
     "settings after it override the file's. The whole file is checked first: each problem\n"
     "as FILE:LINE: KEY: what is wrong, and the fix.\n"
     "  -c  attach to its console once it runs (Ctrl-] detaches)\n"
     "  -p  leave it paused (keel unpause starts it)"},
    {"console", run_console, "DOMAIN",
     "Attaches the terminal to the domain's console (keel-consoled's pty); Ctrl-] detaches."},
    {NULL, NULL, NULL, NULL},
};
