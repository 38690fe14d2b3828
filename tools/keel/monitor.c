/* keel CLI: a created guest's monitor: on_poweroff, on_reboot, on_crash done when it ends. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "create.h"
#include "introduce.h"
#include "vbd.h"
#include "vif.h"

#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot	  1
#define SHUTDOWN_suspend  2
#define SHUTDOWN_crash	  3
#define SHUTDOWN_watchdog 4

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	char when[32];
	time_t now = time(NULL);
	va_list ap;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&now));
	printf("%s ", when);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static const char *reason_name(uint32_t r)
{
	static const char *const names[] = {"poweroff", "reboot", "suspend", "crash", "watchdog"};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown reason";
}

/* Its devices, its domain and its xenstore home, in that order. */
static void teardown(struct cli *c, uint16_t domid)
{
	char path[64];

	keel_vif_remove_all(cli_xs(c), domid);
	keel_vbd_remove_all(cli_xs(c), domid);
	keel_domain_destroy(cli_keel(c), domid);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xs_rm(cli_xs(c), XBT_NULL, path);
}

/* The monitor's life; returns its exit status. */
static int follow(struct cli *c, const struct keel_cfg *cfg, uint16_t domid)
{
	time_t restarts[MONITOR_MAX_RESTARTS] = {0};
	unsigned int nr_restarts = 0;

	logf_("monitoring %s (d%u)", cfg->name, domid);
	for (;;) {
		struct keel_domain_info info;
		enum keel_cfg_action act;
		struct keel_build b = {0};
		uint32_t why;
		int rc = keel_wait_ended(cli_keel(c), cli_xs(c), domid, 1e9, NULL, NULL, &info);

		if (rc || (info.flags & KEEL_DOMINFO_DYING)) {
			logf_("%s (d%u) is gone (destroyed)", cfg->name, domid);
			return 0;
		}
		why = (info.flags & KEEL_DOMINFO_CRASHED) ? SHUTDOWN_crash : info.shutdown_reason;
		act = why == SHUTDOWN_reboot				  ? cfg->on_reboot
		      : why == SHUTDOWN_crash || why == SHUTDOWN_watchdog ? cfg->on_crash
		      : why == SHUTDOWN_suspend				  ? KEEL_CFG_PRESERVE
									  : cfg->on_poweroff;
		/* Restarting in a loop: after too many in the window it is destroyed instead. */
		if (act == KEEL_CFG_RESTART) {
			time_t now = time(NULL);

			if (nr_restarts == MONITOR_MAX_RESTARTS &&
			    now - restarts[0] < MONITOR_RESTART_WINDOW_S) {
				logf_("%s (d%u): %u restarts within %d s: destroyed instead",
				      cfg->name, domid, MONITOR_MAX_RESTARTS,
				      MONITOR_RESTART_WINDOW_S);
				act = KEEL_CFG_DESTROY;
			} else {
				if (nr_restarts == MONITOR_MAX_RESTARTS)
					memmove(restarts, restarts + 1,
						sizeof(restarts[0]) * --nr_restarts);
				restarts[nr_restarts++] = now;
			}
		}
		logf_("%s (d%u) ended (%s): %s", cfg->name, domid, reason_name(why),
		      keel_cfg_action_name(act));
		if (act == KEEL_CFG_PRESERVE)
			return 0;
		teardown(c, domid);
		if (act == KEEL_CFG_DESTROY)
			return 0;
		if (create_domain(c, cfg, &b, false)) {
			logf_("%s: restarting failed (see above)", cfg->name);
			return 1;
		}
		domid = b.domid;
		logf_("%s restarted as d%u", cfg->name, domid);
	}
}

int monitor_spawn(const struct keel_cfg *cfg, uint16_t domid)
{
	char log[128];
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid < 0 ? -1 : (int)pid;
	/* The child: its own session, its own log, its own handles (the parent's stay its own). */
	setsid();
	mkdir("/var/log/keel", 0755);
	snprintf(log, sizeof(log), "/var/log/keel/%s.monitor.log", cfg->name);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	dup2(fd, STDIN_FILENO);
	close(fd);
	{
		struct cli own = {0};

		_exit(follow(&own, cfg, domid));
	}
}
