/* fuzz_keel_cfg.c: keel's configuration parser on any text and overrides, file checks stubbed. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/keel/config.h"
#include "../../tools/keel/config_int.h" /* cfg_vdev_id */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input bytes 0x80..0xfe stand for these (so mutations reach every key); 0xff ends the file's
 * text and each override after it. */
static const char *const tokens[] = {"name = ",
				     "type = ",
				     "memory = ",
				     "maxmem = ",
				     "vcpus = ",
				     "maxvcpus = ",
				     "cpus = ",
				     "cpu_weight = ",
				     "cap = ",
				     "kernel = ",
				     "ramdisk = ",
				     "cmdline = ",
				     "extra = ",
				     "root = ",
				     "disk = [",
				     "vif = [",
				     "on_poweroff = ",
				     "on_reboot = ",
				     "on_crash = ",
				     "vnc = ",
				     "memroy = ",
				     "\"pvh\"",
				     "\"/boot/vmlinuz\"",
				     "'missing'",
				     "'dir'",
				     "'blk'",
				     "\"guest\"",
				     "512",
				     "0x10",
				     "16384",
				     "32",
				     "65535",
				     "3200",
				     "\"0-3,^1\"",
				     "\"all\"",
				     "'phy:",
				     "'/srv/g.img,raw,xvda,rw'",
				     "'/srv/ro.img,,xvdb,ro'",
				     "'format=raw,vdev=xvdc,target=",
				     "xvd",
				     "xvdaa",
				     "hda",
				     ",qcow2,",
				     ",cdrom",
				     "access=",
				     "devtype=",
				     "'mac=00:16:3e:12:34:56",
				     "'mac=01:00:5e:00:00:01'",
				     "bridge=xenbr0",
				     "type=ioemu",
				     "script=",
				     "ip=",
				     "model=",
				     "''",
				     "]",
				     ", ",
				     "\n",
				     "# c\n",
				     "\"destroy\"",
				     "\"restart\"",
				     "\"preserve\"",
				     "\"rename-restart\"",
				     "\\\"",
				     "\\\\",
				     "'",
				     "\"",
				     ";",
				     "+=",
				     "=",
				     "memory=1024",
				     "disk=",
				     "vif=",
				     "name=x"};
#define NR_TOKENS     (sizeof(tokens) / sizeof(tokens[0]))
#define MAX_OVERRIDES 8

static unsigned int errors, reports;

static void report(void *ctx, int is_error, const char *msg)
{
	if (!msg || strchr(msg, '\n') || !msg[0])
		__builtin_trap();
	errors += is_error != 0;
	reports++;
}

/* Paths named missing/dir/blk/ro are those; any other exists. */
static int check(void *ctx, const char *path, enum keel_cfg_path_kind kind)
{
	size_t n = strlen(path);

	if (n == 0 || n > 8192)
		__builtin_trap();
	if (strstr(path, "missing"))
		return ENOENT;
	if (strstr(path, "dir"))
		return EISDIR;
	if (strstr(path, "blk") && kind == KEEL_CFG_PATH_FILE)
		return EINVAL;
	if (strstr(path, "ro") && kind == KEEL_CFG_PATH_DISK_RW)
		return EROFS;
	return 0;
}

static const struct keel_cfg_hooks hooks = {.report = report, .check_path = check};

/* @n bytes of @data with tokens expanded, into an exact-size heap buffer (ASan-checked). */
static char *expand(const uint8_t *data, size_t n, size_t *len)
{
	size_t i, k = 0;
	char *s;

	for (i = 0; i < n; i++)
		k += data[i] < 0x80 ? 1 : strlen(tokens[(data[i] - 0x80) % NR_TOKENS]);
	s = malloc(k + 1);
	if (!s)
		abort();
	for (i = 0, k = 0; i < n; i++) {
		const char *t = data[i] < 0x80 ? NULL : tokens[(data[i] - 0x80) % NR_TOKENS];

		if (t) {
			memcpy(s + k, t, strlen(t));
			k += strlen(t);
		} else {
			s[k++] = (char)data[i];
		}
	}
	s[k] = '\0';
	*len = k;
	return s;
}

static bool name_ok(const char *name)
{
	size_t n = strnlen(name, KEEL_CFG_NAME_MAX + 1), i;

	if (n == 0 || n > KEEL_CFG_NAME_MAX || name[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return false;
	}
	return true;
}

static bool mac_ok(const char *mac)
{
	size_t i;

	if (!mac[0])
		return true;
	if (strnlen(mac, 18) != 17)
		return false;
	for (i = 0; i < 17; i++) {
		char ch = mac[i];

		if (i % 3 == 2 ? ch != ':'
			       : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
	}
	return strtoul(mac, NULL, 16) % 2 == 0 && strcmp(mac, "00:00:00:00:00:00") != 0;
}

/* What an accepted configuration always is. */
static void check_accepted(const struct keel_cfg *c)
{
	uint64_t all = 0;
	unsigned int i, j;

	if (!name_ok(c->name) || c->memory_mib < 16 || c->memory_mib > 16384 ||
	    c->maxmem_mib < c->memory_mib || c->maxmem_mib > 16384 || c->vcpus < 1 ||
	    c->maxvcpus < c->vcpus || c->maxvcpus > KEEL_CFG_MAX_VCPUS || c->weight < 1 ||
	    c->weight > 65535 || c->cap > 3200 || !c->kernel || !c->cmdline ||
	    strlen(c->cmdline) > KEEL_CFG_CMDLINE_MAX || c->on_poweroff > KEEL_CFG_PRESERVE ||
	    c->on_reboot > KEEL_CFG_PRESERVE || c->on_crash > KEEL_CFG_PRESERVE ||
	    c->nr_disks > KEEL_CFG_MAX_DISKS || c->nr_vifs > KEEL_CFG_MAX_VIFS)
		__builtin_trap();
	(void)strlen(c->kernel); /* NUL-terminated (ASan) */
	if (c->ramdisk)
		(void)strlen(c->ramdisk);
	for (i = 0; i < KEEL_CFG_MAX_VCPUS; i++) {
		if ((i < c->maxvcpus) != (c->vcpu_cpumask[i] != 0))
			__builtin_trap();
		all |= c->vcpu_cpumask[i];
	}
	if (all != c->cpumask)
		__builtin_trap();
	for (i = 0; i < KEEL_CFG_MAX_DISKS; i++) {
		const struct keel_cfg_disk *d = &c->disks[i];

		if (i >= c->nr_disks) {
			if (d->target || d->vdev[0] || d->vdev_id)
				__builtin_trap();
			continue;
		}
		if (!d->target || strnlen(d->vdev, sizeof(d->vdev)) == sizeof(d->vdev) ||
		    !d->vdev_id || cfg_vdev_id(d->vdev) != d->vdev_id || d->line < 0)
			__builtin_trap();
		(void)strlen(d->target);
		for (j = 0; j < i; j++) {
			if (c->disks[j].vdev_id == d->vdev_id || !strcmp(c->disks[j].vdev, d->vdev))
				__builtin_trap();
		}
	}
	for (i = 0; i < KEEL_CFG_MAX_VIFS; i++) {
		const struct keel_cfg_vif *v = &c->vifs[i];

		if (i >= c->nr_vifs) {
			if (v->bridge || v->script || v->ip || v->mac[0])
				__builtin_trap();
			continue;
		}
		if (!v->bridge || !v->bridge[0] || strlen(v->bridge) > 15 ||
		    strnlen(v->mac, sizeof(v->mac)) == sizeof(v->mac) || !mac_ok(v->mac) ||
		    (v->script && !v->script[0]) || (v->ip && !v->ip[0]))
			__builtin_trap();
		for (j = 0; j < i; j++) {
			if (v->mac[0] && !strcmp(c->vifs[j].mac, v->mac))
				__builtin_trap();
		}
	}
}

/* The second pass: the bytes pick settings from these tables, so that many configs are accepted
 * and the invariants above get checked on them. Key k takes gen_values[k][v % 8]: values 0..5
 * are right, 6 and 7 wrong. A disk or vif list takes the items whose bits are set in v: items
 * 0..5 are right together, 6 makes a duplicate (a vdev, a MAC), 7 is wrong. */
static const char *const gen_keys[] = {"name",	   "type",  "memory",	  "maxmem",   "vcpus",
				       "maxvcpus", "cpus",  "cpu_weight", "cap",      "ramdisk",
				       "cmdline",  "extra", "root",	  "on_crash", "on_reboot",
				       "kernel",   "disk",  "vif",	  "vnc"};
#define GEN_DISK 16
#define GEN_VIF	 17
static const char *const gen_values[][8] = {
    {"\"g1\"", "\"a.b-c_d\"", "'y'", "\"0123456789012345678901234567890\"", "x1", "\"G\"", "\"-x\"",
     "\"a b\""},
    {"\"pvh\"", "'pvh'", "\"pvh\"", "'pvh'", "\"pvh\"", "\"pvh\"", "\"pv\"", "\"PVH\""},
    {"512", "16", "16384", "0x400", "\"1024\"", "0x10", "15", "2G"},
    {"16384", "0x4000", "\"16384\"", "16384", "16384", "16384", "16385", "[ ]"},
    {"1", "2", "32", "0x10", "\"4\"", "3", "33", "0"},
    {"32", "0x20", "\"32\"", "32", "32", "32", "33", "-1"},
    {"\"0-3\"", "\"all\"", "\"^0\"", "[\"0\", \"1-2\", \"63\"]", "[]", "5", "\"0,^0\"", "\"64\""},
    {"256", "1", "65535", "0x100", "\"512\"", "7", "0", "65536"},
    {"0", "100", "3200", "0x0", "\"100\"", "-0", "3201", "[1]"},
    {"\"/boot/initrd.img\"", "'initrd.img'", "\"/srv/i\"", "\"i\"", "'/i'", "\"/i2\"",
     "\"/srv/missing\"", "\"/srv/dir\""},
    {"\"console=hvc0\"", "\"\"", "'root=/dev/xvda1 ro'", "1", "\"a\\\"b\"", "\"init=/bin/sh\"",
     "[]", "[\"x\"]"},
    {"\"console=hvc0\"", "\"\"", "\"quiet\"", "2", "'e'", "\"x y\"", "[]", "[\"x\"]"},
    {"\"/dev/xvda1\"", "\"\"", "'/dev/xvda2 ro'", "0", "\"r\"", "\"/\"", "[]", "[\"x\"]"},
    {"\"destroy\"", "\"restart\"", "\"preserve\"", "'destroy'", "'restart'", "'preserve'",
     "\"rename-restart\"", "\"x\""},
    {"\"restart\"", "\"destroy\"", "\"preserve\"", "'destroy'", "'restart'", "'preserve'",
     "\"soft-reset\"", "1"},
    {"\"/boot/vmlinuz\"", "'vmlinuz'", "\"/k\"", "'/boot/k2'", "\"k3\"", "\"/boot/vmlinuz\"",
     "\"/boot/missing\"", "\"/dev/blk\""},
};
static const char *const gen_disks[8] = {
    "'/srv/a.img,raw,xvda,rw'",	 "'/srv/b.img,,xvdb,ro'",
    "'phy:/dev/vg/x,xvda1,w'",	 "'format=raw,vdev=xvdq,target=/srv/c,d.img'",
    "'/srv/a.img,raw,xvdaa,ro'", "'/srv/g.img,,xvdzz15'",
    "'/srv/f.img,raw,xvda,ro'",	 "'/srv/e.img,qcow2,xvdf'"};
static const char *const gen_vifs[8] = {"'bridge=xenbr0'",
					"''",
					"'mac=00:16:3e:00:00:01'",
					"'mac=00:16:3e:00:00:02,bridge=br1'",
					"'ip=10.0.0.2,script=vif-route,model=e1000'",
					"'type=vif,bridge=br2'",
					"'mac=00:16:3E:00:00:01,bridge=br3'",
					"'mac=01:00:5e:00:00:01'"};

static char *generate(const uint8_t *data, size_t size)
{
	size_t cap, n = 0, i;
	unsigned int b;
	char *s;

	size = size < 64 ? size : 64; /* 32 settings at most */
	cap = 256 + size * 400;
	s = malloc(cap);
	if (!s)
		abort();
	n += (size_t)snprintf(s, cap, "name = \"g\"\nmemory = 512\nkernel = \"/boot/vmlinuz\"\n");
	for (i = 0; i + 1 < size; i += 2) {
		unsigned int k = data[i] % (sizeof(gen_keys) / sizeof(gen_keys[0])),
			     v = data[i + 1];
		const char *const *items = k == GEN_DISK  ? gen_disks
					   : k == GEN_VIF ? gen_vifs
							  : NULL;

		n += (size_t)snprintf(s + n, cap - n, "%s = ", gen_keys[k]);
		if (items) {
			n += (size_t)snprintf(s + n, cap - n, "[");
			for (b = 0; b < 8; b++) {
				if (v & (1u << b))
					n += (size_t)snprintf(s + n, cap - n, " %s,", items[b]);
			}
			n += (size_t)snprintf(s + n, cap - n, " ]\n");
		} else if (k > GEN_VIF) {
			n += (size_t)snprintf(s + n, cap - n, "%u\n", v);
		} else {
			n += (size_t)snprintf(s + n, cap - n, "%s\n", gen_values[k][v % 8]);
		}
	}
	return s;
}

/* Parse and check: the count returned, what is handed out, and that keel_cfg_free zeroes it. */
static void run(const char *text, size_t len, char *const *ov, int nr)
{
	static const struct keel_cfg zero;
	struct keel_cfg cfg;
	int rc;

	errors = reports = 0;
	rc = keel_cfg_parse("fuzz/guest.cfg", text, len, ov, nr, &hooks, &cfg);
	if (rc < 0 || (unsigned int)rc != errors)
		__builtin_trap();
	if (rc == 0)
		check_accepted(&cfg);
	else if (memcmp(&cfg, &zero, sizeof(cfg)) != 0) /* a refused config is handed out zeroed */
		__builtin_trap();
	keel_cfg_free(&cfg);
	if (memcmp(&cfg, &zero, sizeof(cfg)) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *ov[MAX_OVERRIDES];
	size_t pos = 0, n, len, text_len;
	int nr = 0, i;

	for (n = 0; pos + n < size && data[pos + n] != 0xff; n++)
		;
	text = expand(data, n, &text_len); /* may hold NULs: it is passed with its length */
	pos += n;
	while (pos < size && nr < MAX_OVERRIDES) {
		pos++; /* the 0xff */
		for (n = 0; pos + n < size && data[pos + n] != 0xff; n++)
			;
		ov[nr++] = expand(data + pos, n, &len); /* a NUL inside ends it, as in argv */
		pos += n;
	}
	run(text, text_len, ov, nr);
	free(text);
	text = generate(data, size);
	run(text, strlen(text), NULL, 0);
	free(text);
	for (i = 0; i < nr; i++)
		free(ov[i]);
	return 0;
}
