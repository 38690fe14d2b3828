/* disk = [...] and vif = [...]: xl's disk and network spec strings, vdev numbers, MAC addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

#define DISK_FIX "give an existing image file or block device"

uint32_t cfg_vdev_id(const char *vdev)
{
	const char *p = vdev + 3;
	uint32_t disk = 0, part = 0;
	int letters = 0;

	if (strncmp(vdev, "xvd", 3) != 0)
		return 0;
	for (; *p >= 'a' && *p <= 'z'; p++) {
		if (++letters > 4)
			return 0;
		disk = disk * 26 + (uint32_t)(*p - 'a' + 1); /* a..z, then aa..zz, ... */
	}
	if (!letters)
		return 0;
	disk--;
	if (*p) {
		if (*p < '1' || *p > '9')
			return 0;
		for (; *p >= '0' && *p <= '9'; p++) {
			part = part * 10 + (uint32_t)(*p - '0');
			if (part > 255)
				return 0;
		}
		if (*p)
			return 0;
	}
	if (disk < 16 && part < 16)
		return 202u << 8 | disk << 4 | part;
	if (disk >= 1u << 20)
		return 0;
	return 1u << 28 | disk << 8 | part;
}

/* A spec's comma-separated pieces, without spaces before each (and after, but for target=). */
struct piece {
	char *s;
	bool rest; /* target=...: the rest of the spec, commas and all */
};

static unsigned int split(char *spec, struct piece *pieces, unsigned int max)
{
	unsigned int n = 0;
	char *p = spec;

	for (;;) {
		char *comma, *e;

		while (*p == ' ' || *p == '\t')
			p++;
		if (n == max)
			return n + 1;
		pieces[n].s = p;
		pieces[n].rest = strncmp(p, "target=", 7) == 0;
		if (pieces[n++].rest)
			return n;
		comma = strchr(p, ',');
		e = comma ? comma : p + strlen(p);
		if (comma)
			*comma = '\0';
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!comma)
			return n;
		p = comma + 1;
	}
}

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++) {
		if (strcmp(s, *list) == 0)
			return true;
	}
	return false;
}

/* xl-disk-configuration(5)'s parameters Keel ignores (with a warning). */
static const char *const xl_disk_keys[] = {
    "backend",	 "backendtype", "script",      "specification", "transport", "colo-host",
    "colo-port", "colo-export", "active-disk", "hidden-disk",	NULL};
static const char *const xl_disk_flags[] = {
    "discard", "no-discard", "direct-io-safe", "trusted", "untrusted", "colo", NULL};
static const char *const disk_params[] = {"target", "format", "vdev", "access"};

enum { P_TARGET, P_FORMAT, P_VDEV, P_ACCESS, NR_PARAMS };

struct disk_spec {
	const char *param[NR_PARAMS]; /* NULL: not given; "": given empty (the default) */
	bool cdrom;
};

/* Set one parameter, once; false (reported) if it was given already. */
static bool set_param(struct cfg_ctx *c, const struct cfg_loc *at, struct disk_spec *d, int i,
		      const char *v, const char *spec)
{
	if (d->param[i]) {
		char show[CFG_SHOW_MAX];

		cfg_error(c, at, "disk", "%s is given twice in '%s'; give each parameter once",
			  disk_params[i], cfg_show(show, spec));
		return false;
	}
	d->param[i] = v;
	return true;
}

/* xm's "phy:", "file:", "tap:aio:", "raw:", "qcow2:" ... before a target: stripped, each giving
 * the format (raw, but for the image formats' own prefixes). */
static const char *target_prefixes(const char *t, const char **format)
{
	static const char *const backends[] = {"phy",	  "file", "tap", "tap2",
					       "tapdisk", "aio",  NULL};
	static const char *const formats[] = {"raw", "qcow", "qcow2", "vhd", "qed", NULL};
	const char *const *b;
	bool more = true;
	size_t n;

	while (more) {
		more = false;
		for (b = backends; *b; b++) {
			n = strlen(*b);
			if (strncmp(t, *b, n) == 0 && t[n] == ':') {
				t += n + 1;
				*format = "raw";
				more = true;
			}
		}
	}
	for (b = formats; *b; b++) {
		n = strlen(*b);
		if (strncmp(t, *b, n) == 0 && t[n] == ':') {
			*format = *b;
			return t + n + 1;
		}
	}
	return t;
}

static bool parse_disk_spec(struct cfg_ctx *c, const struct cfg_loc *at, char *copy,
			    const char *spec, struct disk_spec *d)
{
	struct piece pieces[16];
	unsigned int n = split(copy, pieces, 16), i;
	char show[CFG_SHOW_MAX];
	bool ok = true;

	if (n > 16) {
		cfg_error(c, at, "disk",
			  "'%s' has more than 16 parameters; give a disk's target, "
			  "format, vdev and access",
			  cfg_show(show, spec));
		return false;
	}
	for (i = 0; i < n; i++) {
		char *p = pieces[i].s, *eq = strchr(p, '=');
		int slot;

		if (pieces[i].rest) {
			ok &= set_param(c, at, d, P_TARGET, p + 7, spec);
		} else if (eq) {
			*eq = '\0';
			for (slot = 0; slot < NR_PARAMS && strcmp(p, disk_params[slot]) != 0;
			     slot++)
				;
			if (slot < NR_PARAMS) {
				ok &= set_param(c, at, d, slot, eq + 1, spec);
			} else if (strcmp(p, "devtype") == 0) {
				if (strcmp(eq + 1, "cdrom") == 0) {
					d->cdrom = true;
				} else if (strcmp(eq + 1, "disk") != 0) {
					cfg_error(
					    c, at, "disk",
					    "devtype=%s is not a device type; write devtype=disk",
					    cfg_show(show, eq + 1));
					ok = false;
				}
			} else if (one_of(p, xl_disk_keys)) {
				cfg_warn(c, at, "disk", "%s=%s is not supported by Keel; ignored",
					 p, cfg_show(show, eq + 1));
			} else {
				cfg_error(c, at, "disk",
					  "unknown parameter %s=; a disk has target, format, vdev, "
					  "access and devtype",
					  cfg_show(show, p));
				ok = false;
			}
		} else if (strcmp(p, "cdrom") == 0) {
			d->cdrom = true;
		} else if (one_of(p, xl_disk_flags)) {
			cfg_warn(c, at, "disk", "%s is not supported by Keel; ignored", p);
		} else {
			for (slot = 0; slot < NR_PARAMS && d->param[slot]; slot++)
				;
			if (slot == NR_PARAMS) {
				cfg_error(c, at, "disk",
					  "'%s' has more than the four positional parameters "
					  "(target,format,vdev,access); remove \"%s\"",
					  cfg_show(show, spec), p);
				ok = false;
			} else if (slot == P_TARGET) {
				const char *format = NULL;

				d->param[P_TARGET] = target_prefixes(p, &format);
				if (format && !d->param[P_FORMAT])
					d->param[P_FORMAT] = format;
			} else {
				d->param[slot] = p;
			}
		}
	}
	return ok;
}

/* What is wrong with the vdev of "hda"-like names: the xvd name to write instead. */
static bool emulated_name(const char *v, char *xvd, size_t n)
{
	if ((strncmp(v, "hd", 2) != 0 && strncmp(v, "sd", 2) != 0) || v[2] < 'a' || v[2] > 'z')
		return false;
	snprintf(xvd, n, "xvd%s", v + 2);
	return cfg_vdev_id(xvd) != 0;
}

/* One disk spec into *out (its target allocated); false (reported) if it is refused. Its vdev
 * goes to *vdev_id as soon as it is known, for the duplicate check. */
static bool one_disk(struct cfg_ctx *c, const struct cfg_setting *s, unsigned int i,
		     struct keel_cfg_disk *out, uint32_t *vdev_id)
{
	const char *spec = s->items[i].text, *format, *vdev, *access, *target;
	struct cfg_loc at = cfg_at_item(s, i);
	struct disk_spec d = {.cdrom = false};
	char show[CFG_SHOW_MAX], xvd[16], *copy, *path = NULL, *vcopy = NULL;
	bool ok, misplaced;

	copy = cfg_strdup(c, spec);
	if (!copy)
		return false;
	ok = parse_disk_spec(c, &at, copy, spec, &d);
	target = d.param[P_TARGET] && *d.param[P_TARGET] ? d.param[P_TARGET] : NULL;
	format = d.param[P_FORMAT] && *d.param[P_FORMAT] ? d.param[P_FORMAT] : "raw";
	vdev = d.param[P_VDEV] && *d.param[P_VDEV] ? d.param[P_VDEV] : NULL;
	access = d.param[P_ACCESS] && *d.param[P_ACCESS] ? d.param[P_ACCESS] : "rw";
	if (vdev && strchr(vdev, ':')) {
		vcopy = cfg_strdup(c, vdev);
		if (vcopy) {
			if (strcmp(strchr(vcopy, ':'), ":cdrom") == 0)
				d.cdrom = true;
			if (strcmp(strchr(vcopy, ':'), ":cdrom") == 0 ||
			    strcmp(strchr(vcopy, ':'), ":disk") == 0)
				*strchr(vcopy, ':') = '\0';
			vdev = vcopy;
		}
	}
	if (d.cdrom) {
		cfg_error(c, &at, "disk",
			  "'%s' is a CD-ROM, which Keel does not support; remove cdrom (a guest "
			  "reads an image as a disk: devtype=disk, access=ro)",
			  cfg_show(show, spec));
		ok = false;
	}
	misplaced = strcmp(format, "raw") != 0 &&
		    (cfg_vdev_id(format) || emulated_name(format, xvd, sizeof(xvd)));
	if (misplaced) {
		cfg_error(c, &at, "disk",
			  "\"%s\" is where the format goes (target,format,vdev,access); write "
			  "e.g. '/srv/guest.img,raw,xvda,rw'",
			  format);
		ok = false;
	} else if (!vdev) {
		cfg_error(c, &at, "disk",
			  "'%s' has no vdev; write e.g. '/srv/guest.img,raw,xvda,rw'",
			  cfg_show(show, spec));
		ok = false;
	} else if (!(*vdev_id = cfg_vdev_id(vdev)) || strlen(vdev) >= sizeof(out->vdev)) {
		*vdev_id = 0;
		if (emulated_name(vdev, xvd, sizeof(xvd)))
			cfg_error(
			    c, &at, "disk",
			    "vdev %s is an emulated disk's name; write %s (Keel's guests have "
			    "Xen PV disks)",
			    vdev, xvd);
		else
			cfg_error(
			    c, &at, "disk",
			    "vdev %s is not a disk name; write xvda, xvdb, ... (xvd, letters, "
			    "an optional partition number)",
			    cfg_show(show, vdev));
		ok = false;
	} else {
		snprintf(out->vdev, sizeof(out->vdev), "%s", vdev);
	}
	if (strcmp(format, "raw") != 0 && !misplaced) {
		if (strncmp(format, "qcow", 4) == 0 || strncmp(format, "vhd", 3) == 0 ||
		    strncmp(format, "qed", 3) == 0)
			cfg_error(c, &at, "disk",
				  "format %s is not supported (raw only); convert the image "
				  "(qemu-img convert -O raw) and write format=raw",
				  cfg_show(show, format));
		else
			cfg_error(c, &at, "disk", "\"%s\" is not a disk format; write raw",
				  cfg_show(show, format));
		ok = false;
	}
	if (strcmp(access, "rw") == 0 || strcmp(access, "w") == 0) {
		out->readonly = false;
	} else if (strcmp(access, "ro") == 0 || strcmp(access, "r") == 0) {
		out->readonly = true;
	} else {
		cfg_error(c, &at, "disk",
			  "access \"%s\" is not rw or ro; write access=rw or access=ro",
			  cfg_show(show, access));
		ok = false;
	}
	if (!target) {
		cfg_error(c, &at, "disk",
			  "'%s' has no target; give the image file or block device first, e.g. "
			  "'/srv/guest.img,raw,xvda,rw'",
			  cfg_show(show, spec));
		ok = false;
	} else {
		char *dev = NULL;

		if (target[0] != '/') { /* xl: a target not starting with / is under /dev */
			size_t n = strlen(target) + 6;

			dev = cfg_alloc(c, n);
			if (dev)
				snprintf(dev, n, "/dev/%s", target);
		}
		if (dev || target[0] == '/')
			path =
			    cfg_path(c, s, &at, "disk", dev ? dev : target,
				     out->readonly ? KEEL_CFG_PATH_DISK_RO : KEEL_CFG_PATH_DISK_RW,
				     DISK_FIX);
		free(dev);
		ok &= path != NULL;
	}
	if (ok) {
		out->target = path;
		out->vdev_id = *vdev_id;
		out->line = s->origin == CFG_FILE ? s->items[i].line : 0;
	} else {
		free(path);
	}
	free(vcopy);
	free(copy);
	return ok;
}

static const char *lines_of(const struct cfg_setting *s, int a, int b, char *buf, size_t n)
{
	if (s->origin == CFG_CLI)
		return "";
	snprintf(buf, n, a == b ? " (line %d)" : " (lines %d and %d)", a, b);
	return buf;
}

void cfg_apply_disks(struct cfg_ctx *c, const struct cfg_setting *s)
{
	struct keel_cfg *out = c->out;
	uint32_t *ids = cfg_alloc(c, (s->n + 1) * sizeof(*ids));
	struct keel_cfg_disk tmp;
	unsigned int i, j, nr = 0;
	struct cfg_loc at;
	char buf[48];

	if (!ids)
		return;
	if (s->n > KEEL_CFG_MAX_DISKS) {
		at = cfg_at(s);
		cfg_error(c, &at, "disk", "%u disks, more than %d; remove some", s->n,
			  KEEL_CFG_MAX_DISKS);
	}
	for (i = 0; i < s->n; i++) { /* each is checked; the first 16 kept */
		uint32_t id = 0;

		memset(&tmp, 0, sizeof(tmp));
		if (one_disk(c, s, i, &tmp, &id) && nr < KEEL_CFG_MAX_DISKS)
			out->disks[nr++] = tmp;
		else
			free(tmp.target);
		ids[i] = id;
		for (j = 0; id && j < i; j++) {
			if (ids[j] != id)
				continue;
			at = cfg_at_item(s, j);
			cfg_error(
			    c, &at, "disk", "%s is used twice%s; give each disk its own vdev",
			    tmp.vdev,
			    lines_of(s, s->items[j].line, s->items[i].line, buf, sizeof(buf)));
			c->bad[K_DISK] = true;
			break;
		}
	}
	free(ids);
	out->nr_disks = nr;
	for (i = 0; i < nr; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(out->disks[i].target, out->disks[j].target) != 0 ||
			    (out->disks[i].readonly && out->disks[j].readonly))
				continue;
			at = s->origin == CFG_CLI
				 ? cfg_at(s)
				 : (struct cfg_loc){.origin = CFG_FILE, .line = out->disks[i].line};
			cfg_warn(
			    c, &at, "disk",
			    "%s is attached twice%s, writable; the guest may corrupt it: give "
			    "both access=ro, or attach it once",
			    out->disks[i].target,
			    lines_of(s, out->disks[j].line, out->disks[i].line, buf, sizeof(buf)));
			break;
		}
	}
}

/* xl-network-configuration(5)'s keys Keel ignores (with a warning). */
static const char *const xl_vif_keys[] = {"model", "vifname", "backend",    "rate",
					  "devid", "mtu",     "gatewaydev", "forwarddev",
					  "accel", "trusted", "untrusted",  NULL};

/* "00:16:3E:12:34:56" -> "00:16:3e:12:34:56"; false if it is not six hex octets. */
static bool parse_mac(const char *s, char *mac)
{
	int i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 17; i++) {
		char ch = s[i];

		if (i % 3 == 2) {
			if (ch != ':')
				return false;
		} else if (ch >= 'A' && ch <= 'F') {
			ch = (char)(ch - 'A' + 'a');
		} else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
			return false;
		}
		mac[i] = ch;
	}
	mac[17] = '\0';
	return true;
}

static bool one_vif(struct cfg_ctx *c, const struct cfg_setting *s, unsigned int i,
		    struct keel_cfg_vif *v)
{
	static const char *const keys[] = {"mac", "bridge", "type", "script", "ip"};
	const char *spec = s->items[i].text, *val[5] = {NULL};
	struct cfg_loc at = cfg_at_item(s, i);
	char show[CFG_SHOW_MAX], show2[CFG_SHOW_MAX], *copy = cfg_strdup(c, spec), *p, *next;
	bool ok = true;
	unsigned int k;

	if (!copy)
		return false;
	for (p = copy; p; p = next) {
		char *e, *eq;

		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		for (e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		if (!*p)
			continue;
		eq = strchr(p, '=');
		if (!eq) {
			cfg_error(c, &at, "vif",
				  "\"%s\" in '%s' is not key=value; write e.g. 'bridge=xenbr0'",
				  cfg_show(show, p), cfg_show(show2, spec));
			ok = false;
			continue;
		}
		*eq = '\0';
		for (k = 0; k < 5 && strcmp(p, keys[k]) != 0; k++)
			;
		if (k == 5) {
			if (one_of(p, xl_vif_keys))
				cfg_warn(c, &at, "vif", "%s=%s is not supported by Keel; ignored",
					 p, cfg_show(show, eq + 1));
			else
				cfg_warn(c, &at, "vif", "unknown key %s=%s; ignored",
					 cfg_show(show, p), cfg_show(show2, eq + 1));
		} else if (val[k]) {
			cfg_error(c, &at, "vif", "%s is given twice in '%s'; give it once", keys[k],
				  cfg_show(show, spec));
			ok = false;
		} else {
			val[k] = eq + 1;
		}
	}
	if (val[0]) { /* mac */
		if (!parse_mac(val[0], v->mac)) {
			cfg_error(
			    c, &at, "vif",
			    "mac \"%s\" is not six hex octets; write e.g. mac=00:16:3e:12:34:56",
			    cfg_show(show, val[0]));
			ok = false;
		} else if (strtoul(v->mac, NULL, 16) & 1) {
			cfg_error(c, &at, "vif",
				  "mac %s is a multicast address (its first octet is odd); give a "
				  "unicast one, e.g. 00:16:3e:12:34:56, or none (one is made up)",
				  v->mac);
			ok = false;
		} else if (strcmp(v->mac, "00:00:00:00:00:00") == 0) {
			cfg_error(c, &at, "vif",
				  "mac 00:00:00:00:00:00 is not an address; give e.g. "
				  "00:16:3e:12:34:56, or none (one is made up)");
			ok = false;
		}
	}
	if (val[1] && (!*val[1] || strlen(val[1]) > 15 || strpbrk(val[1], "/ \t"))) {
		cfg_error(
		    c, &at, "vif",
		    "bridge \"%s\" is not an interface name (1..15 characters, no / or spaces); "
		    "write e.g. bridge=xenbr0",
		    cfg_show(show, val[1]));
		ok = false;
	}
	if (val[2] && strcmp(val[2], "vif") != 0) {
		if (strcmp(val[2], "ioemu") == 0)
			cfg_error(
			    c, &at, "vif",
			    "type=ioemu (an emulated NIC) is not supported; write type=vif, or "
			    "leave type out");
		else
			cfg_error(c, &at, "vif", "type=%s is not a vif type; write type=vif",
				  cfg_show(show, val[2]));
		ok = false;
	}
	for (k = 3; k < 5; k++) {
		if (val[k] && !*val[k]) {
			cfg_error(c, &at, "vif", "%s= is empty; give a value or leave %s out",
				  keys[k], keys[k]);
			ok = false;
		}
	}
	if (ok) {
		v->bridge = cfg_strdup(c, val[1] ? val[1] : "xenbr0");
		v->script = val[3] ? cfg_strdup(c, val[3]) : NULL;
		v->ip = val[4] ? cfg_strdup(c, val[4]) : NULL;
		v->line = s->origin == CFG_FILE ? s->items[i].line : 0;
		ok = v->bridge && (!val[3] || v->script) && (!val[4] || v->ip);
	}
	free(copy);
	return ok;
}

void cfg_apply_vifs(struct cfg_ctx *c, const struct cfg_setting *s)
{
	struct keel_cfg *out = c->out;
	unsigned int i, j, nr = 0;
	struct cfg_loc at;
	char buf[48];

	if (s->n > KEEL_CFG_MAX_VIFS) {
		at = cfg_at(s);
		cfg_error(c, &at, "vif", "%u vifs, more than %d; remove some", s->n,
			  KEEL_CFG_MAX_VIFS);
	}
	for (i = 0; i < s->n; i++) { /* each is checked; the first 8 kept */
		struct keel_cfg_vif v = {.mac = ""};

		if (!one_vif(c, s, i, &v) || nr == KEEL_CFG_MAX_VIFS) {
			free(v.bridge);
			free(v.script);
			free(v.ip);
			continue;
		}
		for (j = 0; v.mac[0] && j < nr; j++) {
			if (strcmp(out->vifs[j].mac, v.mac) != 0)
				continue;
			at = cfg_at_item(s, i);
			cfg_error(c, &at, "vif", "mac %s is used twice%s; give each vif its own",
				  v.mac, lines_of(s, out->vifs[j].line, v.line, buf, sizeof(buf)));
			break;
		}
		out->vifs[nr++] = v;
	}
	out->nr_vifs = nr;
}
