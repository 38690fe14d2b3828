/* Boot-time domains: build each domain described by GRUB modules and start it at its PVH entry. */
#include <keel/console_ring.h>
#include <keel/device_owner.h>
#include <keel/dom0_build.h>
#include <keel/domain.h>
#include <keel/domain_build.h>
#include <keel/domain_config.h>
#include <keel/domain_devices.h>
#include <keel/domain_shm.h>
#include <keel/elf_loader.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>
#include <keel/kernel_image.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/pvh_info.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/start_info.h>

#define MAX_BOOT_DOMAINS 16
#define START_INFO_BUF	 12288

/*
 * A domain restarted this often in a row is broken: it is destroyed instead. A run that lasted
 * RESTART_HEALTHY_NS or more was healthy: the restart after it counts as the first again.
 */
#define MAX_RESTARTS	   3
#define RESTART_HEALTHY_NS (10ULL * 1000000000ULL) /* 10 s */

BUILD_BUG_ON(MAX_BOOT_DOMAINS > DEVOWN_MAX_DOMAINS); /* each may claim a full list */

static struct domain_config boot_cfgs[MAX_BOOT_DOMAINS];
static const struct boot_info *boot_bi; /* the loader's map and ACPI, for dom0 */
static unsigned int boot_restarts[MAX_BOOT_DOMAINS];
static bool boot_refused[MAX_BOOT_DOMAINS]; /* its devices were refused: never started */

static int write_cb(void *ctx, u64 gpa, const void *src, size_t len)
{
	return domain_copy_to_gpa(ctx, gpa, src, len);
}

static int zero_cb(void *ctx, u64 gpa, size_t len)
{
	return domain_zero_gpa(ctx, gpa, len);
}

static enum domain_end_action end_action(enum domcfg_action a)
{
	return a == DOMCFG_PRESERVE  ? ACTION_PRESERVE
	       : a == DOMCFG_RESTART ? ACTION_RESTART
				     : ACTION_DESTROY;
}

/* Copy the ramdisks after the kernel and build the start info after them. */
/* The first address from @next up where @size bytes of RAM of @d fit, page aligned; 0: none. */
static u64 next_ram(struct domain *d, u64 next, u64 size)
{
	next = ALIGN_UP(next, PAGE_SIZE);
	if (domain_range_is_ram(d, next, size))
		return next;
	if (!d->mem.map)
		return 0;
	for (unsigned int i = 0; i < d->mem.nr_map; i++) {
		const struct pvh_memmap_entry *e = &d->mem.map[i];
		u64 at = ALIGN_UP(MAX(next, e->addr), PAGE_SIZE);

		if (e->type == PVH_MEMMAP_RAM && at >= e->addr && at < e->addr + e->size &&
		    domain_range_is_ram(d, at, size))
			return at;
	}
	return 0;
}

static int place_modules_and_start_info(struct domain *d, const struct domain_config *c, u64 next,
					u64 rsdp, u64 *start_info_gpa)
{
	struct pvh_module_desc mods[DOMCFG_MAX_RAMDISKS];
	struct pvh_start_params p;
	char *cmdline;
	void *buf;
	int len, rc;

	for (unsigned int i = 0; i < c->nr_ramdisks; i++) {
		const struct domcfg_ramdisk *r = &c->ramdisks[i];
		u64 size = r->end - r->start;

		next = next_ram(d, next, size);
		if (!next)
			return -ENOSPC;
		rc = domain_copy_to_gpa(d, next, paddr_to_virt(r->start), size);
		if (rc)
			return rc;
		mods[i] = (struct pvh_module_desc){next, size, r->cmdline};
		next += size;
	}
	memset(&p, 0, sizeof(p));
	p.mem_bytes = d->mem.bytes;
	p.map = d->mem.map;
	p.nr_map = d->mem.nr_map;
	cmdline = kmalloc(DOMAIN_SHM_CMDLINE_MAX); /* with the shared regions' parameters */
	if (!cmdline)
		return -ENOMEM;
	rc = domain_shm_cmdline(d, c->cmdline, cmdline, DOMAIN_SHM_CMDLINE_MAX);
	p.cmdline = cmdline;
	p.modules = mods;
	p.nr_modules = c->nr_ramdisks;
	p.flags = c->dom0 ? PVH_SIF_PRIVILEGED | PVH_SIF_INITDOMAIN : 0;
	p.rsdp_paddr = rsdp;
	next = next_ram(d, next, PAGE_SIZE);
	buf = rc ? NULL : kzalloc(START_INFO_BUF);
	if (!buf) {
		kfree(cmdline);
		return rc ?: -ENOMEM;
	}
	len = pvh_build_start_info(&p, next, buf, START_INFO_BUF);
	rc = len < 0 ? len : 0;
	if (!rc && !domain_range_is_ram(d, next, (u64)len))
		rc = -ENOSPC;
	if (!rc)
		rc = domain_copy_to_gpa(d, next, buf, (size_t)len);
	kfree(buf);
	kfree(cmdline);
	*start_info_gpa = next;
	return rc;
}

/*
 * The domain's pool, weight, cap, pinning and real-time reservation, before it starts. A pool or
 * reservation that cannot be had refuses the domain (logged naming it): it must not run
 * without the guarantees its line asks for. A bad weight or pinning only warns, as before.
 */
static int apply_sched_params(struct domain *d, const struct domain_config *c)
{
	struct sched_pool *pool = c->pool[0] ? sched_pool_find(c->pool) : NULL;
	char why[160];
	int rc;

	if (c->pool[0] && !pool) {
		pr_err("domain: '%s' refused: pool=%s: no such pool with CPUs (Keel's pools= "
		       "option names them)",
		       c->name, c->pool);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct sched_unit *u = &d->vcpus[i]->sched;

		if (sched_set_params(u, c->weight, c->cap))
			pr_warn("domain: d%u: weight %u / cap %u refused", d->id, c->weight,
				c->cap);
		if (pool) {
			/* Pinned first where the pool allows it, so that the move honours it. */
			u->affinity = c->vcpu_cpus[i];
			rc = sched_set_pool(u, pool, why, sizeof(why));
			if (rc) {
				pr_err("domain: '%s' refused: vCPU %u cannot join pool %s: %s",
				       c->name, i, pool->name, why);
				return rc;
			}
		} else if (sched_set_affinity(u, c->vcpu_cpus[i], 0) == -EINVAL) {
			pr_warn("domain: d%u vCPU %u: no usable CPU in its pinning; left unpinned",
				d->id, i);
		}
		if (!c->rt_budget_ns)
			continue;
		rc =
		    sched_set_rt(u, c->rt_budget_ns, c->rt_period_ns, c->rt_prio, why, sizeof(why));
		if (rc) {
			pr_err(
			    "domain: '%s' refused: vCPU %u: reservation %llu us every %llu us: %s",
			    c->name, i, c->rt_budget_ns / 1000, c->rt_period_ns / 1000, why);
			return rc;
		}
	}
	if (c->rt_budget_ns)
		pr_info("domain: '%s': %u vCPU%s reserved %llu us every %llu us, priority %u",
			c->name, d->nr_vcpus, d->nr_vcpus > 1 ? "s" : "", c->rt_budget_ns / 1000,
			c->rt_period_ns / 1000, c->rt_prio);
	return 0;
}

/*
 * The kernel module as a checked PVH ELF in @ki / @info (a bzImage is decompressed first).
 * A refusal is logged naming the module; then @ki holds nothing.
 */
static int open_kernel(const struct domain_config *c, struct kernel_image *ki,
		       struct elf_pvh_info *info)
{
	char label[DOMCFG_NAME_MAX + DOMCFG_PATH_MAX + 24], err[KERNEL_IMAGE_ERR_MAX];
	const char *what = "";
	int rc;

	snprintf(label, sizeof(label), "module %u ('%s'%s%s)", c->module, c->name,
		 c->path[0] ? ", " : "", c->path);
	rc = kernel_image_open(paddr_to_virt(c->kernel_start),
			       (size_t)(c->kernel_end - c->kernel_start), label, ki, err,
			       sizeof(err));
	if (!rc && elf_pvh_inspect(ki->elf, ki->elf_size, info, err, sizeof(err))) {
		rc = -EINVAL;
		what = ki->from_bzimage ? "the ELF inside the bzImage: " : "";
		kernel_image_close(ki);
	}
	if (rc)
		pr_err("domain: %s refused: %s%s", label, what, err);
	return rc;
}

/* Build and start one domain. Errors name the module and the reason; Keel runs on. */
static int build_one(const struct domain_config *c)
{
	struct kernel_image ki;
	struct elf_pvh_info info;
	struct domain *d;
	u64 si_gpa = 0, rsdp = GUEST_ACPI_GPA; /* domain_load_acpi() puts them there */
	bool identity = c->dom0 && dom0_mem_plan()->present;
	int rc;

	rc = open_kernel(c, &ki, &info);
	if (rc)
		return rc;
	d = domain_create(c->dom0 ? 0 : DOMID_AUTO, c->name, c->vcpus, c->dom0);
	if (!d) {
		kernel_image_close(&ki);
		pr_err("domain: cannot create '%s' (out of memory or no VT-x)", c->name);
		return -ENOMEM;
	}
	d->life.build_cfg = c;
	d->life.on_poweroff = end_action(c->on_poweroff);
	d->life.on_reboot = end_action(c->on_reboot);
	d->life.on_crash = end_action(c->on_crash);
	if (identity)
		rc = dom0_build_platform(d, boot_bi, &rsdp);
	else
		rc = domain_devices_populate_ram(d, c);
	for (unsigned int i = 0; !rc && i < info.nr_segments; i++)
		if (!domain_range_is_ram(d, info.segments[i].paddr, info.segments[i].memsz))
			rc = -ERANGE;
	if (rc == -ERANGE)
		pr_err("domain: '%s': the kernel loads outside its %llu MiB of RAM", c->name,
		       d->mem.bytes >> 20);
	rc = rc ?: elf_pvh_load(ki.elf, &info, write_cb, zero_cb, d);
	kernel_image_close(&ki); /* the decompressed copy, if any, is no longer needed */
	rc = rc ?: domain_devices_assign(d, c); /* before its MADT, which lists its IO-APIC */
	if (!identity)
		rc = rc ?: domain_load_acpi(d);
	rc = rc ?: domain_shm_attach(d, c); /* its shared regions and their doorbells */
	rc = rc ?: place_modules_and_start_info(d, c, info.paddr_hi, rsdp, &si_gpa);
	/* evtchn: its PV console (hvc0); dom0's hvc0 is console_io, its special pages are MMIO. */
	if (!identity)
		rc = rc ?: console_ring_setup(d);
	if (rc) {
		pr_err("domain: building '%s' failed (%d)", c->name, rc);
		domain_destroy(d);
		return rc;
	}
	rc = apply_sched_params(d, c);
	if (rc) {
		domain_destroy(d);
		return rc;
	}
	rc = vcpu_start_pvh(d->vcpus[0], info.entry, (u32)si_gpa);
	if (rc) {
		domain_destroy(d);
		return rc;
	}
	d->life.started_ns = now_ns();
	domain_unpause(d);
	pr_info("domain: d%u '%s' started: %llu MiB%s, %u vCPU%s, entry %#x, start info at %#llx",
		d->id, d->name, d->mem.bytes >> 20, identity ? " 1:1" : "", c->vcpus,
		c->vcpus > 1 ? "s" : "", info.entry, si_gpa);
	return 0;
}

int domain_rebuild(const void *cfg, u64 ran_ns)
{
	const struct domain_config *c = cfg;
	unsigned int i = (unsigned int)(c - boot_cfgs);

	if (i >= MAX_BOOT_DOMAINS)
		return -EINVAL;
	if (ran_ns >= RESTART_HEALTHY_NS && boot_restarts[i]) {
		pr_info("domain: '%s' ran %llu s before it ended: a healthy run, restarts count "
			"from 0 again",
			c->name, ran_ns / 1000000000ULL);
		boot_restarts[i] = 0;
	}
	if (++boot_restarts[i] > MAX_RESTARTS) {
		pr_err("domain: '%s' was restarted %u times in a row; not restarting it again",
		       c->name, MAX_RESTARTS);
		return -ELOOP;
	}
	pr_info("domain: restarting '%s' (restart %u of at most %u)", c->name, boot_restarts[i],
		MAX_RESTARTS);
	return build_one(c);
}

unsigned int domains_build_from_modules(const struct boot_info *bi)
{
	unsigned int skipped = 0, started = 0;
	int n = domcfg_group_modules(bi, boot_cfgs, MAX_BOOT_DOMAINS, &skipped);

	boot_bi = bi;
	if (n > 0)
		n = (int)domain_shm_setup(boot_cfgs, (unsigned int)n); /* pairs them, or drops */

	if (n <= 0) {
		pr_info("keel: no domains to start (no kernel modules were given)");
		return 0;
	}
	domains_note_free_memory();
	pr_info("keel: starting %d boot-time domain%s%s", n, n > 1 ? "s" : "",
		boot_cfgs[0].dom0 ? " (with dom0)" : " (dom0-less)");
	/* Every domain's devices are claimed first: dom0, built first, must not get them. */
	domain_devices_claim_all(boot_cfgs, boot_refused, (unsigned int)n, bi);
	for (int i = 0; i < n; i++)
		if (!boot_refused[i] && build_one(&boot_cfgs[i]) == 0)
			started++;
	if (started)
		domains_started = true;
	return started;
}
