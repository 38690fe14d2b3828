/* libFuzzer target for common/domain_config.c, its shm= and device keys: a line, then module sets. */
#include <keel/compiler.h>
#include <keel/domain_config.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <stdlib.h>

void shim_printk_reset(void); /* tests/unit/shim_lib_printk.c */

static struct domain_config cfg;
static struct domain_config cfgs[4];
static struct boot_info bi;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Input bytes >= 0x80 stand for these words, so mutations reach every key quickly. */
static const char *const tokens[] = {" ",
				     "name=",
				     "mem=",
				     "vcpus=",
				     "cpus=",
				     "cpus.1=",
				     "cpus.0=",
				     "weight=",
				     "cap=",
				     "on_crash=",
				     "on_reboot=",
				     "on_poweroff=",
				     "type=",
				     "ramdisk",
				     "kernel",
				     "dom0",
				     "dom0=",
				     "--",
				     "all",
				     "destroy",
				     "restart",
				     "preserve",
				     "yes",
				     "no",
				     "K",
				     "M",
				     "G",
				     "0-3",
				     ",",
				     "-",
				     "64M",
				     "/boot/x.elf ",
				     "type=ramdisk",
				     "1048576",
				     "18446744073709551616",
				     "\n",
				     "shm=",
				     "shm=ring:64K@0xe0000000:rw",
				     ":",
				     "@",
				     "0x",
				     "0xfee00000",
				     "0xc0000000",
				     ":rw",
				     ":ro",
				     "4K@",
				     "ioports=",
				     "iomem=",
				     "irqs=",
				     "0x",
				     "0x2f8-0x2ff",
				     "0xb8000-0xb8fff",
				     "fff",
				     "000"};

/* Expand @data into a NUL-terminated string in an exact-size heap buffer (ASan-checked). */
static char *expand(const unsigned char *data, size_t size, size_t *out_len)
{
	size_t len = 0, i;
	char *s;

	for (i = 0; i < size; i++)
		len += data[i] < 0x80 ? 1 : strlen(tokens[(data[i] - 0x80) % ARRAY_SIZE(tokens)]);
	s = malloc(len + 1);
	for (len = 0, i = 0; i < size; i++) {
		const char *t =
		    data[i] < 0x80 ? NULL : tokens[(data[i] - 0x80) % ARRAY_SIZE(tokens)];

		if (t) {
			memcpy(s + len, t, strlen(t));
			len += strlen(t);
		} else {
			s[len++] = (char)data[i];
		}
	}
	s[len] = '\0';
	*out_len = len;
	return s;
}

/* Every accepted region: a good name and size, aligned, clear of RAM and of the others. */
static void check_shm(const struct domain_config *c)
{
	u64 low = MIN(c->mem_bytes, 0xC0000000ULL);

	if (c->nr_shm > DOMCFG_MAX_SHM || (c->dom0 && c->nr_shm))
		abort();
	for (unsigned int i = 0; i < c->nr_shm; i++) {
		const struct domcfg_shm *r = &c->shm[i];
		size_t n = strnlen(r->name, sizeof(r->name));

		if (n == 0 || n >= sizeof(r->name) || r->size < DOMCFG_SHM_MIN ||
		    r->size > DOMCFG_SHM_MAX || (r->size & 4095) || (r->gpa & 4095) ||
		    r->gpa < low || r->gpa + r->size > (1ULL << 46))
			abort();
		if (c->mem_bytes > 0xC0000000ULL && r->gpa < 0x100000000ULL + c->mem_bytes - low &&
		    r->gpa + r->size > 0x100000000ULL)
			abort();
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(r->name, c->shm[j].name) ||
			    (r->gpa < c->shm[j].gpa + c->shm[j].size &&
			     c->shm[j].gpa < r->gpa + r->size))
				abort();
	}
}

static bool ranges_overlap(const struct domcfg_range *a, const struct domcfg_range *b)
{
	return a->first <= b->last && b->first <= a->last;
}

/* The device keys: bounded counts, well-formed ranges inside their spaces, no overlaps. */
static void check_devices(const struct domcfg_devices *d)
{
	unsigned int i, j;

	if (d->nr_ioports > DOMCFG_MAX_DEV_ENTRIES || d->nr_iomem > DOMCFG_MAX_DEV_ENTRIES ||
	    d->nr_irqs > DOMCFG_MAX_DEV_ENTRIES)
		abort();
	for (i = 0; i < d->nr_ioports; i++) {
		if (d->ioports[i].first > d->ioports[i].last ||
		    d->ioports[i].last > DOMCFG_MAX_PORT)
			abort();
		for (j = 0; j < i; j++)
			if (ranges_overlap(&d->ioports[i], &d->ioports[j]))
				abort();
	}
	for (i = 0; i < d->nr_iomem; i++) {
		if (d->iomem[i].first > d->iomem[i].last ||
		    d->iomem[i].last > DOMCFG_MAX_IOMEM_ADDR || (d->iomem[i].first & 4095) ||
		    ((d->iomem[i].last + 1) & 4095))
			abort();
		for (j = 0; j < i; j++)
			if (ranges_overlap(&d->iomem[i], &d->iomem[j]))
				abort();
	}
	for (i = 0; i < d->nr_irqs; i++) {
		if (d->irqs[i] > DOMCFG_MAX_GSI)
			abort();
		for (j = 0; j < i; j++)
			if (d->irqs[i] == d->irqs[j])
				abort();
	}
}

static void check_config(const struct domain_config *c)
{
	size_t i, n = strnlen(c->name, sizeof(c->name));

	if (n >= sizeof(c->name) || strnlen(c->path, sizeof(c->path)) >= sizeof(c->path) ||
	    strnlen(c->cmdline, sizeof(c->cmdline)) >= sizeof(c->cmdline))
		abort();
	for (i = 0; i < n; i++) {
		char ch = c->name[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '.' || ch == '-'))
			abort();
	}
	if (c->mem_bytes < DOMCFG_MIN_MEM || c->mem_bytes > DOMCFG_MAX_MEM ||
	    (c->mem_bytes & 4095) || c->vcpus < 1 || c->vcpus > DOMCFG_MAX_VCPUS || !c->cpus ||
	    c->weight < 1 || c->weight > DOMCFG_MAX_WEIGHT || c->cap > DOMCFG_MAX_CAP ||
	    c->on_crash > DOMCFG_PRESERVE || c->on_reboot > DOMCFG_PRESERVE ||
	    c->on_poweroff > DOMCFG_PRESERVE)
		abort();
	for (i = 0; i < DOMCFG_MAX_VCPUS; i++) {
		if (!c->vcpu_cpus[i])
			abort();
	}
	check_shm(c);
	check_devices(&c->devices);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	size_t len;
	char *line = expand(data, size, &len);
	char err[DOMCFG_ERR_MAX];
	unsigned int skipped, i;
	size_t pos = 0;
	int rc;

	shim_printk_reset();

	rc = domcfg_parse(line, &cfg, err, sizeof(err));
	if (strnlen(err, sizeof(err)) >= sizeof(err) || (rc && rc != -EINVAL) || (rc && !err[0]) ||
	    (!rc && err[0]))
		abort();
	if (!rc && cfg.type == DOMCFG_KERNEL)
		check_config(&cfg);

	/* The same bytes as a module list: one line per module, sizes from the line lengths. */
	memset(&bi, 0, sizeof(bi));
	while (pos <= len && bi.nr_modules < BOOT_MAX_MODULES) {
		struct boot_module *m = &bi.modules[bi.nr_modules++];
		size_t n = 0;

		while (pos + n < len && line[pos + n] != '\n')
			n++;
		memcpy(m->cmdline, line + pos, MIN(n, sizeof(m->cmdline))); /* maybe no NUL */
		m->start = 0x1000000ULL * bi.nr_modules;
		m->end = m->start + (n & 3 ? n : 0); /* some are empty */
		pos += n + 1;
	}
	rc = domcfg_group_modules(&bi, cfgs, ARRAY_SIZE(cfgs), &skipped);
	if (rc < 0 || rc > (int)ARRAY_SIZE(cfgs) || skipped > bi.nr_modules)
		abort();
	for (i = 0; i < (unsigned int)rc; i++) {
		check_config(&cfgs[i]);
		if (cfgs[i].type != DOMCFG_KERNEL || cfgs[i].nr_ramdisks > DOMCFG_MAX_RAMDISKS ||
		    (i > 0 && cfgs[i].dom0) || !cfgs[i].name[0] || cfgs[i].module >= bi.nr_modules)
			abort();
	}
	free(line);
	return 0;
}
