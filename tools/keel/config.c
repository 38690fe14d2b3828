/* keel_cfg_parse: key tables (Keel's, xl's), which setting wins, messages, file checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_int.h"

/* Keel's keys (enum cfg_key_id order) and the setting each message's fix shows. */
static const struct {
	const char *name, *example;
} keel_keys[CFG_NR_KEYS] = {
    [K_NAME] = {"name", "name = \"guest1\""},
    [K_TYPE] = {"type", "type = \"pvh\""},
    [K_MEMORY] = {"memory", "memory = 512"},
    [K_MAXMEM] = {"maxmem", "maxmem = 1024"},
    [K_VCPUS] = {"vcpus", "vcpus = 2"},
    [K_MAXVCPUS] = {"maxvcpus", "maxvcpus = 4"},
    [K_CPUS] = {"cpus", "cpus = \"0-3\""},
    [K_CPU_WEIGHT] = {"cpu_weight", "cpu_weight = 256"},
    [K_CAP] = {"cap", "cap = 100"},
    [K_KERNEL] = {"kernel", "kernel = \"/boot/vmlinuz\""},
    [K_RAMDISK] = {"ramdisk", "ramdisk = \"/boot/initrd.img\""},
    [K_ROOT] = {"root", "root = \"/dev/xvda1 ro\""},
    [K_EXTRA] = {"extra", "extra = \"console=hvc0\""},
    [K_CMDLINE] = {"cmdline", "cmdline = \"root=/dev/xvda1 ro console=hvc0\""},
    [K_DISK] = {"disk", "disk = [ '/srv/guest.img,raw,xvda,rw' ]"},
    [K_VIF] = {"vif", "vif = [ 'bridge=xenbr0' ]"},
    [K_ON_POWEROFF] = {"on_poweroff", "on_poweroff = \"destroy\""},
    [K_ON_REBOOT] = {"on_reboot", "on_reboot = \"restart\""},
    [K_ON_CRASH] = {"on_crash", "on_crash = \"destroy\""},
};

/* xl.cfg(5)'s keys that Keel does not support (yet): a warning, and the setting is ignored. Each
 * is between spaces. */
static const char xl_keys[] =
    " acpi acpi_firmware acpi_laptop_slate acpi_s3 acpi_s4 altp2m altp2mhvm apic bios"
    " bios_path_override boot bootloader bootloader_args builder channel cpuid cpus_soft"
    " device_model device_model_args device_model_args_hvm device_model_args_pv"
    " device_model_override device_model_stubdomain_override device_model_stubdomain_seclabel"
    " device_model_user device_model_version device_tree dm_restrict driver_domain dtdev"
    " e820_host firmware gfx_passthru gic_version hap hdtype hpet init_seclabel iomem ioports"
    " irqs keymap llc_colors localtime max_event_channels max_grant_frames max_grant_version"
    " max_maptrack_frames mca_caps mmio_hole ms_vm_genid nestedhvm nographic nomigrate"
    " on_soft_reset on_watchdog oos opengl p2m_mem p9 pae passthrough pci pci_msitranslate"
    " pci_permissive pci_power_mgmt pci_seize pool pvcalls pvh pvshim pvshim_cmdline"
    " pvshim_extra pvshim_path rdm rdm_mem_boundary rtc_timeoffset sdl seclabel serial"
    " shadow_memory smbios smbios_firmware soundhw spice spice_clipboard_sharing"
    " spice_image_compression spice_streaming_video spiceagent_mouse spicedisable_ticketing"
    " spicehost spicepasswd spiceport spicetls_port spiceusbredirection spicevdagent stdvga"
    " stubdomain_cmdline stubdomain_kernel stubdomain_memory stubdomain_ramdisk sve tee"
    " timer_mode trap_unmapped_accesses tsc_mode usb usbctrl usbdev usbdevice usbversion uuid"
    " vdispl vfb vga videoram viridian virtio vkb vmtrace_buf_kb vnc vncconsole vncdisplay"
    " vnclisten vncpasswd vncunused vnuma vpt_align vsnd vtpm vuart xen_platform_pci"
    " ";

int cfg_key_id(const char *key)
{
	int i;

	for (i = 0; i < CFG_NR_KEYS; i++) {
		if (strcmp(keel_keys[i].name, key) == 0)
			return i;
	}
	return -1;
}

const char *cfg_key_name(int id)
{
	return keel_keys[id].name;
}

const char *cfg_key_example(int id)
{
	return keel_keys[id].example;
}

static bool xl_key(const char *key)
{
	size_t n = strlen(key);
	const char *p;

	for (p = strstr(xl_keys, key); p; p = strstr(p + 1, key)) {
		if (p[-1] == ' ' && p[n] == ' ')
			return true;
	}
	return false;
}

void *cfg_alloc(struct cfg_ctx *c, size_t size)
{
	void *p = calloc(1, size);

	if (!p)
		c->oom = true;
	return p;
}

char *cfg_strndup(struct cfg_ctx *c, const char *s, size_t n)
{
	char *d = cfg_alloc(c, n + 1);

	if (d)
		memcpy(d, s, n);
	return d;
}

char *cfg_strdup(struct cfg_ctx *c, const char *s)
{
	return cfg_strndup(c, s, strlen(s));
}

const char *cfg_show(char *buf, const char *s)
{
	size_t n = strlen(s), i;
	bool plain = n <= 60;

	for (i = 0; plain && i < n; i++)
		plain = (unsigned char)s[i] >= 0x20 && s[i] != 0x7f;
	if (plain)
		return s;
	for (i = 0; i < n && i < (n <= 60 ? n : 57); i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	memcpy(buf + i, n <= 60 ? "" : "...", n <= 60 ? 1 : 4);
	return buf;
}

struct cfg_loc cfg_at(const struct cfg_setting *s)
{
	return (struct cfg_loc){.origin = s->origin, .line = s->line, .argi = s->argi};
}

struct cfg_loc cfg_at_item(const struct cfg_setting *s, unsigned int i)
{
	return (struct cfg_loc){.origin = s->origin, .line = s->items[i].line, .argi = s->argi};
}

/* snprintf at @buf + *@n, *@n kept within @size (the text cut, never overrun). */
static void add(char *buf, size_t size, int *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add(char *buf, size_t size, int *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(buf + *n, size - (size_t)*n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = (size_t)*n + (size_t)k < size ? *n + k : (int)size - 1;
}

void cfg_report(struct cfg_ctx *c, bool is_error, const struct cfg_loc *at, const char *key,
		const char *fmt, ...)
{
	char head[320], show[CFG_SHOW_MAX];
	struct cfg_msg *m;
	va_list ap;
	int hn = 0, tn;

	if (is_error)
		c->errors++;
	if (!at)
		add(head, sizeof(head), &hn, "%s: ", cfg_show(show, c->file));
	else if (at->origin == CFG_CLI)
		add(head, sizeof(head), &hn, "command line: ");
	else if (at->col)
		add(head, sizeof(head), &hn, "%s:%d:%d: ", cfg_show(show, c->file), at->line,
		    at->col);
	else
		add(head, sizeof(head), &hn, "%s:%d: ", cfg_show(show, c->file), at->line);
	if (!is_error)
		add(head, sizeof(head), &hn, "warning: ");
	if (key)
		add(head, sizeof(head), &hn, "%s: ", cfg_show(show, key));
	if (at && at->origin == CFG_CLI && at->col && at->arg)
		add(head, sizeof(head), &hn, "column %d of \"%s\": ", at->col,
		    cfg_show(show, at->arg));
	if (c->nr_msgs == c->cap_msgs) {
		size_t cap = c->cap_msgs ? 2 * c->cap_msgs : 16;

		m = realloc(c->msgs, cap * sizeof(*m));
		if (!m) {
			c->oom = true;
			return;
		}
		c->msgs = m;
		c->cap_msgs = cap;
	}
	m = &c->msgs[c->nr_msgs];
	va_start(ap, fmt);
	tn = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (tn < 0 || !(m->text = malloc((size_t)hn + (size_t)tn + 1))) {
		c->oom = true;
		return;
	}
	memcpy(m->text, head, (size_t)hn);
	va_start(ap, fmt);
	vsnprintf(m->text + hn, (size_t)tn + 1, fmt, ap);
	va_end(ap);
	m->is_error = is_error;
	m->rank = !at ? 2 : at->origin == CFG_CLI ? 1 : 0;
	m->line = at ? at->line : 0;
	m->col = at ? at->col : 0;
	m->argi = at ? at->argi : 0;
	m->seq = (unsigned int)c->nr_msgs++;
}

static int msg_order(const void *a, const void *b)
{
	const struct cfg_msg *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->rank == 0 && x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->rank == 0 && x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if (x->rank == 1 && x->argi != y->argi)
		return x->argi < y->argi ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void deliver(struct cfg_ctx *c)
{
	const struct keel_cfg_hooks *h = c->hooks;
	size_t i;

	if (c->nr_msgs)
		qsort(c->msgs, c->nr_msgs, sizeof(*c->msgs), msg_order);
	for (i = 0; i < c->nr_msgs; i++) {
		if (h && h->report)
			h->report(h->ctx, c->msgs[i].is_error, c->msgs[i].text);
		free(c->msgs[i].text);
	}
	free(c->msgs);
	c->msgs = NULL;
	c->nr_msgs = c->cap_msgs = 0;
}

/* Edit distance with swaps of neighbours (optimal string alignment), capped at 3. */
static int distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), i, j;
	int d[33][33];

	if (n > 32 || m > 32 || n > m + 2 || m > n + 2)
		return 3;
	for (i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= n; i++) {
		for (j = 1; j <= m; j++) {
			char x = a[i - 1] | 0x20, y = b[j - 1] | 0x20; /* letters: case-blind */
			int cost = x != y, v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[n][m] < 3 ? d[n][m] : 3;
}

/* The known key closest to @key (Keel's first), if it is close enough to be a typo (@buf: 40). */
static const char *suggest(const char *key, char *buf)
{
	int limit = strlen(key) <= 4 ? 1 : 2, best = limit + 1, i, d;
	const char *pick = NULL, *p;
	size_t n, pick_len = 0;
	char word[40];

	for (i = 0; i < CFG_NR_KEYS; i++) {
		d = distance(key, keel_keys[i].name);
		if (d < best) {
			best = d;
			pick = keel_keys[i].name;
		}
	}
	for (p = xl_keys + 1; *p; p += n + 1) {
		n = strcspn(p, " ");
		if (n >= sizeof(word))
			continue;
		memcpy(word, p, n);
		word[n] = '\0';
		d = distance(key, word);
		if (d < best) {
			best = d;
			pick = p;
			pick_len = n;
		}
	}
	if (pick && pick_len) {
		memcpy(buf, pick, pick_len);
		buf[pick_len] = '\0';
		return buf;
	}
	return pick;
}

static void unknown_key(struct cfg_ctx *c, const struct cfg_setting *s)
{
	struct cfg_loc at = cfg_at(s);
	const char *near;
	char buf[40];

	if (xl_key(s->key)) {
		cfg_warn(c, &at, s->key, "an xl key Keel does not support yet; ignored");
		return;
	}
	near = suggest(s->key, buf);
	if (near)
		cfg_error(c, &at, s->key, "unknown key; did you mean %s?", near);
	else
		cfg_error(
		    c, &at, s->key,
		    "unknown key (neither Keel nor xl has it); remove it (docs/config.md lists "
		    "Keel's keys)");
}

/* A key set more than once: the last setting counts (the command line's over the file's). */
static void duplicates(struct cfg_ctx *c, int id)
{
	const struct cfg_setting *last_file = NULL, *last_cli = NULL;
	unsigned int nf = 0, nc = 0;
	size_t i;

	for (i = 0; i < c->nr_set; i++) {
		if (c->set[i].id != id)
			continue;
		if (c->set[i].origin == CFG_FILE) {
			nf++;
			last_file = &c->set[i];
		} else {
			nc++;
			last_cli = &c->set[i];
		}
	}
	if (nf > 1) {
		char lines[160], wins[32];
		unsigned int k = 0;
		size_t len = 0;

		for (i = 0; i < c->nr_set && len < sizeof(lines) - 16; i++) {
			const struct cfg_setting *s = &c->set[i];

			if (s->origin != CFG_FILE || s->id != id)
				continue;
			k++;
			len += snprintf(lines + len, sizeof(lines) - len, "%s%d",
					k == 1	  ? ""
					: k == nf ? " and "
						  : ", ",
					s->line);
		}
		if (k < nf)
			snprintf(lines + len, sizeof(lines) - len, " ...");
		if (nc)
			snprintf(wins, sizeof(wins), "the command line");
		else
			snprintf(wins, sizeof(wins), "line %d", last_file->line);
		if (nf == 2)
			cfg_warn(c, &(struct cfg_loc){.origin = CFG_FILE, .line = last_file->line},
				 keel_keys[id].name, "set twice (lines %s); %s wins", lines, wins);
		else
			cfg_warn(c, &(struct cfg_loc){.origin = CFG_FILE, .line = last_file->line},
				 keel_keys[id].name, "set %u times (lines %s); %s wins", nf, lines,
				 wins);
	}
	if (nc > 1) {
		char show[CFG_SHOW_MAX];

		cfg_warn(c, &(struct cfg_loc){.origin = CFG_CLI, .argi = last_cli->argi},
			 keel_keys[id].name, "given %u times; the last (%s) wins", nc,
			 cfg_show(show, last_cli->arg));
	}
}

static void resolve(struct cfg_ctx *c)
{
	size_t i;
	int id;

	for (i = 0; i < c->nr_set; i++) {
		id = c->set[i].id = cfg_key_id(c->set[i].key);
		if (id < 0)
			unknown_key(c, &c->set[i]);
		else
			c->win[id] = &c->set[i];
	}
	for (id = 0; id < CFG_NR_KEYS; id++) {
		if (c->win[id])
			duplicates(c, id);
	}
}

int keel_cfg_parse(const char *file, const char *text, size_t len, char *const *overrides,
		   int nr_overrides, const struct keel_cfg_hooks *hooks, struct keel_cfg *out)
{
	struct cfg_ctx c = {.file = file ? file : "(configuration)", .hooks = hooks, .out = out};
	const char *slash = strrchr(c.file, '/');
	unsigned int errors;
	size_t i;
	int j;

	memset(out, 0, sizeof(*out));
	if (slash)
		c.dir = cfg_strndup(&c, c.file, (size_t)(slash - c.file) + 1);
	cfg_parse_text(&c, text ? text : "", text ? len : 0);
	for (j = 0; j < nr_overrides && !c.oom; j++) {
		if (overrides[j])
			cfg_parse_override(&c, overrides[j], j + 1);
	}
	if (!c.oom) {
		resolve(&c);
		cfg_apply_scalars(&c);
		if (c.win[K_DISK])
			cfg_apply_disks(&c, c.win[K_DISK]);
		if (c.win[K_VIF])
			cfg_apply_vifs(&c, c.win[K_VIF]);
		cfg_finish(&c);
	}
	if (c.oom)
		cfg_error(&c, NULL, NULL, "out of memory; nothing was checked past this point");
	errors = c.errors;
	deliver(&c);
	for (i = 0; i < c.nr_set; i++)
		cfg_setting_free(&c.set[i]);
	free(c.set);
	free(c.dir);
	if (errors)
		keel_cfg_free(out);
	return errors > 0x7fffffffu ? 0x7fffffff : (int)errors;
}

#define PATH_LEN_MAX 4095

int keel_cfg_check_path(void *ctx, const char *path, enum keel_cfg_path_kind kind)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOTDIR || errno == 0 ? ENOENT : errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (!S_ISREG(st.st_mode) && !(kind != KEEL_CFG_PATH_FILE && S_ISBLK(st.st_mode)))
		return EINVAL;
	if (access(path, R_OK) != 0)
		return EACCES;
	if (kind == KEEL_CFG_PATH_DISK_RW && access(path, W_OK) != 0)
		return EROFS;
	return 0;
}

char *cfg_path(struct cfg_ctx *c, const struct cfg_setting *s, const struct cfg_loc *at,
	       const char *key, const char *path, enum keel_cfg_path_kind kind, const char *fix)
{
	const struct keel_cfg_hooks *h = c->hooks;
	size_t n = strlen(path), dn;
	char *full;
	int rc;

	if (n == 0) {
		cfg_error(c, at, key, "the path is empty; %s", fix);
		return NULL;
	}
	if (n > PATH_LEN_MAX) {
		cfg_error(c, at, key, "a path of %zu bytes, more than %d; %s", n, PATH_LEN_MAX,
			  fix);
		return NULL;
	}
	dn = path[0] != '/' && s->origin == CFG_FILE && c->dir ? strlen(c->dir) : 0;
	full = cfg_alloc(c, dn + n + 1);
	if (!full)
		return NULL;
	memcpy(full, c->dir ? c->dir : "", dn);
	memcpy(full + dn, path, n + 1);
	rc = h && h->check_path ? h->check_path(h->ctx, full, kind)
				: keel_cfg_check_path(NULL, full, kind);
	switch (rc) {
	case 0:
		return full;
	case ENOENT:
		cfg_error(c, at, key, "%s: no such file; %s", full, fix);
		break;
	case EACCES:
		cfg_error(c, at, key, "%s: not readable (permission denied); %s", full, fix);
		break;
	case EROFS:
		cfg_error(c, at, key,
			  "%s: not writable; make it writable, or give the disk access=ro", full);
		break;
	case EISDIR:
		cfg_error(c, at, key, "%s: a directory, not a file; %s", full, fix);
		break;
	case EINVAL:
		cfg_error(c, at, key, "%s: %s; %s", full,
			  kind == KEEL_CFG_PATH_FILE ? "not a regular file"
						     : "neither a regular file nor a block device",
			  fix);
		break;
	default:
		cfg_error(c, at, key, "%s: %s; %s", full, strerror(rc), fix);
		break;
	}
	free(full);
	return NULL;
}

#define CFG_FILE_MAX (1u << 20)

int keel_cfg_load(const char *path, char *const *overrides, int nr_overrides,
		  const struct keel_cfg_hooks *hooks, struct keel_cfg *out)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	int rc, err = 0;

	memset(out, 0, sizeof(*out));
	if (f) {
		text = malloc(CFG_FILE_MAX + 1);
		if (!text) {
			err = ENOMEM;
		} else {
			size_t got;

			while ((got = fread(text + len, 1, CFG_FILE_MAX + 1 - len, f)) > 0)
				len += got;
			if (ferror(f))
				err = errno ? errno : EIO;
		}
		fclose(f);
	} else {
		err = errno;
	}
	if (err || len > CFG_FILE_MAX) {
		char msg[512];

		if (err)
			snprintf(msg, sizeof(msg), "%s: cannot read it: %s", path, strerror(err));
		else
			snprintf(msg, sizeof(msg),
				 "%s: more than 1 MiB; a guest configuration is a small text file",
				 path);
		if (hooks && hooks->report)
			hooks->report(hooks->ctx, 1, msg);
		free(text);
		return 1;
	}
	rc = keel_cfg_parse(path, text, len, overrides, nr_overrides, hooks, out);
	free(text);
	return rc;
}

void keel_cfg_free(struct keel_cfg *cfg)
{
	unsigned int i;

	free(cfg->kernel);
	free(cfg->ramdisk);
	free(cfg->cmdline);
	for (i = 0; i < KEEL_CFG_MAX_DISKS; i++)
		free(cfg->disks[i].target);
	for (i = 0; i < KEEL_CFG_MAX_VIFS; i++) {
		free(cfg->vifs[i].bridge);
		free(cfg->vifs[i].script);
		free(cfg->vifs[i].ip);
	}
	memset(cfg, 0, sizeof(*cfg));
}

const char *keel_cfg_action_name(enum keel_cfg_action action)
{
	switch (action) {
	case KEEL_CFG_DESTROY:
		return "destroy";
	case KEEL_CFG_RESTART:
		return "restart";
	case KEEL_CFG_PRESERVE:
		return "preserve";
	}
	return "?";
}
