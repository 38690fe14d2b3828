/* test_keel_cfg_msgs.c: keel's configuration parser: every error and warning, word for word. */
#include "keel_cfg_fixture.h"

/* Parse, expect @n errors, and a zeroed config (nothing half-built is handed out). */
static void parse_fails(const char *text, int n)
{
	struct keel_cfg c;

	assert_int_equal(parse(text, &c), n);
	assert_true(cfg_is_zero(&c));
}

static void test_not_a_number(void **state)
{
	parse_fails("name = \"t\"\nkernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\nmemory = \"lots\"\n",
		    1);
	assert_msgs("guest.cfg:3: memory: \"lots\" is not a number of MiB; write memory = 512");
	parse_fails(BASE "maxmem = 2G\nvcpus = two\ncap = \"\"\n", 3);
	assert_msgs("guest.cfg:4: maxmem: \"2G\" is not a number of MiB; write maxmem = 2048",
		    "guest.cfg:5:9: vcpus: two is not quoted; write vcpus = \"two\"",
		    "guest.cfg:6: cap: \"\" is not a number (percent of one CPU); write cap = 100");
	parse_fails(BASE "vcpus = 02\ncpu_weight = 0x\nmaxvcpus = [4]\n", 3);
	assert_msgs("guest.cfg:4: vcpus: 02 has a leading zero; write vcpus = 2",
		    "guest.cfg:5: cpu_weight: \"0x\" is not a number; write cpu_weight = 256",
		    "guest.cfg:6: maxvcpus: a list is not a number of vCPUs; write maxvcpus = 4");
}

static void test_out_of_range(void **state)
{
	parse_fails("name = \"t\"\nkernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\nmemory = 8\n"
		    "vcpus = 33\ncpu_weight = 0\ncap = 3201\n",
		    4);
	assert_msgs("guest.cfg:3: memory: 8 is below the minimum 16 MiB; write memory = 16",
		    "guest.cfg:4: vcpus: 33 is above the maximum 32; write vcpus = 32",
		    "guest.cfg:5: cpu_weight: 0 is below the minimum 1; write cpu_weight = 1",
		    "guest.cfg:6: cap: 3201 is above the maximum 3200 (percent of one CPU); write "
		    "cap = 3200");
	parse_fails(BASE "maxmem = 256\nvcpus = 4\nmaxvcpus = 2\ncap = 99999999999999999999\n", 3);
	assert_msgs(
	    "guest.cfg:4: maxmem: 256 is below memory (512 MiB); write maxmem = 512, or "
	    "remove it",
	    "guest.cfg:6: maxvcpus: 2 is below vcpus (4); write maxvcpus = 4, or remove it",
	    "guest.cfg:7: cap: 99999999999999999999 is above the maximum 3200 (percent of one "
	    "CPU); write cap = 3200");
	/* A refused memory is not compared with maxmem (one error, not two). */
	parse_fails(BASE "maxmem = 256\nmemory = 8\n", 1);
	assert_msgs("guest.cfg:5: warning: memory: set twice (lines 2 and 5); line 5 wins",
		    "guest.cfg:5: memory: 8 is below the minimum 16 MiB; write memory = 16");
	parse_fails("name = \"t\"\nkernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\nmemory = 16385\n", 1);
	assert_msgs(
	    "guest.cfg:3: memory: 16385 is above the maximum 16384 MiB; write memory = 16384");
	parse_fails(BASE "vcpus = -1\n", 1);
	assert_msgs("guest.cfg:4: vcpus: -1 is below the minimum 1; write vcpus = 1");
}

static void test_missing_required(void **state)
{
	parse_fails("# nothing here\n\n", 3);
	assert_msgs("guest.cfg: name: required but not set; add name = \"guest1\"",
		    "guest.cfg: memory: required but not set; add memory = 512",
		    "guest.cfg: kernel: required but not set; add kernel = \"/boot/vmlinuz\"");
}

static void test_missing_files(void **state)
{
	parse_fails("name = \"t\"\nmemory = 512\n\n\n\n\nkernel = \"/boot/vmlinuz-x\"\n"
		    "ramdisk = \"/boot\"\n",
		    2);
	assert_msgs("guest.cfg:7: kernel: /boot/vmlinuz-x: no such file; give the path of a Linux "
		    "bzImage or PVH ELF",
		    "guest.cfg:8: ramdisk: /boot: a directory, not a file; give the path of an "
		    "initramfs, or remove ramdisk");
	parse_fails("name = \"t\"\nmemory = 512\nkernel = \"/root/vmlinuz\"\nramdisk = "
		    "\"/dev/vg0/guest-root\"\n",
		    2);
	assert_msgs(
	    "guest.cfg:3: kernel: /root/vmlinuz: not readable (permission denied); give "
	    "the path of a Linux bzImage or PVH ELF",
	    "guest.cfg:4: ramdisk: /dev/vg0/guest-root: not a regular file; give the path of "
	    "an initramfs, or remove ramdisk");
	parse_fails(BASE "disk = [ '/srv/xen/missing.img,raw,xvda,rw', '/srv/xen/base.img,,xvdb', "
			 "'vg0/nope,,xvdc' ]\n",
		    3);
	assert_msgs(
	    "guest.cfg:4: disk: /srv/xen/missing.img: no such file; give an existing image "
	    "file or block device",
	    "guest.cfg:4: disk: /srv/xen/base.img: not writable; make it writable, or give "
	    "the disk access=ro",
	    "guest.cfg:4: disk: /dev/vg0/nope: no such file; give an existing image file or "
	    "block device");
}

static void test_disk_errors(void **state)
{
	parse_fails(BASE "disk = [ '/srv/xen/debian.img,raw,hda,rw',\n"
			 "         '/srv/xen/data.img,raw,vda',\n"
			 "         '/srv/xen/swap.img,raw',\n"
			 "         '/srv/xen/swap.img,xvdb,w' ]\n",
		    4);
	assert_msgs(
	    "guest.cfg:4: disk: vdev hda is an emulated disk's name; write xvda (Keel's "
	    "guests have Xen PV disks)",
	    "guest.cfg:5: disk: vdev vda is not a disk name; write xvda, xvdb, ... (xvd, "
	    "letters, an optional partition number)",
	    "guest.cfg:6: disk: '/srv/xen/swap.img,raw' has no vdev; write e.g. "
	    "'/srv/guest.img,raw,xvda,rw'",
	    "guest.cfg:7: disk: \"xvdb\" is where the format goes (target,format,vdev,access); "
	    "write e.g. '/srv/guest.img,raw,xvda,rw'");
	parse_fails("name = \"t\"\nmemory = 512\nkernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\n\n\n"
		    "\n\n\n"
		    "disk = [ '/srv/xen/debian.img,raw,xvda,rw',\n"
		    "         'format=raw, vdev=xvda, target=/srv/xen/data.img' ]\n",
		    1);
	assert_msgs(
	    "guest.cfg:9: disk: xvda is used twice (lines 9 and 10); give each disk its own "
	    "vdev");
	parse_fails(
	    BASE
	    "disk = [ '/srv/xen/data.img,qcow2,xvda,rw', 'qcow2:/srv/xen/swap.img,xvdb,w',\n"
	    "'format=vhd,vdev=xvdc,target=/srv/xen/debian.img', '/srv/xen/data.img,iso,xvdd' ]\n",
	    4);
	assert_msgs(
	    "guest.cfg:4: disk: format qcow2 is not supported (raw only); convert the image "
	    "(qemu-img convert -O raw) and write format=raw",
	    "guest.cfg:4: disk: format qcow2 is not supported (raw only); convert the image "
	    "(qemu-img convert -O raw) and write format=raw",
	    "guest.cfg:5: disk: format vhd is not supported (raw only); convert the image "
	    "(qemu-img convert -O raw) and write format=raw",
	    "guest.cfg:5: disk: \"iso\" is not a disk format; write raw");
	parse_fails(BASE "disk = [ '/srv/xen/debian.img,,hdc,cdrom', 'vdev=xvdb,vdev=xvdc,"
			 "target=/srv/xen/data.img', 'a,b,xvdd,rw,extra',\n"
			 "'speed=9,vdev=xvde,target=/srv/xen/swap.img' ]\n",
		    7);
	assert_msgs(
	    "guest.cfg:4: disk: '/srv/xen/debian.img,,hdc,cdrom' is a CD-ROM, which Keel "
	    "does not support; remove cdrom (a guest reads an image as a disk: devtype=disk, "
	    "access=ro)",
	    "guest.cfg:4: disk: vdev hdc is an emulated disk's name; write xvdc (Keel's "
	    "guests have Xen PV disks)",
	    "guest.cfg:4: disk: vdev is given twice in 'vdev=xvdb,vdev=xvdc,target=/srv/xen/"
	    "data.img'; give each parameter once",
	    "guest.cfg:4: disk: 'a,b,xvdd,rw,extra' has more than the four positional "
	    "parameters (target,format,vdev,access); remove \"extra\"",
	    "guest.cfg:4: disk: \"b\" is not a disk format; write raw",
	    "guest.cfg:4: disk: /dev/a: no such file; give an existing image file or block "
	    "device",
	    "guest.cfg:5: disk: unknown parameter speed=; a disk has target, format, vdev, "
	    "access and devtype");
	parse_fails(BASE "disk = [ '/srv/xen/debian.img,raw,xvda,rx', ',,xvdb' ]\n", 2);
	assert_msgs(
	    "guest.cfg:4: disk: access \"rx\" is not rw or ro; write access=rw or access=ro",
	    "guest.cfg:4: disk: ',,xvdb' has no target; give the image file or block device "
	    "first, e.g. '/srv/guest.img,raw,xvda,rw'");
}

static void test_disk_warnings(void **state)
{
	struct keel_cfg c;

	assert_int_equal(parse(BASE "disk = [ '/srv/xen/data.img,raw,xvda,rw',\n"
				    "'/srv/xen/data.img,raw,xvdb,ro' ]\n",
			       &c),
			 0);
	assert_msgs(
	    "guest.cfg:5: warning: disk: /srv/xen/data.img is attached twice (lines 4 and "
	    "5), writable; the guest may corrupt it: give both access=ro, or attach it once");
	keel_cfg_free(&c);
}

static void test_vif_errors(void **state)
{
	parse_fails(BASE "vif = [ 'mac=01:00:5e:00:00:01', 'mac=00:16:3e:1:2:3', 'type=ioemu',\n"
			 "  'bridge=averyveryverylongbridge', 'bridge', 'mac=00:00:00:00:00:00',\n"
			 "  'mac=00:16:3e:00:00:01', 'mac=00:16:3E:00:00:01', 'ip=' ]\n",
		    9);
	assert_msgs(
	    "guest.cfg:4: vif: 9 vifs, more than 8; remove some",
	    "guest.cfg:4: vif: mac 01:00:5e:00:00:01 is a multicast address (its first "
	    "octet is odd); give a unicast one, e.g. 00:16:3e:12:34:56, or none (one is made "
	    "up)",
	    "guest.cfg:4: vif: mac \"00:16:3e:1:2:3\" is not six hex octets; write e.g. "
	    "mac=00:16:3e:12:34:56",
	    "guest.cfg:4: vif: type=ioemu (an emulated NIC) is not supported; write type=vif, "
	    "or leave type out",
	    "guest.cfg:5: vif: bridge \"averyveryverylongbridge\" is not an interface name "
	    "(1..15 characters, no / or spaces); write e.g. bridge=xenbr0",
	    "guest.cfg:5: vif: \"bridge\" in 'bridge' is not key=value; write e.g. "
	    "'bridge=xenbr0'",
	    "guest.cfg:5: vif: mac 00:00:00:00:00:00 is not an address; give e.g. "
	    "00:16:3e:12:34:56, or none (one is made up)",
	    "guest.cfg:6: vif: mac 00:16:3e:00:00:01 is used twice (line 6); give each vif its "
	    "own",
	    "guest.cfg:6: vif: ip= is empty; give a value or leave ip out");
}

static void test_list_syntax(void **state)
{
	parse_fails(BASE "disk = [ '/srv/xen/debian.img,raw,xvda,rw\n", 1);
	assert_msgs("guest.cfg:4:10: disk: unterminated string (a string ends on its line); close "
		    "it with '");
	parse_fails(BASE "disk = [ '/srv/xen/debian.img,raw,xvda,rw'\n"
			 "         '/srv/xen/data.img,raw,xvdb,rw' ]\n",
		    1);
	assert_msgs("guest.cfg:5:10: disk: missing , before this item; separate list items with "
		    "commas");
	parse_fails(BASE "vif = [ 'bridge=xenbr0',\n"
			 "\n"
			 "on_crash = \"destroy\"\n",
		    1);
	assert_msgs("guest.cfg:4:7: vif: the list is not closed (the next setting starts on line "
		    "6); end it with ]");
	parse_fails(BASE "vif = [ 'bridge=xenbr0'", 1);
	assert_msgs("guest.cfg:4:7: vif: the list is not closed (the file ends first); end it with "
		    "]");
	parse_fails(BASE "cpus = [ \"1\", , \"2\" ]\nvcpus = [[1]]\ndisk = [ \"a\" = ]\n", 3);
	assert_msgs("guest.cfg:4:15: cpus: empty list item; remove the extra ,",
		    "guest.cfg:5:10: vcpus: a list inside a list; list items are strings",
		    "guest.cfg:6:14: disk: unexpected = in a list; write [ \"item\", \"item\" ]");
}

static void test_other_syntax(void **state)
{
	/* Every error is found, each with line and column; the rest of the file is checked. */
	parse_fails(BASE
		    "type = pvh\nmemory 512\n= 3\nroot = \"x\" \"y\"\nmaxmem += 5\n"
		    "extra = \"a\\qb\"\nname = \"a\001b\"\n\"str\" = 1\ncap =\n%\nvcpus = 99\n",
		    11);
	assert_msgs(
	    "guest.cfg:4:8: type: pvh is not quoted; write type = \"pvh\"",
	    "guest.cfg:5:8: memory: expected = after the key; write memory = 512",
	    "guest.cfg:6:1: unexpected = at the start of a setting; a setting is KEY = VALUE",
	    "guest.cfg:7:12: root: unexpected \"y\" after the value; quote a value with spaces "
	    "or commas, and put one setting on a line (or ; between them)",
	    "guest.cfg:8:8: maxmem: += (appending) is not supported; give the whole value "
	    "with =",
	    "guest.cfg:9:11: extra: unknown escape \\q; in double quotes only \\\" and \\\\ "
	    "are escapes (single quotes have none)",
	    "guest.cfg:10:10: name: control character 0x01 in a string; remove it",
	    "guest.cfg:11:1: unexpected \"str\" at the start of a setting; a setting is KEY = "
	    "VALUE",
	    "guest.cfg:12:6: cap: no value after =; write cap = 100",
	    "guest.cfg:13:1: unexpected '%'; a setting is KEY = VALUE, strings in quotes",
	    "guest.cfg:14: vcpus: 99 is above the maximum 32; write vcpus = 32");
	struct keel_cfg c;
	static const char nul[] = BASE "x = 1\0y = 2\n";

	cap_reset();
	assert_int_equal(
	    keel_cfg_parse("guest.cfg", nul, sizeof(nul) - 1, NULL, 0, &fake_hooks, &c), 1);
	assert_msgs("guest.cfg:4:6: x: NUL byte; a configuration is text");
}

static void test_unknown_and_xl_keys(void **state)
{
	struct keel_cfg c;

	parse_fails(BASE "memroy = 1024\nVcpus = 2\nfrobnicate = 1\nkernal = \"/x\"\n", 4);
	assert_msgs("guest.cfg:4: memroy: unknown key; did you mean memory?",
		    "guest.cfg:5: Vcpus: unknown key; did you mean vcpus?",
		    "guest.cfg:6: frobnicate: unknown key (neither Keel nor xl has it); remove it "
		    "(docs/config.md lists Keel's keys)",
		    "guest.cfg:7: kernal: unknown key; did you mean kernel?");
	parse_fails(BASE "viridain = 1\n", 1);
	assert_msgs("guest.cfg:4: viridain: unknown key; did you mean viridian?");
	assert_int_equal(parse(BASE "vnc = 1\npci = [ '0000:03:00.0' ]\nserial = 'pty'\n"
				    "uuid = \"8e4f8a7a-0a4b-4a8e-9d2c-6f3b1c2d3e4f\"\n"
				    "rtc_timeoffset = -3600\nbootloader = \"pygrub\"\n",
			       &c),
			 0);
	assert_msgs(
	    "guest.cfg:4: warning: vnc: an xl key Keel does not support yet; ignored",
	    "guest.cfg:5: warning: pci: an xl key Keel does not support yet; ignored",
	    "guest.cfg:6: warning: serial: an xl key Keel does not support yet; ignored",
	    "guest.cfg:7: warning: uuid: an xl key Keel does not support yet; ignored",
	    "guest.cfg:8: warning: rtc_timeoffset: an xl key Keel does not support yet; "
	    "ignored",
	    "guest.cfg:9: warning: bootloader: an xl key Keel does not support yet; ignored");
	keel_cfg_free(&c);
}

/* Every xl key the design names as unsupported warns (and is ignored), never fails. */
static void test_xl_keys_only_warn(void **state)
{
	static const char *const keys[] = {"pci",
					   "vfb",
					   "vnc",
					   "sdl",
					   "serial",
					   "usb",
					   "soundhw",
					   "viridian",
					   "device_model_version",
					   "bootloader",
					   "uuid",
					   "seclabel",
					   "nestedhvm",
					   "altp2m",
					   "shadow_memory",
					   "p2m_mem",
					   "tsc_mode",
					   "localtime",
					   "rtc_timeoffset",
					   "max_grant_frames",
					   "max_maptrack_frames",
					   "e820_host",
					   "iomem",
					   "ioports",
					   "irqs",
					   "vtpm",
					   "channel",
					   "vkb",
					   "dtdev",
					   "device_tree",
					   "gic_version",
					   "acpi",
					   "apic",
					   "pae",
					   "hap",
					   "boot"};
	char text[256], want[160];
	struct keel_cfg c;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(text, sizeof(text), BASE "%s = 1\n", keys[i]);
		snprintf(want, sizeof(want),
			 "guest.cfg:4: warning: %s: an xl key Keel does not support yet; ignored",
			 keys[i]);
		assert_int_equal(parse(text, &c), 0);
		assert_msgs(want);
		keel_cfg_free(&c);
	}
}

static void test_name_type_actions(void **state)
{
	parse_fails("memory = 512\nkernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\nname = \"my vm\"\n"
		    "name = \"-db\"\n",
		    1);
	assert_msgs("guest.cfg:4: warning: name: set twice (lines 3 and 4); line 4 wins",
		    "guest.cfg:4: name: \"-db\" starts with -; write name = \"_db\"");
	parse_fails("memory = 512\nkernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\nname = \"my vm\"\n"
		    "type = \"hvm\"\non_crash = \"rename-restart\"\non_reboot = \"reboot\"\n",
		    4);
	assert_msgs(
	    "guest.cfg:3: name: \"my vm\" has ' ' (a name has letters, digits, _ . and - "
	    "only); write name = \"my_vm\"",
	    "guest.cfg:4: type: \"hvm\" is not supported (Keel runs PVH guests only); write "
	    "type = \"pvh\"",
	    "guest.cfg:5: on_crash: \"rename-restart\" is not supported by Keel; write "
	    "on_crash = \"restart\"",
	    "guest.cfg:6: on_reboot: \"reboot\" is not an action; write on_reboot = "
	    "\"destroy\", \"restart\" or \"preserve\"");
	parse_fails("memory = 512\nkernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\n"
		    "name = \"a-very-long-guest-name-for-keel-x\"\ntype = \"pv\"\n",
		    2);
	assert_msgs("guest.cfg:3: name: \"a-very-long-guest-name-for-keel-x\" is 33 characters, "
		    "more than 31; choose a shorter name",
		    "guest.cfg:4: type: \"pv\" is not supported (Keel runs PVH guests only); write "
		    "type = \"pvh\"");
	parse_fails(BASE "name = \"\"\n", 1);
	assert_msgs("guest.cfg:4: warning: name: set twice (lines 1 and 4); line 4 wins",
		    "guest.cfg:4: name: the name is empty; write name = \"guest1\"");
}

static void test_cpus_errors(void **state)
{
	parse_fails(BASE "vcpus = 2\ncpus = [ \"0-3\", \"64\", \"5-2\",\n \"nodes:0\", \"x\", "
			 "\"0,^0\", \"1,,2\" ]\n",
		    1);
	assert_msgs("guest.cfg:5: cpus: 7 entries for 2 vCPUs (maxvcpus); give at most one entry "
		    "per vCPU");
	parse_fails(BASE "maxvcpus = 8\ncpus = [ \"0-3\", \"64\", \"5-2\",\n \"nodes:0\", \"x\", "
			 "\"0,^0\", \"1,,2\" ]\n",
		    6);
	assert_msgs(
	    "guest.cfg:5: cpus: CPU 64 in \"64\" is beyond 63; give CPU numbers 0..63",
	    "guest.cfg:5: cpus: the range 5-2 in \"5-2\" runs backwards; write 2-5",
	    "guest.cfg:6: cpus: \"nodes:0\" names NUMA nodes, which Keel does not support; "
	    "give CPU numbers",
	    "guest.cfg:6: cpus: \"x\" is not a CPU list (N, N-M, ^N or all, between commas); "
	    "write e.g. cpus = \"0-3,5\"",
	    "guest.cfg:6: cpus: \"0,^0\" leaves no CPU; give at least one",
	    "guest.cfg:6: cpus: \"1,,2\" has an empty entry; write e.g. cpus = \"0-3,5\"");
}

static void test_duplicates_and_overrides(void **state)
{
	struct keel_cfg c;
	char *ov[] = {"memory=1024", "vcpus=2", "vcpus=3"};

	assert_int_equal(
	    parse_as("guest.cfg", BASE "memory = 256\nvcpus = 1\nmemory = 768\n", ov, 3, &c), 0);
	assert_msgs(
	    "guest.cfg:6: warning: memory: set 3 times (lines 2, 4 and 6); the command line "
	    "wins",
	    "command line: warning: vcpus: given 2 times; the last (vcpus=3) wins");
	assert_int_equal(c.memory_mib, 1024);
	assert_int_equal(c.vcpus, 3);
	keel_cfg_free(&c);

	char *bad[] = {"memory=lots", "name",	  "kernel=\"/boot/x", "vif=['bridge=br0' 'mac=x']",
		       "memroy=5",    "disk=[]x", "extra=a\nb",	      "root=\ta\tb\t"};
	assert_int_equal(parse_as("guest.cfg", BASE, bad, 8, &c), 7);
	assert_msgs(
	    "command line: memory: \"lots\" is not a number of MiB; write memory = 512",
	    "command line: \"name\" is not key=value; write e.g. memory=1024 after the file",
	    "command line: kernel: column 8 of \"kernel=\"/boot/x\": unterminated string (a "
	    "string ends on its line); close it with \"",
	    "command line: vif: column 19 of \"vif=['bridge=br0' 'mac=x']\": missing , before "
	    "this item; separate list items with commas",
	    "command line: memroy: unknown key; did you mean memory?",
	    "command line: disk: column 8 of \"disk=[]x\": unexpected x after the value; give "
	    "one value",
	    "command line: extra: column 8 of \"extra=a?b\": control character 0x0a in the "
	    "value; remove it");
	assert_true(cfg_is_zero(&c));
}

static void test_limits(void **state)
{
	char text[4096], *p = text;
	int i;

	p += sprintf(p, BASE "disk = [");
	for (i = 0; i < 17; i++)
		p += sprintf(p, " '/srv/xen/data.img,raw,xvd%c,ro',", 'a' + i);
	p += sprintf(p, " ]\nvif = [");
	for (i = 0; i < 9; i++)
		p += sprintf(p, "'bridge=br%d', ", i);
	sprintf(p, "]\nextra = \"%02040d\"\nroot = \"/dev/xvda1\"\n", 0);
	parse_fails(text, 3);
	assert_msgs("guest.cfg:4: disk: 17 disks, more than 16; remove some",
		    "guest.cfg:5: vif: 9 vifs, more than 8; remove some",
		    "guest.cfg:6: extra: the guest command line is 2056 bytes, more than 2047 "
		    "(Linux's limit); shorten it");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_a_number),
	    cmocka_unit_test(test_out_of_range),
	    cmocka_unit_test(test_missing_required),
	    cmocka_unit_test(test_missing_files),
	    cmocka_unit_test(test_disk_errors),
	    cmocka_unit_test(test_disk_warnings),
	    cmocka_unit_test(test_vif_errors),
	    cmocka_unit_test(test_list_syntax),
	    cmocka_unit_test(test_other_syntax),
	    cmocka_unit_test(test_unknown_and_xl_keys),
	    cmocka_unit_test(test_xl_keys_only_warn),
	    cmocka_unit_test(test_name_type_actions),
	    cmocka_unit_test(test_cpus_errors),
	    cmocka_unit_test(test_duplicates_and_overrides),
	    cmocka_unit_test(test_limits),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	cap_reset();
	return rc;
}
