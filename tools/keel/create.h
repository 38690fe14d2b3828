/* keel CLI: building a guest from its parsed config, and the monitor that follows its life. */
#ifndef KEEL_CREATE_H
#define KEEL_CREATE_H

#include <stdbool.h>
#include <stdint.h>

#include "build.h"
#include "cli.h"
#include "config.h"

/*
 * Build the guest @cfg describes into @b (name, vCPUs, memory, command line set here; the kernel
 * and initrd read and freed here), tune it, introduce it, attach its disks and unpause it unless
 * @paused. 0, or CLI_FAILED with a message; nothing is left behind on failure.
 */
int create_domain(struct cli *c, const struct keel_cfg *cfg, struct keel_build *b, bool paused);

/*
 * A background process (setsid, its log in /var/log/keel/NAME.monitor.log) that waits for
 * domain @domid's end and does what @cfg says for it: on_poweroff, on_reboot, on_crash (a
 * watchdog counts as a crash). destroy: its devices, xenstore home and the domain go; restart:
 * the same, then the guest is built again from @cfg (more than MONITOR_MAX_RESTARTS within
 * MONITOR_RESTART_WINDOW_S and it is destroyed instead); preserve: left as it is. The monitor
 * ends with the domain (also when someone else destroys it). Returns its pid, or -1.
 */
#define MONITOR_MAX_RESTARTS	 5
#define MONITOR_RESTART_WINDOW_S 60
int monitor_spawn(const struct keel_cfg *cfg, uint16_t domid);

#endif
