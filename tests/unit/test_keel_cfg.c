/* test_keel_cfg.c: keel's configuration parser: real xl.cfg files and overrides, parsed right. */
#include <sys/stat.h>
#include <unistd.h>

#include "keel_cfg_fixture.h"

#include "../../tools/keel/config_int.h" /* cfg_vdev_id */

/* In the layout of Debian's /etc/xen/xlexample.pvhlinux, with Keel's keys filled in. */
static const char debian_pvh[] =
    "# =====================================================================\n"
    "# Example PVH Linux guest configuration\n"
    "# =====================================================================\n"
    "\n"
    "# Guest name\n"
    "name = \"debian-12\"\n"
    "\n"
    "# PVH: no device model, no emulated devices\n"
    "type = \"pvh\"\n"
    "\n"
    "# Kernel image to boot, and its initramfs\n"
    "kernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\n"
    "ramdisk = \"/boot/initrd.img-6.1.0-18-amd64\"\n"
    "\n"
    "# Kernel command line options\n"
    "extra = \"console=hvc0 earlyprintk=xen\"\n"
    "root = \"/dev/xvda1 ro\"\n"
    "\n"
    "# Initial memory allocation (MB)\n"
    "memory = 1024\n"
    "maxmem = 2048\n"
    "\n"
    "# Number of VCPUS\n"
    "vcpus = 2\n"
    "maxvcpus = 4\n"
    "cpus = \"0-3\"\n"
    "cpu_weight = 512\n"
    "cap = 150\n"
    "\n"
    "# Network devices\n"
    "# A list of 'vifspec' entries as described in\n"
    "# docs/misc/xl-network-configuration.markdown\n"
    "vif = [ 'bridge=xenbr0', 'mac=00:16:3e:12:34:56' ]\n"
    "\n"
    "# Disk Devices\n"
    "# A list of `diskspec' entries as described in\n"
    "# docs/misc/xl-disk-configuration.txt\n"
    "disk = [\n"
    "    '/srv/xen/debian.img,raw,xvda,rw',\n"
    "    'format=raw, vdev=xvdb, access=ro, target=/srv/xen/data.img',  # read-only data\n"
    "]\n"
    "\n"
    "on_poweroff = \"destroy\"\n"
    "on_reboot   = \"restart\"\n"
    "on_crash    = \"preserve\"\n";

static void test_debian_pvh_example(void **state)
{
	struct keel_cfg c;
	unsigned int i;

	assert_int_equal(parse(debian_pvh, &c), 0);
	assert_no_msgs();
	assert_string_equal(c.name, "debian-12");
	assert_int_equal(c.memory_mib, 1024);
	assert_int_equal(c.maxmem_mib, 2048);
	assert_int_equal(c.vcpus, 2);
	assert_int_equal(c.maxvcpus, 4);
	assert_int_equal(c.cpumask, 0xf);
	for (i = 0; i < 4; i++)
		assert_int_equal(c.vcpu_cpumask[i], 0xf);
	for (; i < KEEL_CFG_MAX_VCPUS; i++)
		assert_int_equal(c.vcpu_cpumask[i], 0);
	assert_int_equal(c.weight, 512);
	assert_int_equal(c.cap, 150);
	assert_string_equal(c.kernel, "/boot/vmlinuz-6.1.0-18-amd64");
	assert_string_equal(c.ramdisk, "/boot/initrd.img-6.1.0-18-amd64");
	assert_string_equal(c.cmdline, "root=/dev/xvda1 ro console=hvc0 earlyprintk=xen");
	assert_int_equal(c.nr_disks, 2);
	assert_string_equal(c.disks[0].target, "/srv/xen/debian.img");
	assert_string_equal(c.disks[0].vdev, "xvda");
	assert_int_equal(c.disks[0].vdev_id, 202 << 8);
	assert_false(c.disks[0].readonly);
	assert_int_equal(c.disks[0].line, 39);
	assert_string_equal(c.disks[1].target, "/srv/xen/data.img");
	assert_string_equal(c.disks[1].vdev, "xvdb");
	assert_int_equal(c.disks[1].vdev_id, 202 << 8 | 1 << 4);
	assert_true(c.disks[1].readonly);
	assert_int_equal(c.disks[1].line, 40);
	assert_int_equal(c.nr_vifs, 2);
	assert_string_equal(c.vifs[0].mac, "");
	assert_string_equal(c.vifs[0].bridge, "xenbr0");
	assert_null(c.vifs[0].script);
	assert_null(c.vifs[0].ip);
	assert_string_equal(c.vifs[1].mac, "00:16:3e:12:34:56");
	assert_string_equal(c.vifs[1].bridge, "xenbr0");
	assert_int_equal(c.vifs[1].line, 33);
	assert_int_equal(c.on_poweroff, KEEL_CFG_DESTROY);
	assert_int_equal(c.on_reboot, KEEL_CFG_RESTART);
	assert_int_equal(c.on_crash, KEEL_CFG_PRESERVE);
	keel_cfg_free(&c);
	assert_true(cfg_is_zero(&c));
	keel_cfg_free(&c); /* twice is fine */
}

/* A small guest in the older style: xm's phy: targets on LVM, partitions as vdevs, a cmdline. */
static const char lvm_guest[] =
    "name='web1'   # the web server\n"
    "kernel='/boot/vmlinuz-6.1.0-18-amd64'; ramdisk='/boot/initrd.img-6.1.0-18-amd64';\n"
    "cmdline='root=/dev/xvda2 ro console=hvc0'\n"
    "memory=0x200\n"
    "vcpus=4\n"
    "cpus=['0', '1', '2-3,^2']\n"
    "disk=['phy:/dev/vg0/guest-swap,xvda1,w', 'phy:vg0/guest-root,xvda2,w',\n"
    "      '/srv/xen/base.img,,xvdaa,r', 'vdev=xvdq,target=/srv/xen/a,b.img']\n"
    "vif=['mac=00:16:3E:AB:cd:01, bridge=br-dmz, script=vif-bridge, ip=192.0.2.10',\n"
    "     '']\n"
    "on_reboot='destroy'\r\n";

static void test_older_style_guest(void **state)
{
	struct keel_cfg c;

	assert_int_equal(parse(lvm_guest, &c), 0);
	assert_no_msgs();
	assert_string_equal(c.name, "web1");
	assert_int_equal(c.memory_mib, 512);
	assert_int_equal(c.maxmem_mib, 512);
	assert_int_equal(c.vcpus, 4);
	assert_int_equal(c.maxvcpus, 4);
	assert_int_equal(c.vcpu_cpumask[0], 0x1);
	assert_int_equal(c.vcpu_cpumask[1], 0x2);
	assert_int_equal(c.vcpu_cpumask[2], 0x8);
	assert_int_equal(c.vcpu_cpumask[3], ~0ULL); /* past the list: any CPU */
	assert_int_equal(c.cpumask, ~0ULL);
	assert_string_equal(c.cmdline, "root=/dev/xvda2 ro console=hvc0");
	assert_int_equal(c.nr_disks, 4);
	assert_string_equal(c.disks[0].target, "/dev/vg0/guest-swap");
	assert_int_equal(c.disks[0].vdev_id, 202 << 8 | 1);
	assert_string_equal(c.disks[1].target, "/dev/vg0/guest-root"); /* xl: under /dev */
	assert_string_equal(c.disks[1].vdev, "xvda2");
	assert_int_equal(c.disks[1].vdev_id, 202 << 8 | 2);
	assert_string_equal(c.disks[2].target, "/srv/xen/base.img");
	assert_int_equal(c.disks[2].vdev_id, 1u << 28 | 26 << 8);
	assert_true(c.disks[2].readonly);
	assert_int_equal(c.disks[2].line, 8);
	assert_string_equal(c.disks[3].target, "/srv/xen/a,b.img"); /* target= takes the rest */
	assert_int_equal(c.disks[3].vdev_id, 1u << 28 | 16 << 8);
	assert_false(c.disks[3].readonly);
	assert_int_equal(c.nr_vifs, 2);
	assert_string_equal(c.vifs[0].mac, "00:16:3e:ab:cd:01");
	assert_string_equal(c.vifs[0].bridge, "br-dmz");
	assert_string_equal(c.vifs[0].script, "vif-bridge");
	assert_string_equal(c.vifs[0].ip, "192.0.2.10");
	assert_string_equal(c.vifs[1].bridge, "xenbr0"); /* '' is a vif with every default */
	assert_int_equal(c.vifs[1].line, 10);
	assert_int_equal(c.on_reboot, KEEL_CFG_DESTROY);
	keel_cfg_free(&c);
}

static void test_defaults(void **state)
{
	struct keel_cfg c;
	unsigned int i;

	assert_int_equal(parse(BASE, &c), 0);
	assert_no_msgs();
	assert_int_equal(c.maxmem_mib, 512);
	assert_int_equal(c.vcpus, 1);
	assert_int_equal(c.maxvcpus, 1);
	assert_int_equal(c.cpumask, ~0ULL);
	assert_int_equal(c.vcpu_cpumask[0], ~0ULL);
	for (i = 1; i < KEEL_CFG_MAX_VCPUS; i++)
		assert_int_equal(c.vcpu_cpumask[i], 0);
	assert_int_equal(c.weight, 256);
	assert_int_equal(c.cap, 0);
	assert_null(c.ramdisk);
	assert_string_equal(c.cmdline, "");
	assert_int_equal(c.nr_disks, 0);
	assert_int_equal(c.nr_vifs, 0);
	assert_int_equal(c.on_poweroff, KEEL_CFG_DESTROY);
	assert_int_equal(c.on_reboot, KEEL_CFG_RESTART);
	assert_int_equal(c.on_crash, KEEL_CFG_DESTROY);
	assert_string_equal(keel_cfg_action_name(c.on_reboot), "restart");
	keel_cfg_free(&c);
}

static void test_cmdline_from_root_and_extra(void **state)
{
	struct keel_cfg c;

	assert_int_equal(parse(BASE "root = \"/dev/xvda1 ro\"\nextra = \"quiet\"\n", &c), 0);
	assert_string_equal(c.cmdline, "root=/dev/xvda1 ro quiet");
	keel_cfg_free(&c);
	assert_int_equal(parse(BASE "root = \"/dev/xvda1\"\n", &c), 0);
	assert_string_equal(c.cmdline, "root=/dev/xvda1");
	keel_cfg_free(&c);
	assert_int_equal(parse(BASE "extra = \"console=hvc0 3\"\n", &c), 0);
	assert_string_equal(c.cmdline, "console=hvc0 3");
	keel_cfg_free(&c);
	assert_int_equal(parse(BASE "cmdline = \"init=/bin/sh\"\nroot = \"/dev/xvda1\"\n"
				    "extra = \"quiet\"\n",
			       &c),
			 0);
	assert_msgs("guest.cfg:4: warning: cmdline: set together with root (line 5) and extra "
		    "(line 6); cmdline wins, root and extra are ignored");
	assert_string_equal(c.cmdline, "init=/bin/sh");
	keel_cfg_free(&c);
	assert_int_equal(parse(BASE "extra = \"quiet\"\ncmdline = \"init=/bin/sh\"\n", &c), 0);
	assert_msgs("guest.cfg:5: warning: cmdline: set together with extra (line 4); cmdline "
		    "wins, extra is ignored");
	assert_string_equal(c.cmdline, "init=/bin/sh");
	keel_cfg_free(&c);
}

static void test_overrides_win(void **state)
{
	char *ov[] = {"memory=2048",
		      "name = web2",
		      "extra=console=hvc0 root=/dev/xvda1 quiet",
		      "disk=/srv/xen/data.img,raw,xvdc,ro",
		      "vif=['bridge=br1', 'mac=00:16:3e:00:00:02']",
		      "cpus=1-2",
		      "on_crash=restart",
		      "vnc=1"};
	struct keel_cfg c;

	assert_int_equal(parse_as("guest.cfg", debian_pvh, ov, 8, &c), 0);
	assert_msgs("command line: warning: vnc: an xl key Keel does not support yet; ignored");
	assert_string_equal(c.name, "web2");
	assert_int_equal(c.memory_mib, 2048);
	assert_int_equal(c.maxmem_mib, 2048);
	assert_string_equal(c.cmdline, "root=/dev/xvda1 ro console=hvc0 root=/dev/xvda1 quiet");
	assert_int_equal(c.nr_disks, 1); /* the command line's list replaces the file's */
	assert_string_equal(c.disks[0].vdev, "xvdc");
	assert_true(c.disks[0].readonly);
	assert_int_equal(c.disks[0].line, 0);
	assert_int_equal(c.nr_vifs, 2);
	assert_string_equal(c.vifs[0].bridge, "br1");
	assert_string_equal(c.vifs[1].mac, "00:16:3e:00:00:02");
	assert_int_equal(c.vifs[1].line, 0);
	assert_int_equal(c.cpumask, 0x6);
	assert_int_equal(c.vcpu_cpumask[3], 0x6);
	assert_int_equal(c.on_crash, KEEL_CFG_RESTART);
	keel_cfg_free(&c);

	/* A file that is wrong as it stands but right with its overrides. */
	char *fix[] = {"memory=256", "kernel=/boot/vmlinuz-6.1.0-18-amd64", "name=\"ok\""};
	assert_int_equal(
	    parse_as("guest.cfg", "name = \"x y\"\nmemory = 4\nkernel = \"/nope\"\n", fix, 3, &c),
	    0);
	assert_no_msgs();
	assert_string_equal(c.name, "ok");
	assert_int_equal(c.memory_mib, 256);
	keel_cfg_free(&c);
}

static void test_relative_paths(void **state)
{
	struct keel_cfg c;
	char *ov[] = {"ramdisk=/etc/keel/initrd.img"};

	/* Relative to the file's directory; on the command line, to the current one. */
	assert_int_equal(parse_as("/etc/keel/guest.cfg",
				  "name = \"t\"\nmemory = 512\nkernel = \"vmlinuz\"\n"
				  "ramdisk = \"initrd.img\"\n",
				  NULL, 0, &c),
			 0);
	assert_string_equal(c.kernel, "/etc/keel/vmlinuz");
	assert_string_equal(c.ramdisk, "/etc/keel/initrd.img");
	keel_cfg_free(&c);
	assert_int_equal(parse_as("/etc/keel/guest.cfg",
				  "name = \"t\"\nmemory = 512\nkernel = \"vmlinuz\"\n", ov, 1, &c),
			 0);
	assert_string_equal(c.ramdisk, "/etc/keel/initrd.img");
	keel_cfg_free(&c);
	char *rel[] = {"ramdisk=initrd.img"};
	assert_int_equal(parse_as("/etc/keel/guest.cfg",
				  "name = \"t\"\nmemory = 512\nkernel = \"vmlinuz\"\n", rel, 1, &c),
			 1);
	assert_msgs("command line: ramdisk: initrd.img: no such file; give the path of an "
		    "initramfs, or remove ramdisk");
}

static void test_values(void **state)
{
	struct keel_cfg c;

	/* Escapes in double quotes only; a number may be quoted; ; and # anywhere they fit. */
	assert_int_equal(parse("name = \"t\"; memory = \"768\"; vcpus = 0x3 # three\n"
			       "kernel = '/boot/vmlinuz-6.1.0-18-amd64'\n"
			       "extra = \"a\\\"b\\\\c 'q'\"\nroot='x\\y'\n",
			       &c),
			 0);
	assert_no_msgs();
	assert_int_equal(c.memory_mib, 768);
	assert_int_equal(c.vcpus, 3);
	assert_string_equal(c.cmdline, "root=x\\y a\"b\\c 'q'");
	keel_cfg_free(&c);
	/* Bounds are inclusive. */
	assert_int_equal(parse("name = \"abcdefghijklmnopqrstuvwxyz01234\"\nmemory = 16\n"
			       "maxmem = 16384\nvcpus = 32\ncpu_weight = 65535\ncap = 3200\n"
			       "kernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\ncpus = \"all\"\n",
			       &c),
			 0);
	assert_int_equal(c.memory_mib, 16);
	assert_int_equal(c.maxvcpus, 32);
	assert_int_equal(c.weight, 65535);
	assert_int_equal(c.cap, 3200);
	assert_int_equal(c.vcpu_cpumask[31], ~0ULL);
	keel_cfg_free(&c);
	assert_int_equal(
	    parse("name = \"t\"\nmemory = 16384\nkernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\n", &c),
	    0);
	assert_int_equal(c.memory_mib, 16384);
	assert_int_equal(c.maxmem_mib, 16384);
	keel_cfg_free(&c);
	assert_int_equal(parse(BASE "cpus = \"^0\"\nvcpus = 2\ncpu_weight = 1\n", &c), 0);
	assert_int_equal(c.cpumask, ~1ULL); /* exclusions alone: from every CPU */
	assert_int_equal(c.vcpu_cpumask[1], ~1ULL);
	keel_cfg_free(&c);
	assert_int_equal(parse(BASE "cpus = \" ^0, 63 \"\n", &c), 0);
	assert_int_equal(c.cpumask, 1ULL << 63);
	keel_cfg_free(&c);
	assert_int_equal(parse(BASE "cpus = \"0-3,5,^2\"\ndisk = []\nvif = [ ]\n", &c), 0);
	assert_int_equal(c.cpumask, 0x2b);
	keel_cfg_free(&c);
}

static void test_vdev_numbers(void **state)
{
	assert_int_equal(cfg_vdev_id("xvda"), 51712);
	assert_int_equal(cfg_vdev_id("xvdb"), 51728);
	assert_int_equal(cfg_vdev_id("xvda1"), 51713);
	assert_int_equal(cfg_vdev_id("xvdp15"), 202 << 8 | 15 << 4 | 15);
	assert_int_equal(cfg_vdev_id("xvdq"), 1u << 28 | 16 << 8);
	assert_int_equal(cfg_vdev_id("xvdz"), 1u << 28 | 25 << 8);
	assert_int_equal(cfg_vdev_id("xvdaa"), 1u << 28 | 26 << 8);
	assert_int_equal(cfg_vdev_id("xvdba"), 1u << 28 | 52 << 8);
	assert_int_equal(cfg_vdev_id("xvda16"), 1u << 28 | 16);
	assert_int_equal(cfg_vdev_id("xvdtq37"), 1u << 28 | 536 << 8 | 37);
	assert_int_equal(cfg_vdev_id("xvdzzzz255"), 1u << 28 | 475253 << 8 | 255);
	assert_int_equal(cfg_vdev_id("xvd"), 0);
	assert_int_equal(cfg_vdev_id("xvdA"), 0);
	assert_int_equal(cfg_vdev_id("xvda0"), 0);
	assert_int_equal(cfg_vdev_id("xvda01"), 0);
	assert_int_equal(cfg_vdev_id("xvda256"), 0);
	assert_int_equal(cfg_vdev_id("xvdaaaaa"), 0);
	assert_int_equal(cfg_vdev_id("xvda1b"), 0);
	assert_int_equal(cfg_vdev_id("hda"), 0);
	assert_int_equal(cfg_vdev_id("sda"), 0);
}

static void test_disk_and_vif_forms(void **state)
{
	struct keel_cfg c;

	assert_int_equal(parse(BASE "disk = [ '/srv/xen/debian.img,,xvda', "
				    "'raw:/srv/xen/data.img,xvdb,ro', ' devtype=disk ,vdev=xvdc, "
				    "backendtype=phy,access=w,target=/dev/vg0/guest-root', "
				    "'/srv/xen/swap.img,raw,xvdd:disk,rw,discard' ]\n"
				    "vif = [ 'type=vif,bridge=br0,vifname=web0' ]\n",
			       &c),
			 0);
	assert_msgs("guest.cfg:4: warning: disk: backendtype=phy is not supported by Keel; ignored",
		    "guest.cfg:4: warning: disk: discard is not supported by Keel; ignored",
		    "guest.cfg:5: warning: vif: vifname=web0 is not supported by Keel; ignored");
	assert_int_equal(c.nr_disks, 4);
	assert_false(c.disks[0].readonly);
	assert_true(c.disks[1].readonly);
	assert_string_equal(c.disks[2].target, "/dev/vg0/guest-root");
	assert_false(c.disks[2].readonly);
	assert_string_equal(c.disks[3].vdev, "xvdd");
	assert_int_equal(c.nr_vifs, 1);
	assert_string_equal(c.vifs[0].bridge, "br0");
	keel_cfg_free(&c);
}

static void test_no_hooks(void **state)
{
	struct keel_cfg c;

	/* No report hook: errors are still counted; no path hook: the real file system. */
	assert_int_equal(keel_cfg_parse("x.cfg", "memory = \"lots\"", 15, NULL, 0, NULL, &c), 3);
	assert_true(cfg_is_zero(&c));
	assert_int_equal(keel_cfg_parse(NULL, NULL, 0, NULL, 0, NULL, &c), 3);
}

/* The real check, on a temporary directory (made before the case, removed after it even when
 * it fails). */
static const struct keel_cfg_hooks real_hooks = {.report = capture};
static const char *const real_files[] = {"vmlinuz", "disk.img", "ro.img", "guest.cfg"};
static char dir[] = "/tmp/keel-cfg-test.XXXXXX";

static int real_setup(void **state)
{
	char path[256], text[512];
	unsigned int i;
	FILE *f;

	memcpy(dir + sizeof(dir) - 7, "XXXXXX", 6);
	if (!mkdtemp(dir))
		return -1;
	snprintf(text, sizeof(text),
		 "name = \"real\"\nmemory = 128\nkernel = \"vmlinuz\"\n"
		 "disk = [ '%s/disk.img,raw,xvda,rw', '%s/ro.img,raw,xvdb,ro' ]\n",
		 dir, dir);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, real_files[i]);
		f = fopen(path, "w");
		if (!f)
			return -1;
		fputs(i == 3 ? text : "x", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/ro.img", dir);
	if (chmod(path, 0444) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/sub", dir);
	return mkdir(path, 0755);
}

static int real_teardown(void **state)
{
	char path[256];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, real_files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
	cap_reset();
	return 0;
}

static void test_real_files(void **state)
{
	char path[256], cfgtext[1024], msg[512];
	struct keel_cfg c;

	snprintf(path, sizeof(path), "%s/guest.cfg", dir);
	assert_int_equal(keel_cfg_load(path, NULL, 0, &real_hooks, &c), 0);
	snprintf(msg, sizeof(msg), "%s/vmlinuz", dir);
	assert_string_equal(c.kernel, msg);
	assert_int_equal(c.nr_disks, 2);
	keel_cfg_free(&c);

	char *bad[] = {"kernel=sub", "ramdisk=/nonexistent/initrd", "disk=/dev/null,raw,xvda"};
	cap_reset();
	assert_int_equal(keel_cfg_load(path, bad, 3, &real_hooks, &c), 3);
	assert_string_equal(cap.msg[0], "command line: kernel: sub: no such file; give the path of "
					"a Linux bzImage or PVH ELF");
	assert_string_equal(cap.msg[1], "command line: ramdisk: /nonexistent/initrd: no such file; "
					"give the path of an initramfs, or remove ramdisk");
	assert_string_equal(cap.msg[2],
			    "command line: disk: /dev/null: neither a regular file nor "
			    "a block device; give an existing image file or block device");
	char *dirk[2];
	snprintf(msg, sizeof(msg), "kernel=%s/sub", dir);
	dirk[0] = msg;
	cap_reset();
	assert_int_equal(keel_cfg_load(path, dirk, 1, &real_hooks, &c), 1);
	snprintf(cfgtext, sizeof(cfgtext),
		 "command line: kernel: %s/sub: a directory, not a file; give the path of a Linux "
		 "bzImage or PVH ELF",
		 dir);
	assert_string_equal(cap.msg[0], cfgtext);
	if (geteuid() != 0) { /* root may write a 0444 file */
		snprintf(msg, sizeof(msg), "disk=%s/ro.img,raw,xvdb,rw", dir);
		dirk[0] = msg;
		cap_reset();
		assert_int_equal(keel_cfg_load(path, dirk, 1, &real_hooks, &c), 1);
		snprintf(cfgtext, sizeof(cfgtext),
			 "command line: disk: %s/ro.img: not writable; make it writable, or give "
			 "the disk access=ro",
			 dir);
		assert_string_equal(cap.msg[0], cfgtext);
	}

	snprintf(msg, sizeof(msg), "%s/missing.cfg", dir);
	cap_reset();
	assert_int_equal(keel_cfg_load(msg, NULL, 0, &real_hooks, &c), 1);
	snprintf(cfgtext, sizeof(cfgtext), "%s: cannot read it: No such file or directory", msg);
	assert_string_equal(cap.msg[0], cfgtext);
	assert_true(cfg_is_zero(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_debian_pvh_example),
	    cmocka_unit_test(test_older_style_guest),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_cmdline_from_root_and_extra),
	    cmocka_unit_test(test_overrides_win),
	    cmocka_unit_test(test_relative_paths),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_vdev_numbers),
	    cmocka_unit_test(test_disk_and_vif_forms),
	    cmocka_unit_test(test_no_hooks),
	    cmocka_unit_test_setup_teardown(test_real_files, real_setup, real_teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	cap_reset();
	return rc;
}
