/* How domains end: guest shutdown, crashes Keel imposes, reaping, and powering off after the last. */
#include <keel/arch_vcpu.h>
#include <keel/cmdline.h>
#include <keel/domain.h>
#include <keel/domain_build.h>
#include <keel/event_channel.h>
#include <keel/grant_table.h>
#include <keel/mm.h>
#include <keel/power.h>
#include <keel/printk.h>
#include <keel/softirq.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/event_channel.h>
#include <public/sched.h>
#include <stdarg.h>

static bool opt_keep_running;
KEEL_PARAM_BOOL(keep_running, opt_keep_running,
		"keep Keel running (idle) after the last domain has ended instead of powering off");

bool keep_running_requested(void)
{
	return opt_keep_running;
}

/* Set once boot-time domains were started, so that the end of the last one ends Keel. */
bool domains_started;

/* A domain ended since CPU 0 last told the privileged domains (VIRQ_DOM_EXC). */
static bool dom_exc_pending;

static const char *reason_name(unsigned int reason)
{
	static const char *const names[] = {"poweroff", "reboot",   "suspend",
					    "crash",	"watchdog", "soft_reset"};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "unknown";
}

static void stop_vcpus(struct domain *d)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_pause_nosync(d->vcpus[i]);
}

static void log_exit_stat(const char *name, u64 count, void *ctx)
{
	const struct vcpu *v = ctx;

	pr_info("  d%u vCPU %u: %llu x %s", v->domain->id, v->id, count, name);
}

static void end_domain(struct domain *d, enum domain_state state, enum domain_end_action action)
{
	d->state = state;
	d->life.ended_ns = now_ns();
	stop_vcpus(d);
	/* Told from CPU 0's reap pass, where no lock of the caller's is held. */
	__atomic_store_n(&dom_exc_pending, true, __ATOMIC_SEQ_CST);
	softirq_raise_on(0, SOFTIRQ_SCHEDULE);
	if (action == ACTION_PRESERVE) {
		pr_info("domain: d%u '%s' kept for inspection (on_* = preserve)", d->id, d->name);
		return;
	}
	d->life.restart = action == ACTION_RESTART && d->life.build_cfg;
	if (action == ACTION_RESTART && !d->life.build_cfg)
		pr_warn(
		    "domain: d%u '%s' cannot be restarted (not a boot-time domain); destroying it",
		    d->id, d->name);
	d->life.dying = true;
}

/*
 * A reason recorded with SCHEDOP_shutdown_code wins over the one given here (as in Xen: a guest
 * that records "crash" and then triple-faults has crashed). poweroff ends per on_poweroff;
 * reboot, and soft_reset (Keel cannot reset a domain in place: it rebuilds it), per on_reboot;
 * crash and watchdog per on_crash. (suspend is refused by sched_op before it gets here.)
 */
void domain_shutdown(struct domain *d, unsigned int reason)
{
	u32 code = __atomic_load_n(&d->pv.shutdown_code, __ATOMIC_SEQ_CST);

	if (d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_CRASHED || d->life.dying)
		return;
	if (code)
		reason = code - 1;
	d->life.shutdown_reason = reason;
	pr_info("domain: d%u '%s' shut down: %s%s", d->id, d->name, reason_name(reason),
		reason == SHUTDOWN_soft_reset ? " (as a reboot)" : "");
	if (reason == SHUTDOWN_crash || reason == SHUTDOWN_watchdog)
		end_domain(d, DOMAIN_CRASHED, d->life.on_crash);
	else if (reason == SHUTDOWN_reboot || reason == SHUTDOWN_soft_reset)
		end_domain(d, DOMAIN_SHUTDOWN, d->life.on_reboot);
	else
		end_domain(d, DOMAIN_SHUTDOWN, d->life.on_poweroff);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (d->state == DOMAIN_CRASHED || d->life.dying)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("domain: d%u '%s' crashed: %s", d->id, d->name, msg);
	end_domain(d, DOMAIN_CRASHED, d->life.on_crash);
}

void domain_kill(struct domain *d)
{
	stop_vcpus(d);
	d->life.ended_ns = d->life.ended_ns ?: now_ns();
	d->life.restart = false;
	__atomic_store_n(&dom_exc_pending, true, __ATOMIC_SEQ_CST);
	WRITE_ONCE(d->life.dying, true);
	softirq_raise_on(0, SOFTIRQ_SCHEDULE);
}

/*
 * Take @d's vCPUs out of the scheduler, so that no CPU can be handed one of them any more, and say
 * whether a CPU still holds one it was handed before (it lets go when it leaves the guest, and
 * then raises SOFTIRQ_SCHEDULE on CPU 0). Handing out and removing take the same run-queue lock,
 * so a vCPU is either held or can never be run again: never freed while about to run.
 */
static bool vcpus_still_held(struct domain *d)
{
	bool held = false;

	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		sched_remove(&d->vcpus[i]->sched);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		held |= sched_unit_held(&d->vcpus[i]->sched);
	return held;
}

/* Free memory when the boot-time domains were built, to check that their end gave it all back. */
static u64 frames_free_before;

void domains_note_free_memory(void)
{
	struct frame_stats st;

	heap_shrink();
	frames_get_stats(&st);
	frames_free_before = st.free_frames;
}

static void report_memory_returned(void)
{
	struct frame_stats st;

	heap_shrink();
	frames_get_stats(&st);
	if (st.free_frames == frames_free_before)
		pr_info("keel: all domains have ended; free memory is back to %llu frames",
			st.free_frames);
	else
		pr_err(
		    "keel: all domains have ended, but %lld frames were not returned (%llu free, %llu before)",
		    (long long)(frames_free_before - st.free_frames), st.free_frames,
		    frames_free_before);
}

/* dom0 powered off or rebooted: so does the machine, whatever else still runs. */
static void end_machine(bool reboot)
{
	unsigned int left = domains_alive();

	if (left == 0)
		report_memory_returned();
	pr_info("keel: dom0 ended (%s): %s the machine%s", reboot ? "reboot" : "poweroff",
		reboot ? "rebooting" : "powering off",
		left ? " (the other domains end with it)" : "");
	if (reboot)
		platform_reboot();
	platform_poweroff();
}

/* VIRQ_DOM_EXC to every privileged domain still alive (dom0: its toolstack looks at who ended). */
static void notify_dom_exc(struct domain *c, void *ctx)
{
	(void)ctx;
	if (c->privileged && !c->life.dying)
		evtchn_send_global_virq(c, VIRQ_DOM_EXC);
}

/* Destroy dying domains no CPU holds a vCPU of (CPU 0's loop); power off after the last one. */
void domain_reap(void)
{
	struct domain *d;

	if (__atomic_exchange_n(&dom_exc_pending, false, __ATOMIC_SEQ_CST))
		domain_for_each(notify_dom_exc, NULL);

	while ((d = domain_find_dying()) != NULL) {
		if (vcpus_still_held(d))
			return; /* again once the CPU holding it lets go */
		/* -- grant tables: its own foreign maps go first, so two domains never wait on
		 * each other; then it waits (a zombie) until no other domain maps its frames. -- */
		grant_release_maps(d);
		foreign_release_maps(d);
		if (__atomic_load_n(&d->refs, __ATOMIC_SEQ_CST))
			continue; /* domain_find_dying() skips it until domain_put() drops the last */
		/* -- end grant tables -- */
		if (!__atomic_exchange_n(&d->life.reaping, true, __ATOMIC_SEQ_CST)) {
			for (unsigned int i = 0; i < d->nr_vcpus; i++)
				arch_vcpu_exit_stats(d->vcpus[i], log_exit_stat, d->vcpus[i]);
			/* dom0's poweroff and reboot are the machine's (not with keep_running). */
			bool machine =
			    d->mem.identity && d->state == DOMAIN_SHUTDOWN && !opt_keep_running;
			bool reboot = d->life.shutdown_reason == SHUTDOWN_reboot ||
				      d->life.shutdown_reason == SHUTDOWN_soft_reset;
			const void *cfg = d->life.restart && !machine ? d->life.build_cfg : NULL;
			u64 ran_ns = d->life.started_ns && d->life.ended_ns > d->life.started_ns
					 ? d->life.ended_ns - d->life.started_ns
					 : 0;

			pr_info("domain: d%u '%s' destroyed (%llu pages scrubbed and freed)", d->id,
				d->name, d->mem.pages);
			domain_destroy(d);
			if (machine)
				end_machine(reboot);
			if (cfg)
				domain_rebuild(cfg, ran_ns);
		} else {
			return;
		}
	}
	if (domains_started && domains_alive() == 0 &&
	    __atomic_exchange_n(&domains_started, false, __ATOMIC_SEQ_CST)) {
		report_memory_returned();
		if (!opt_keep_running)
			platform_poweroff();
	}
}
