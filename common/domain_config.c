/* Parse boot-module command lines into domain configs and group kernels with their ramdisks. */
#include <keel/compiler.h>
#include <keel/domain_config.h>
#include <keel/domcfg_values.h>
#include <keel/errno.h>
#include <keel/limits.h>
#include <keel/printk.h>
#include <keel/string.h>

/* The keys, in the order of key_names[]. */
/* clang-format off */
enum domcfg_key { KEY_NAME, KEY_MEM, KEY_VCPUS, KEY_CPUS, KEY_CPUS_N, KEY_WEIGHT, KEY_CAP,
		  KEY_ON_POWEROFF, KEY_ON_REBOOT, KEY_ON_CRASH, KEY_TYPE, KEY_DOM0, KEY_POOL, KEY_RT,
		  KEY_PRIO, KEY_SHM, KEY_IOPORTS, KEY_IOMEM, KEY_IRQS, KEY_COUNT };
static const char *const key_names[KEY_COUNT] = {"name", "mem", "vcpus", "cpus", "cpus.N",
	"weight", "cap", "on_poweroff", "on_reboot", "on_crash", "type", "dom0", "pool", "rt",
	"prio", "shm", "ioports", "iomem", "irqs"};
/* clang-format on */

struct domcfg_parser {
	struct domain_config *out;
	char *err;
	size_t errlen;
	u32 seen;			     /* bit per enum domcfg_key */
	struct domcfg_word first[KEY_COUNT]; /* first word that set each key */
	u32 vcpu_seen;			     /* cpus.N given, bit per N */
	struct domcfg_word vcpu_word[DOMCFG_MAX_VCPUS];
};

#define fail(p, ...) domcfg_refuse((p)->err, (p)->errlen, __VA_ARGS__)

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next blank-separated word at *@s, which moves past it; false at the end. */
static bool next_word(const char **s, const char **word, size_t *len)
{
	const char *p = *s;

	while (is_space(*p))
		p++;
	*word = p;
	while (*p && !is_space(*p))
		p++;
	*s = p;
	*len = (size_t)(p - *word);
	return *len != 0;
}

static const char *find_eq(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '=')
			return s + i;
	}
	return NULL;
}

static int parse_uint_key(struct domcfg_parser *p, const struct domcfg_word *w, u64 lo, u64 hi,
			  const char *hint, unsigned int *out)
{
	u64 v = 0;
	int rc = domcfg_parse_dec(w->val, w->vlen, hi, &v);

	if (rc == -EINVAL)
		return fail(p, "%.*s: not a decimal number (use %s)", DOMCFG_QUOTE(w), hint);
	if (rc || v < lo)
		return fail(p, "%.*s: out of range (use %s)", DOMCFG_QUOTE(w), hint);
	*out = (unsigned int)v;
	return 0;
}

static int parse_name(struct domcfg_parser *p, const struct domcfg_word *w)
{
	size_t i;

	if (w->vlen == 0 || w->vlen >= DOMCFG_NAME_MAX)
		return fail(p, "%.*s: name must be 1..%d characters", DOMCFG_QUOTE(w),
			    DOMCFG_NAME_MAX - 1);
	for (i = 0; i < w->vlen; i++) {
		char c = w->val[i];

		if (!(domcfg_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '_' || c == '.' || c == '-'))
			return fail(p, "%.*s: bad character '%c' in name (use A-Z a-z 0-9 _ . -)",
				    DOMCFG_QUOTE(w), c);
	}
	memcpy(p->out->name, w->val, w->vlen);
	p->out->name[w->vlen] = '\0';
	return 0;
}

/* `pool=NAME`: the CPU pool the domain runs in (whether it exists is checked at build). */
static int parse_pool(struct domcfg_parser *p, const struct domcfg_word *w)
{
	for (size_t i = 0; i < w->vlen; i++) {
		char c = w->val[i];

		if (!(domcfg_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '_' || c == '-'))
			return fail(p,
				    "%.*s: bad character '%c' in a pool name (use A-Z a-z 0-9 _ -)",
				    DOMCFG_QUOTE(w), c);
	}
	if (w->vlen == 0 || w->vlen >= DOMCFG_POOL_MAX)
		return fail(p, "%.*s: a pool name has 1..%d characters", DOMCFG_QUOTE(w),
			    DOMCFG_POOL_MAX - 1);
	memcpy(p->out->pool, w->val, w->vlen);
	p->out->pool[w->vlen] = '\0';
	return 0;
}

_Static_assert(KEY_IRQS - KEY_IOPORTS == DOMCFG_DEV_IRQS,
	       "device keys in enum domcfg_dev_key order");

/* `rt=BUDGET/PERIOD`: a real-time reservation for each vCPU, e.g. rt=300us/1ms. */
static int parse_rt(struct domcfg_parser *p, const struct domcfg_word *w)
{
	const char *slash = NULL;
	size_t blen = 0;
	u64 budget = 0, period = 0;

	while (blen < w->vlen && w->val[blen] != '/')
		blen++;
	if (blen < w->vlen)
		slash = w->val + blen;

	if (!slash || domcfg_parse_time(w->val, blen, DOMCFG_RT_MAX_PERIOD_NS, &budget) ||
	    domcfg_parse_time(slash + 1, w->vlen - blen - 1, DOMCFG_RT_MAX_PERIOD_NS, &period))
		return fail(p,
			    "%.*s: not BUDGET/PERIOD (use e.g. rt=300us/1ms; units ns, us, ms, s; "
			    "at most 10s)",
			    DOMCFG_QUOTE(w));
	if (period < DOMCFG_RT_MIN_PERIOD_NS)
		return fail(p, "%.*s: the period is below 100us (use a longer period)",
			    DOMCFG_QUOTE(w));
	if (budget < DOMCFG_RT_MIN_BUDGET_NS || budget > period)
		return fail(p, "%.*s: the budget must be 10us..the period (use e.g. rt=300us/1ms)",
			    DOMCFG_QUOTE(w));
	p->out->rt_budget_ns = budget;
	p->out->rt_period_ns = period;
	return 0;
}

static const char *const action_names[] = {"destroy", "restart", "preserve"};
static const char *const type_names[] = {"kernel", "ramdisk"};
/* Even entries mean true, odd ones false. */
static const char *const bool_names[] = {"1", "0", "yes", "no", "on", "off", "true", "false"};

/* The index of @w's value in @words[@n], or -1. */
static int choose(const struct domcfg_word *w, const char *const *words, int n)
{
	int i;

	for (i = 0; w->val && i < n; i++) {
		if (domcfg_slice_is(w->val, w->vlen, words[i]))
			return i;
	}
	return -1;
}

static int parse_action(struct domcfg_parser *p, const struct domcfg_word *w,
			enum domcfg_action *out)
{
	int i = choose(w, action_names, (int)ARRAY_SIZE(action_names));

	if (i < 0)
		return fail(p, "%.*s: unknown action (use destroy, restart or preserve)",
			    DOMCFG_QUOTE(w));
	*out = (enum domcfg_action)i;
	return 0;
}

/* `cpus.N=list`: per-vCPU pinning; N is checked against vcpus once the whole line is read. */
static int parse_vcpu_pin(struct domcfg_parser *p, const struct domcfg_word *w)
{
	u64 n = 0;

	if (domcfg_parse_dec(w->key + 5, w->klen - 5, DOMCFG_MAX_VCPUS - 1, &n))
		return fail(p, "%.*s: bad vCPU number in '%.*s' (use cpus.N= with N = 0..%d)",
			    DOMCFG_QUOTE(w), DOMCFG_KEYQ(w), DOMCFG_MAX_VCPUS - 1);
	if (p->vcpu_seen & (1u << n))
		return fail(p, "%.*s: '%.*s' given twice (give each key once)", DOMCFG_QUOTE(w),
			    DOMCFG_KEYQ(w));
	p->vcpu_seen |= 1u << n;
	p->vcpu_word[n] = *w;
	return domcfg_parse_cpu_list(w, &p->out->vcpu_cpus[n], p->err, p->errlen);
}

static int parse_key(struct domcfg_parser *p, const struct domcfg_word *w)
{
	struct domain_config *c = p->out;
	int key, i;

	for (key = 0; key < KEY_COUNT; key++) {
		if (key != KEY_CPUS_N && domcfg_slice_is(w->key, w->klen, key_names[key]))
			break;
	}
	if (key == KEY_COUNT && w->klen > 5 && memcmp(w->key, "cpus.", 5) == 0)
		key = KEY_CPUS_N;
	if (key == KEY_COUNT) {
		if (!w->val)
			return fail(p, "%.*s: not a key=value word (guest options go after --)",
				    DOMCFG_QUOTE(w));
		return fail(
		    p,
		    "%.*s: unknown key '%.*s' (known: name mem vcpus cpus cpus.N weight cap "
		    "on_poweroff on_reboot on_crash type dom0 pool rt prio shm ioports iomem irqs)",
		    DOMCFG_QUOTE(w), DOMCFG_KEYQ(w));
	}
	if (key != KEY_DOM0 && !w->val)
		return fail(p, "%.*s: needs a value (write %.*s=...)", DOMCFG_QUOTE(w),
			    DOMCFG_KEYQ(w));
	if (key != KEY_CPUS_N) {
		if (p->seen & (1u << key))
			return fail(p, "%.*s: '%s' given twice (give each key once)",
				    DOMCFG_QUOTE(w), key_names[key]);
		p->first[key] = *w;
	} else if (!(p->seen & (1u << key))) {
		p->first[key] = *w;
	}
	p->seen |= 1u << key;

	switch (key) {
	case KEY_NAME:
		return parse_name(p, w);
	case KEY_MEM:
		return domcfg_parse_size(w, DOMCFG_MIN_MEM, DOMCFG_MAX_MEM, &c->mem_bytes, p->err,
					 p->errlen);
	case KEY_VCPUS:
		return parse_uint_key(p, w, 1, DOMCFG_MAX_VCPUS, "1..32", &c->vcpus);
	case KEY_CPUS:
		return domcfg_parse_cpu_list(w, &c->cpus, p->err, p->errlen);
	case KEY_CPUS_N:
		return parse_vcpu_pin(p, w);
	case KEY_WEIGHT:
		return parse_uint_key(p, w, 1, DOMCFG_MAX_WEIGHT, "1..65535, default 256",
				      &c->weight);
	case KEY_CAP:
		return parse_uint_key(p, w, 0, DOMCFG_MAX_CAP, "0..6400: % of one CPU, 0 = no cap",
				      &c->cap);
	case KEY_ON_POWEROFF:
		return parse_action(p, w, &c->on_poweroff);
	case KEY_ON_REBOOT:
		return parse_action(p, w, &c->on_reboot);
	case KEY_ON_CRASH:
		return parse_action(p, w, &c->on_crash);
	case KEY_POOL:
		return parse_pool(p, w);
	case KEY_RT:
		return parse_rt(p, w);
	case KEY_PRIO:
		return parse_uint_key(p, w, 0, DOMCFG_RT_MAX_PRIO, "0..99, higher runs first",
				      &c->rt_prio);
	case KEY_SHM:
		return domcfg_parse_shm(w->text, w->len, w->val, w->vlen, c, p->err, p->errlen);
	case KEY_TYPE:
		if ((i = choose(w, type_names, (int)ARRAY_SIZE(type_names))) < 0)
			return fail(p, "%.*s: unknown module type (use kernel or ramdisk)",
				    DOMCFG_QUOTE(w));
		c->type = (enum domcfg_module_type)i;
		return 0;
	case KEY_IOPORTS: /* the device keys (common/domain_config_devices.c) */
	case KEY_IOMEM:
	case KEY_IRQS: {
		char why[DOMCFG_ERR_MAX];

		if (domcfg_parse_devices((enum domcfg_dev_key)(key - KEY_IOPORTS), w->val, w->vlen,
					 &c->devices, why, sizeof(why)))
			return fail(p, "%.*s: %s", DOMCFG_QUOTE(w), why);
		return 0;
	}
	default: /* KEY_DOM0: bare, or a boolean value */
		if ((i = choose(w, bool_names, (int)ARRAY_SIZE(bool_names))) < 0 && w->val)
			return fail(p, "%.*s: not a boolean (use dom0, dom0=yes or dom0=no)",
				    DOMCFG_QUOTE(w));
		c->dom0 = i < 0 || !(i & 1);
		return 0;
	}
}
/* Checks that need the whole line: ramdisk-only keys, cpus.N against vcpus. */
static int check_line(struct domcfg_parser *p)
{
	struct domain_config *c = p->out;
	unsigned int n;

	if (c->type == DOMCFG_RAMDISK) {
		for (int key = 0; key < KEY_COUNT; key++) {
			const struct domcfg_word *w = &p->first[key];

			if (key != KEY_TYPE && (p->seen & (1u << key)))
				return fail(
				    p,
				    "%.*s: '%.*s' does not apply to a ramdisk module (put it "
				    "on its kernel's line)",
				    DOMCFG_QUOTE(w), DOMCFG_KEYQ(w));
		}
		return 0;
	}
	if ((p->seen & (1u << KEY_PRIO)) && !(p->seen & (1u << KEY_RT)))
		return fail(p, "%.*s: a priority needs a reservation (add rt=BUDGET/PERIOD)",
			    DOMCFG_QUOTE(&p->first[KEY_PRIO]));
	for (n = 0; n < DOMCFG_MAX_VCPUS; n++) {
		if (!(p->vcpu_seen & (1u << n))) {
			c->vcpu_cpus[n] = c->cpus;
		} else if (n >= c->vcpus) {
			return fail(p, "%.*s: vCPU %u does not exist (the domain has vcpus=%u)",
				    DOMCFG_QUOTE(&p->vcpu_word[n]), n, c->vcpus);
		}
	}
	if ((p->seen & (1u << KEY_SHM)) &&
	    domcfg_check_shm(p->first[KEY_SHM].text, p->first[KEY_SHM].len, c, p->err, p->errlen))
		return -EINVAL;
	return 0;
}

static void set_defaults(struct domain_config *c)
{
	memset(c, 0, sizeof(*c));
	c->type = DOMCFG_KERNEL;
	c->mem_bytes = DOMCFG_DEFAULT_MEM;
	c->vcpus = 1;
	c->cpus = DOMCFG_ALL_CPUS;
	c->weight = DOMCFG_DEFAULT_WEIGHT;
	c->on_poweroff = DOMCFG_DESTROY;
	c->on_reboot = DOMCFG_RESTART;
	c->on_crash = DOMCFG_DESTROY;
}

/* Everything after `--`, without surrounding blanks. */
static int take_guest_cmdline(struct domcfg_parser *p, const char *s)
{
	size_t len;

	while (is_space(*s))
		s++;
	len = strlen(s);
	while (len && is_space(s[len - 1]))
		len--;
	if (len >= DOMCFG_CMDLINE_MAX)
		return fail(p, "--: command line after -- is %zu characters (at most %d)", len,
			    DOMCFG_CMDLINE_MAX - 1);
	memcpy(p->out->cmdline, s, len);
	p->out->cmdline[len] = '\0';
	return 0;
}

int domcfg_parse(const char *cmdline, struct domain_config *out, char *err, size_t errlen)
{
	struct domcfg_parser p;
	const char *s = cmdline;
	bool first_word = true;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.out = out;
	p.err = err;
	p.errlen = errlen;
	set_defaults(out);
	if (!cmdline)
		return check_line(&p);

	for (;;) {
		struct domcfg_word w;
		const char *eq;

		if (!next_word(&s, &w.text, &w.len))
			break;
		if (domcfg_slice_is(w.text, w.len, "--"))
			return (rc = take_guest_cmdline(&p, s)) ? rc : check_line(&p);

		eq = find_eq(w.text, w.len);
		w.key = w.text;
		w.klen = eq ? (size_t)(eq - w.text) : w.len;
		w.val = eq ? eq + 1 : NULL;
		w.vlen = eq ? w.len - w.klen - 1 : 0;
		if (first_word && !eq && !domcfg_slice_is(w.text, w.len, "dom0")) {
			size_t n = MIN(w.len, (size_t)DOMCFG_PATH_MAX - 1);

			memcpy(out->path, w.text, n);
			out->path[n] = '\0';
		} else if ((rc = parse_key(&p, &w))) {
			return rc;
		}
		first_word = false;
	}
	return check_line(&p);
}

const char *domcfg_action_name(enum domcfg_action action)
{
	return (unsigned int)action < ARRAY_SIZE(action_names) ? action_names[action] : "?";
}

/* Where ramdisks attach while walking the modules. */
#define NO_KERNEL      (-1) /* none yet: a ramdisk here is stray */
#define KERNEL_SKIPPED (-2) /* the last kernel was refused: so are its ramdisks */

/* Whether a line that failed to parse still has the word `type=ramdisk` before any `--`. */
static bool line_says_ramdisk(const char *s)
{
	const char *w;
	size_t len;

	while (next_word(&s, &w, &len) && !domcfg_slice_is(w, len, "--")) {
		if (domcfg_slice_is(w, len, "type=ramdisk"))
			return true;
	}
	return false;
}

/* Boot-time only (one caller, before other CPUs run): too big for a 16 KiB stack frame. */
static struct domain_config domcfg_scratch;

static bool name_taken(const struct domain_config *cfgs, unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (strcmp(cfgs[i].name, name) == 0)
			return true;
	}
	return false;
}

/* Validate a parsed kernel module against the others; 0 or -EINVAL with @err filled. */
static int accept_kernel(struct domain_config *c, const struct boot_module *m, unsigned int index,
			 const struct domain_config *cfgs, unsigned int n, bool kernel_seen,
			 char *err, size_t errlen)
{
	if (c->dom0 && kernel_seen)
		return domcfg_refuse(err, errlen, "dom0: only the first kernel module may be dom0");
	if (m->end <= m->start)
		return domcfg_refuse(err, errlen, "the module is empty");
	if (!c->name[0]) {
		if (c->dom0)
			strlcpy(c->name, "dom0", sizeof(c->name));
		else
			snprintf(c->name, sizeof(c->name), "guest%u", index);
	}
	if (name_taken(cfgs, n, c->name))
		return domcfg_refuse(err, errlen,
				     "name=%s: another domain already has this name (pick another)",
				     c->name);
	c->module = index;
	c->kernel_start = m->start;
	c->kernel_end = m->end;
	c->nr_ramdisks = 0;
	return 0;
}

static int attach_ramdisk(struct domain_config *k, const struct domain_config *r,
			  const struct boot_module *m, unsigned int index, char *err, size_t errlen)
{
	struct domcfg_ramdisk *rd;

	if (k->nr_ramdisks >= DOMCFG_MAX_RAMDISKS)
		return domcfg_refuse(err, errlen,
				     "domain %s already has %d ramdisks (the most it can have)",
				     k->name, DOMCFG_MAX_RAMDISKS);
	if (m->end <= m->start)
		return domcfg_refuse(err, errlen, "the module is empty");
	rd = &k->ramdisks[k->nr_ramdisks++];
	rd->module = index;
	rd->start = m->start;
	rd->end = m->end;
	strlcpy(rd->cmdline, r->cmdline, sizeof(rd->cmdline));
	return 0;
}

int domcfg_group_modules(const struct boot_info *bi, struct domain_config *cfgs, unsigned int max,
			 unsigned int *nr_skipped)
{
	struct domain_config *c = &domcfg_scratch;
	unsigned int i, n = 0, skipped = 0, nr_modules;
	int cur = NO_KERNEL;
	bool kernel_seen = false;

	if (nr_skipped)
		*nr_skipped = 0;
	if (!bi || !cfgs)
		return -EINVAL;
	nr_modules = bi->nr_modules;
	if (nr_modules > BOOT_MAX_MODULES) {
		pr_warn("domcfg: %u modules, only the first %d are looked at", nr_modules,
			BOOT_MAX_MODULES);
		nr_modules = BOOT_MAX_MODULES;
	}

	for (i = 0; i < nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];
		char line[BOOT_MODULE_CMDLINE_MAX + 1];
		char err[DOMCFG_ERR_MAX];
		size_t len = strnlen(m->cmdline, sizeof(m->cmdline));
		int rc;

		memcpy(line, m->cmdline, len);
		line[len] = '\0';
		rc = domcfg_parse(line, c, err, sizeof(err));
		if (rc) {
			/* Unless it says it is a ramdisk, its ramdisks must not drift to another kernel. */
			if (!line_says_ramdisk(line)) {
				kernel_seen = true;
				cur = KERNEL_SKIPPED;
			}
		} else if (c->type == DOMCFG_KERNEL) {
			rc = n >= max
				 ? domcfg_refuse(err, sizeof(err), "too many domains (at most %u)",
						 max)
				 : accept_kernel(c, m, i, cfgs, n, kernel_seen, err, sizeof(err));
			kernel_seen = true;
			cur = rc ? KERNEL_SKIPPED : (int)n;
			if (!rc)
				cfgs[n++] = *c;
		} else if (cur == NO_KERNEL) {
			rc = domcfg_refuse(err, sizeof(err),
					   "type=ramdisk: no kernel module before it "
					   "(list it after its kernel)");
		} else if (cur == KERNEL_SKIPPED) {
			rc = domcfg_refuse(err, sizeof(err),
					   "type=ramdisk: its kernel module was skipped");
		} else {
			rc = attach_ramdisk(&cfgs[cur], c, m, i, err, sizeof(err));
		}
		if (rc) {
			pr_err("domcfg: module %u (%s): %s; skipped", i,
			       c->path[0] ? c->path : "no path", err);
			skipped++;
		}
	}

	for (i = 0; i < n; i++) {
		pr_info("domcfg: domain %s%s: module %u, %llu MiB, %u vCPU(s), %u ramdisk(s)",
			cfgs[i].name, cfgs[i].dom0 ? " (dom0)" : "", cfgs[i].module,
			cfgs[i].mem_bytes >> 20, cfgs[i].vcpus, cfgs[i].nr_ramdisks);
	}
	if (n && !cfgs[0].dom0)
		pr_info("domcfg: no dom0: dom0-less system");
	if (nr_skipped)
		*nr_skipped = skipped;
	return (int)n;
}
