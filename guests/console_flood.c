/* Test guest console_flood: floods console_io (role=flood), or is a bystander (remap, print). */
#include "bootargs.h"
#include "console.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/console_io.h>

const char guest_name[] = "console_flood";

#define FLOOD_BYTES 16384 /* the most one console_io call may write */
/* Bystander lines carry this, so that a line cut or mixed with another one shows. */
#define PAYLOAD "abcdefghijklmnopqrstuvwxyz-0123456789"

static char flood[FLOOD_BYTES];

static long console_io_write(const char *buf, uint64_t len)
{
	return hypercall(HYPERCALL_console_io, CONSOLEIO_write, len, HV_PTR(buf), 0, 0);
}

/* Bytes a terminal must never see from a guest: DEL, C1 controls, escapes, other controls. */
static void fill_controls(void)
{
	static const char seq[] = "\x7f\x80\x85\x8d\x90\x9b\x9d\x9f\x1b[2J\x1b]0;x\x07\x08\x0c";

	for (unsigned int i = 0; i < FLOOD_BYTES; i++)
		flood[i] = (i % 64 == 63) ? '\n' : seq[i % (sizeof(seq) - 1)];
}

static void wait_ms(uint64_t ms)
{
	uint64_t end = time_now_ns() + ms * NS_PER_MS;

	while (time_now_ns() < end)
		cpu_relax();
}

/*
 * role=flood: 16 KiB console_io writes for flood_ms of system time, in turn newlines only,
 * control bytes (DEL, C1, escapes) and one long line without a newline; each must return 0.
 * Then quiet_ms of silence (the console budget refills) before the result.
 */
static void run_flood(void)
{
	uint64_t flood_ms = bootargs_get_u64(boot_cmdline, "flood_ms", 3000);
	uint64_t quiet_ms = bootargs_get_u64(boot_cmdline, "quiet_ms", 1500);
	uint64_t end, calls = 0;
	long rc;

	/* First, one line with the bytes the host terminal must not get, as "?". */
	con_printf("FLOOD probe: DEL[\x7f] C1[\x80\x85\x9b\x9f] ESC[\x1b] text[\xc3\xa9]\n");
	end = time_now_ns() + flood_ms * NS_PER_MS;
	while (time_now_ns() < end) {
		switch (calls % 3) {
		case 0:
			for (unsigned int i = 0; i < FLOOD_BYTES; i++)
				flood[i] = '\n';
			break;
		case 1:
			fill_controls();
			break;
		default:
			for (unsigned int i = 0; i < FLOOD_BYTES; i++)
				flood[i] = (char)('a' + i % 26);
			break;
		}
		rc = console_io_write(flood, FLOOD_BYTES);
		if (rc)
			test_fail("console_io(%u bytes) returned %ld", FLOOD_BYTES, rc);
		calls++;
	}
	console_io_write("\n", 1); /* end the long line */
	wait_ms(quiet_ms);
	con_printf("FLOOD done: %lu calls of %u bytes\n", (unsigned long)calls, FLOOD_BYTES);
	test_pass();
}

/*
 * role=remap and role=print: bystanders for runtime_ms. remap maps its shared_info again and
 * again (each XENMEM_add_to_physmap replaces an EPT entry: INVEPT on every CPU through a
 * cross-CPU call); both print a numbered line every every_ms: "<TAG> seq=<n> <payload>".
 */
static void run_bystander(int remap)
{
	uint64_t runtime_ms = bootargs_get_u64(boot_cmdline, "runtime_ms", 4000);
	uint64_t every_ms = bootargs_get_u64(boot_cmdline, "every_ms", 200);
	const char *tag = remap ? "REMAP" : "PRINT";
	uint64_t now, end, next, remaps = 0;
	unsigned long seq = 0;
	long rc;

	end = time_now_ns() + runtime_ms * NS_PER_MS;
	next = time_now_ns();
	while ((now = time_now_ns()) < end) {
		if (remap) {
			rc = shared_info_remap();
			if (rc)
				test_fail("XENMEM_add_to_physmap(shared_info) #%lu returned %ld",
					  (unsigned long)remaps + 1, rc);
			remaps++;
		} else {
			cpu_relax();
		}
		if (now >= next) {
			con_printf("%s seq=%lu %s\n", tag, ++seq, PAYLOAD);
			next += every_ms * NS_PER_MS;
		}
	}
	con_printf("%s done: lines=%lu remaps=%lu\n", tag, seq, (unsigned long)remaps);
	test_pass();
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

void guest_main(void)
{
	char role[16] = "flood";
	long rc;

	test_require_hv();
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	bootargs_get(boot_cmdline, "role", role, sizeof(role));
	if (same(role, "flood"))
		run_flood();
	if (same(role, "remap"))
		run_bystander(1);
	if (same(role, "print"))
		run_bystander(0);
	test_fail("unknown role=%s (flood, remap or print)", role);
}
