/* Keel's scalar keys: numbers and ranges, name, type, cpus, kernel paths, cmdline, actions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

/* The setting's one value; a list is refused (NULL). */
static const struct cfg_atom *scalar(struct cfg_ctx *c, int id, const char *what)
{
	const struct cfg_setting *s = c->win[id];
	struct cfg_loc at;

	if (!s)
		return NULL;
	if (s->is_list) {
		at = cfg_at(s);
		cfg_error(c, &at, s->key, "a list is not %s; write %s", what, cfg_key_example(id));
		c->bad[id] = true;
		return NULL;
	}
	return &s->items[0];
}

enum num { NUM_OK, NUM_NOT, NUM_ZERO, NUM_NEG, NUM_BIG };

/* Decimal (no leading zeros) or 0x hex; a leading - parses, to be refused as out of range. */
static enum num parse_num(const char *s, uint64_t *v)
{
	bool neg = *s == '-', big = false;
	unsigned int base = 10, d;
	uint64_t x = 0;

	s += neg;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return NUM_NOT;
	if (base == 10 && s[0] == '0' && s[1])
		return strspn(s, "0123456789") == strlen(s) ? NUM_ZERO : NUM_NOT;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (unsigned int)((*s | 0x20) - 'a' + 10);
		else
			return NUM_NOT;
		if (x > (UINT64_MAX - d) / base)
			big = true;
		else
			x = x * base + d;
	}
	*v = x;
	if (neg && (x || big))
		return NUM_NEG;
	return big ? NUM_BIG : NUM_OK;
}

/* "512M", "2G", "2GiB": what it is in MiB, for the fix of a memory size written with a unit. */
static bool mib_with_unit(const char *s, uint64_t *mib)
{
	size_t n = strspn(s, "0123456789");
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 9)
		return false;
	for (i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (strcmp(s + n, "M") == 0 || strcmp(s + n, "MB") == 0 || strcmp(s + n, "MiB") == 0 ||
	    strcmp(s + n, "m") == 0)
		*mib = v;
	else if (strcmp(s + n, "G") == 0 || strcmp(s + n, "GB") == 0 || strcmp(s + n, "GiB") == 0 ||
		 strcmp(s + n, "g") == 0)
		*mib = v * 1024;
	else
		return false;
	return true;
}

/* A number key within [min, max]; false (reported, c->bad) when it is not. */
static bool number(struct cfg_ctx *c, int id, uint64_t min, uint64_t max, const char *what,
		   const char *unit, uint64_t *v)
{
	const struct cfg_atom *a = scalar(c, id, what);
	const struct cfg_setting *s = c->win[id];
	char show[CFG_SHOW_MAX];
	struct cfg_loc at;
	uint64_t mib;

	if (!a)
		return false;
	at = cfg_at(s);
	switch (parse_num(a->text, v)) {
	case NUM_NOT:
		if ((id == K_MEMORY || id == K_MAXMEM) && mib_with_unit(a->text, &mib))
			cfg_error(c, &at, s->key, "\"%s\" is not %s; write %s = %llu", a->text,
				  what, s->key, (unsigned long long)mib);
		else
			cfg_error(c, &at, s->key, "\"%s\" is not %s; write %s",
				  cfg_show(show, a->text), what, cfg_key_example(id));
		break;
	case NUM_ZERO:
		cfg_error(c, &at, s->key, "%s has a leading zero; write %s = %s",
			  cfg_show(show, a->text), s->key,
			  a->text[strspn(a->text, "0")] ? a->text + strspn(a->text, "0") : "0");
		break;
	case NUM_NEG:
		cfg_error(c, &at, s->key, "%s is below the minimum %llu%s; write %s = %llu",
			  cfg_show(show, a->text), (unsigned long long)min, unit, s->key,
			  (unsigned long long)min);
		break;
	case NUM_BIG:
		cfg_error(c, &at, s->key, "%s is above the maximum %llu%s; write %s = %llu",
			  cfg_show(show, a->text), (unsigned long long)max, unit, s->key,
			  (unsigned long long)max);
		break;
	case NUM_OK:
		if (*v < min)
			cfg_error(c, &at, s->key, "%s is below the minimum %llu%s; write %s = %llu",
				  a->text, (unsigned long long)min, unit, s->key,
				  (unsigned long long)min);
		else if (*v > max)
			cfg_error(c, &at, s->key, "%s is above the maximum %llu%s; write %s = %llu",
				  a->text, (unsigned long long)max, unit, s->key,
				  (unsigned long long)max);
		else
			return true;
		break;
	}
	c->bad[id] = true;
	return false;
}

static bool name_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '.' || ch == '-';
}

static void key_name(struct cfg_ctx *c)
{
	const struct cfg_atom *a = scalar(c, K_NAME, "a name");
	const struct cfg_setting *s = c->win[K_NAME];
	char show[CFG_SHOW_MAX], fix[KEEL_CFG_NAME_MAX + 1];
	size_t n, i;
	struct cfg_loc at;

	if (!a)
		return;
	at = cfg_at(s);
	n = strlen(a->text);
	for (i = 0; i < n && name_char((unsigned char)a->text[i]); i++)
		;
	if (n == 0) {
		cfg_error(c, &at, s->key, "the name is empty; write name = \"guest1\"");
	} else if (n > KEEL_CFG_NAME_MAX) {
		cfg_error(c, &at, s->key,
			  "\"%s\" is %zu characters, more than %d; choose a shorter name",
			  cfg_show(show, a->text), n, KEEL_CFG_NAME_MAX);
	} else if (i < n) {
		unsigned char bad = (unsigned char)a->text[i];

		for (i = 0; i < n; i++)
			fix[i] = name_char((unsigned char)a->text[i]) ? a->text[i] : '_';
		fix[n] = '\0';
		if (fix[0] == '-')
			fix[0] = '_';
		if (bad >= 0x20 && bad < 0x7f)
			cfg_error(
			    c, &at, s->key,
			    "\"%s\" has '%c' (a name has letters, digits, _ . and - only); write "
			    "name = \"%s\"",
			    a->text, bad, fix);
		else
			cfg_error(c, &at, s->key,
				  "\"%s\" has byte 0x%02x (a name has letters, digits, _ . and - "
				  "only); write name = \"%s\"",
				  a->text, bad, fix);
	} else if (a->text[0] == '-') {
		snprintf(fix, sizeof(fix), "_%s", a->text + 1);
		cfg_error(c, &at, s->key, "\"%s\" starts with -; write name = \"%s\"", a->text,
			  fix);
	} else {
		memcpy(c->out->name, a->text, n + 1);
		return;
	}
	c->bad[K_NAME] = true;
}

static void key_type(struct cfg_ctx *c)
{
	const struct cfg_atom *a = scalar(c, K_TYPE, "a guest type");
	const struct cfg_setting *s = c->win[K_TYPE];
	char show[CFG_SHOW_MAX];
	struct cfg_loc at;

	if (!a || strcmp(a->text, "pvh") == 0)
		return;
	at = cfg_at(s);
	if (strcmp(a->text, "pv") == 0 || strcmp(a->text, "hvm") == 0) {
		cfg_error(
		    c, &at, s->key,
		    "\"%s\" is not supported (Keel runs PVH guests only); write type = \"pvh\"",
		    a->text);
		c->bad[K_TYPE] = true;
		return;
	}
	cfg_error(c, &at, s->key, "\"%s\" is not a guest type; write type = \"pvh\"",
		  cfg_show(show, a->text));
	c->bad[K_TYPE] = true;
}

/*
 * One CPU list ("0-3,5", "^1", "all") into *mask; false with what is wrong in @err. Exclusions
 * (^N, ^N-M) apply after every inclusion; a list of exclusions alone starts from every CPU.
 */
static bool cpu_list(const char *s, uint64_t *mask, char *err, size_t errlen)
{
	uint64_t in = 0, ex = 0;
	bool any_in = false;
	const char *p = s;
	char show[CFG_SHOW_MAX];

	for (;;) {
		size_t len = strcspn(p, ",");
		const char *t = p, *e = p + len;
		unsigned long lo, hi;
		bool neg;
		char *end;

		while (t < e && (*t == ' ' || *t == '\t'))
			t++;
		while (e > t && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		neg = t < e && *t == '^';
		t += neg;
		if (t == e) {
			snprintf(err, errlen,
				 "\"%s\" has an empty entry; write e.g. cpus = \"0-3,5\"",
				 cfg_show(show, s));
			return false;
		}
		if (!neg && (size_t)(e - t) == 3 && strncmp(t, "all", 3) == 0) {
			in = ~0ULL;
			any_in = true;
		} else if ((size_t)(e - t) >= 4 && strncmp(t, "node", 4) == 0) {
			snprintf(err, errlen,
				 "\"%s\" names NUMA nodes, which Keel does not support; give CPU "
				 "numbers",
				 cfg_show(show, s));
			return false;
		} else {
			if (*t < '0' || *t > '9')
				goto bad;
			lo = hi = strtoul(t, &end, 10);
			if (end < e && *end == '-' && end[1] >= '0' && end[1] <= '9')
				hi = strtoul(end + 1, &end, 10);
			if (end != e)
				goto bad;
			if (lo >= KEEL_CFG_MAX_CPUS || hi >= KEEL_CFG_MAX_CPUS) {
				snprintf(err, errlen,
					 "CPU %lu in \"%s\" is beyond %d; give CPU numbers 0..%d",
					 lo >= KEEL_CFG_MAX_CPUS ? lo : hi, cfg_show(show, s),
					 KEEL_CFG_MAX_CPUS - 1, KEEL_CFG_MAX_CPUS - 1);
				return false;
			}
			if (hi < lo) {
				snprintf(
				    err, errlen,
				    "the range %lu-%lu in \"%s\" runs backwards; write %lu-%lu", lo,
				    hi, cfg_show(show, s), hi, lo);
				return false;
			}
			for (; lo <= hi; lo++) {
				if (neg)
					ex |= 1ULL << lo;
				else
					in |= 1ULL << lo;
			}
			any_in |= !neg;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	*mask = (any_in ? in : ~0ULL) & ~ex;
	if (!*mask) {
		snprintf(err, errlen, "\"%s\" leaves no CPU; give at least one", cfg_show(show, s));
		return false;
	}
	return true;
bad:
	snprintf(err, errlen,
		 "\"%s\" is not a CPU list (N, N-M, ^N or all, between commas); write e.g. cpus = "
		 "\"0-3,5\"",
		 cfg_show(show, s));
	return false;
}

/* cpus: one list for every vCPU, or [ list, list, ... ]: vCPU n's from entry n. */
static void key_cpus(struct cfg_ctx *c, unsigned int max_entries)
{
	const struct cfg_setting *s = c->win[K_CPUS];
	struct cfg_loc at;
	char err[256];
	unsigned int i;

	if (!s)
		return;
	if (s->is_list && s->n > max_entries) {
		at = cfg_at(s);
		cfg_error(c, &at, s->key,
			  "%u entries for %u vCPUs (maxvcpus); give at most one entry per vCPU",
			  s->n, max_entries);
		c->bad[K_CPUS] = true;
		return;
	}
	for (i = 0; i < s->n; i++) {
		if (!cpu_list(s->items[i].text, &c->cpus[i], err, sizeof(err))) {
			at = cfg_at_item(s, i);
			cfg_error(c, &at, s->key, "%s", err);
			c->bad[K_CPUS] = true;
		}
	}
	if (!c->bad[K_CPUS]) {
		c->nr_cpus = s->n;
		c->cpus_one = !s->is_list;
	}
}

static char *key_file(struct cfg_ctx *c, int id, const char *fix)
{
	const struct cfg_atom *a = scalar(c, id, "a path");
	const struct cfg_setting *s = c->win[id];
	struct cfg_loc at;
	char *path;

	if (!a)
		return NULL;
	at = cfg_at(s);
	path = cfg_path(c, s, &at, s->key, a->text, KEEL_CFG_PATH_FILE, fix);
	if (!path)
		c->bad[id] = true;
	return path;
}

static void key_action(struct cfg_ctx *c, int id, enum keel_cfg_action *out,
		       enum keel_cfg_action dflt)
{
	static const struct {
		const char *xl, *instead;
	} unsupported[] = {{"rename-restart", "restart"},
			   {"coredump-destroy", "destroy"},
			   {"coredump-restart", "restart"},
			   {"soft-reset", "restart"}};
	const struct cfg_atom *a = scalar(c, id, "an action");
	const struct cfg_setting *s = c->win[id];
	char show[CFG_SHOW_MAX];
	struct cfg_loc at;
	unsigned int i;

	*out = dflt;
	if (!a)
		return;
	for (i = KEEL_CFG_DESTROY; i <= KEEL_CFG_PRESERVE; i++) {
		if (strcmp(a->text, keel_cfg_action_name((enum keel_cfg_action)i)) == 0) {
			*out = (enum keel_cfg_action)i;
			return;
		}
	}
	at = cfg_at(s);
	c->bad[id] = true;
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		if (strcmp(a->text, unsupported[i].xl) == 0) {
			cfg_error(c, &at, s->key,
				  "\"%s\" is not supported by Keel; write %s = \"%s\"", a->text,
				  s->key, unsupported[i].instead);
			return;
		}
	}
	cfg_error(c, &at, s->key,
		  "\"%s\" is not an action; write %s = \"destroy\", \"restart\" or \"preserve\"",
		  cfg_show(show, a->text), s->key);
}

static const char *text_of(struct cfg_ctx *c, int id, const char *what)
{
	const struct cfg_atom *a = scalar(c, id, what);

	return a ? a->text : NULL;
}

void cfg_apply_scalars(struct cfg_ctx *c)
{
	struct keel_cfg *out = c->out;
	uint64_t v;
	unsigned int i;

	key_name(c);
	key_type(c);
	if (number(c, K_MEMORY, 16, 16384, "a number of MiB", " MiB", &v))
		out->memory_mib = v;
	if (number(c, K_MAXMEM, 16, 16384, "a number of MiB", " MiB", &v)) {
		if (out->memory_mib && v < out->memory_mib) {
			struct cfg_loc at = cfg_at(c->win[K_MAXMEM]);

			cfg_error(
			    c, &at, "maxmem",
			    "%llu is below memory (%llu MiB); write maxmem = %llu, or remove it",
			    (unsigned long long)v, (unsigned long long)out->memory_mib,
			    (unsigned long long)out->memory_mib);
			c->bad[K_MAXMEM] = true;
		} else {
			out->maxmem_mib = v;
		}
	} else if (!c->win[K_MAXMEM]) {
		out->maxmem_mib = out->memory_mib;
	}
	out->vcpus = 1;
	if (number(c, K_VCPUS, 1, KEEL_CFG_MAX_VCPUS, "a number of vCPUs", "", &v))
		out->vcpus = (unsigned int)v;
	out->maxvcpus = out->vcpus;
	if (number(c, K_MAXVCPUS, 1, KEEL_CFG_MAX_VCPUS, "a number of vCPUs", "", &v)) {
		if (!c->bad[K_VCPUS] && v < out->vcpus) {
			struct cfg_loc at = cfg_at(c->win[K_MAXVCPUS]);

			cfg_error(c, &at, "maxvcpus",
				  "%llu is below vcpus (%u); write maxvcpus = %u, or remove it",
				  (unsigned long long)v, out->vcpus, out->vcpus);
			c->bad[K_MAXVCPUS] = true;
		} else {
			out->maxvcpus = (unsigned int)v;
		}
	}
	key_cpus(c, c->bad[K_MAXVCPUS] || c->bad[K_VCPUS] ? KEEL_CFG_MAX_VCPUS : out->maxvcpus);
	out->cpumask = 0;
	for (i = 0; i < out->maxvcpus; i++) {
		if (c->nr_cpus && (c->cpus_one || i < c->nr_cpus))
			out->vcpu_cpumask[i] = c->cpus[c->cpus_one ? 0 : i];
		else
			out->vcpu_cpumask[i] = ~0ULL;
		out->cpumask |= out->vcpu_cpumask[i];
	}
	out->weight = 256;
	if (number(c, K_CPU_WEIGHT, 1, 65535, "a number", "", &v))
		out->weight = (unsigned int)v;
	if (number(c, K_CAP, 0, 3200, "a number (percent of one CPU)", " (percent of one CPU)", &v))
		out->cap = (unsigned int)v;
	out->kernel = key_file(c, K_KERNEL, "give the path of a Linux bzImage or PVH ELF");
	out->ramdisk = key_file(c, K_RAMDISK, "give the path of an initramfs, or remove ramdisk");
	text_of(c, K_ROOT, "a string");
	text_of(c, K_EXTRA, "a string");
	text_of(c, K_CMDLINE, "a string");
	key_action(c, K_ON_POWEROFF, &out->on_poweroff, KEEL_CFG_DESTROY);
	key_action(c, K_ON_REBOOT, &out->on_reboot, KEEL_CFG_RESTART);
	key_action(c, K_ON_CRASH, &out->on_crash, KEEL_CFG_DESTROY);
}

/* "(line 6)" or "(command line)" for @s. */
static const char *where(const struct cfg_setting *s, char *buf, size_t n)
{
	if (s->origin == CFG_CLI)
		snprintf(buf, n, "(command line)");
	else
		snprintf(buf, n, "(line %d)", s->line);
	return buf;
}

/* cmdline, or as xl makes it: "root=ROOT EXTRA" from root and extra. */
static void compose_cmdline(struct cfg_ctx *c)
{
	const struct cfg_setting *cmd = c->win[K_CMDLINE], *root = c->win[K_ROOT],
				 *extra = c->win[K_EXTRA],
				 *from = cmd	 ? cmd
					 : extra ? extra
						 : root;
	struct cfg_loc at;
	size_t n;

	if (cmd && (c->bad[K_CMDLINE] || (root && c->bad[K_ROOT]) || (extra && c->bad[K_EXTRA])))
		return;
	if (cmd) {
		char w1[32];

		at = cfg_at(cmd);
		if (root && extra) {
			char w2[32];

			cfg_warn(c, &at, "cmdline",
				 "set together with root %s and extra %s; cmdline wins, root and "
				 "extra are ignored",
				 where(root, w1, sizeof(w1)), where(extra, w2, sizeof(w2)));
		} else if (root || extra) {
			cfg_warn(c, &at, "cmdline",
				 "set together with %s %s; cmdline wins, %s is ignored",
				 root ? "root" : "extra",
				 where(root ? root : extra, w1, sizeof(w1)),
				 root ? "root" : "extra");
		}
		c->out->cmdline = cfg_strdup(c, cmd->items[0].text);
	} else if (root && !c->bad[K_ROOT] && !(extra && c->bad[K_EXTRA])) {
		const char *r = root->items[0].text, *e = extra ? extra->items[0].text : "";

		n = strlen(r) + strlen(e) + 7;
		c->out->cmdline = cfg_alloc(c, n);
		if (c->out->cmdline)
			snprintf(c->out->cmdline, n, "root=%s%s%s", r, *e ? " " : "", e);
	} else if (extra && !c->bad[K_EXTRA] && !root) {
		c->out->cmdline = cfg_strdup(c, extra->items[0].text);
	} else if (!root && !extra) {
		c->out->cmdline = cfg_strdup(c, "");
	}
	if (c->out->cmdline && strlen(c->out->cmdline) > KEEL_CFG_CMDLINE_MAX && from) {
		at = cfg_at(from);
		cfg_error(c, &at, from->key,
			  "the guest command line is %zu bytes, more than %d (Linux's limit); "
			  "shorten it",
			  strlen(c->out->cmdline), KEEL_CFG_CMDLINE_MAX);
	}
}

void cfg_finish(struct cfg_ctx *c)
{
	static const int required[] = {K_NAME, K_MEMORY, K_KERNEL};
	unsigned int i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!c->win[required[i]])
			cfg_error(c, NULL, cfg_key_name(required[i]),
				  "required but not set; add %s", cfg_key_example(required[i]));
	}
	compose_cmdline(c);
}
