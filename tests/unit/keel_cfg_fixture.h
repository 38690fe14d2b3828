/* keel_cfg_fixture.h: the configuration parser's tests: a fake file system, kept messages. */
#ifndef KEEL_CFG_FIXTURE_H
#define KEEL_CFG_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/keel/config.h"

/* The files the fake check knows; any other path does not exist. */
enum fake_kind { FAKE_FILE, FAKE_RO_FILE, FAKE_DIR, FAKE_BLOCK, FAKE_CHAR, FAKE_SECRET };
static const struct {
	const char *path;
	enum fake_kind kind;
} fake_fs[] = {
    {"/boot/vmlinuz-6.1.0-18-amd64", FAKE_FILE},
    {"/boot/initrd.img-6.1.0-18-amd64", FAKE_FILE},
    {"/etc/keel/vmlinuz", FAKE_FILE},
    {"/etc/keel/initrd.img", FAKE_FILE},
    {"/srv/xen/debian.img", FAKE_FILE},
    {"/srv/xen/data.img", FAKE_FILE},
    {"/srv/xen/swap.img", FAKE_FILE},
    {"/srv/xen/base.img", FAKE_RO_FILE},
    {"/srv/xen/a,b.img", FAKE_FILE},
    {"/dev/vg0/guest-root", FAKE_BLOCK},
    {"/dev/vg0/guest-swap", FAKE_BLOCK},
    {"/dev/null", FAKE_CHAR},
    {"/boot", FAKE_DIR},
    {"/root/vmlinuz", FAKE_SECRET},
};

static inline int fake_check(void *ctx, const char *path, enum keel_cfg_path_kind kind)
{
	size_t i;

	for (i = 0; i < sizeof(fake_fs) / sizeof(fake_fs[0]); i++) {
		if (strcmp(fake_fs[i].path, path) != 0)
			continue;
		switch (fake_fs[i].kind) {
		case FAKE_FILE:
			return 0;
		case FAKE_RO_FILE:
			return kind == KEEL_CFG_PATH_DISK_RW ? EROFS : 0;
		case FAKE_DIR:
			return EISDIR;
		case FAKE_BLOCK:
			return kind == KEEL_CFG_PATH_FILE ? EINVAL : 0;
		case FAKE_CHAR:
			return EINVAL;
		case FAKE_SECRET:
			return EACCES;
		}
	}
	return ENOENT;
}

#define CAP_MAX 64
static struct {
	unsigned int n, errors;
	char *msg[CAP_MAX];
} cap;

static inline void cap_reset(void)
{
	unsigned int i;

	for (i = 0; i < cap.n; i++)
		free(cap.msg[i]);
	memset(&cap, 0, sizeof(cap));
}

static inline void capture(void *ctx, int is_error, const char *msg)
{
	assert_non_null(msg);
	assert_null(strchr(msg, '\n'));
	assert_true(cap.n < CAP_MAX);
	cap.msg[cap.n++] = strdup(msg);
	cap.errors += is_error != 0;
}

static const struct keel_cfg_hooks fake_hooks = {.report = capture, .check_path = fake_check};

/* Parse @text as FILE "guest.cfg" (or @file) with overrides; messages in cap. */
static inline int parse_as(const char *file, const char *text, char *const *ov, int nr,
			   struct keel_cfg *out)
{
	int rc;

	cap_reset();
	rc = keel_cfg_parse(file, text, strlen(text), ov, nr, &fake_hooks, out);
	assert_int_equal(rc, (int)cap.errors); /* the count returned is the errors reported */
	return rc;
}

static inline int parse(const char *text, struct keel_cfg *out)
{
	return parse_as("guest.cfg", text, NULL, 0, out);
}

static inline void assert_msgs_(const char *const *want, unsigned int n)
{
	unsigned int i;

	if (cap.n != n) {
		for (i = 0; i < cap.n; i++)
			print_message("got: %s\n", cap.msg[i]);
		fail_msg("%u messages, wanted %u", cap.n, n);
	}
	for (i = 0; i < n; i++)
		assert_string_equal(cap.msg[i], want[i]);
}

/* Exactly these messages, in this order. */
#define assert_msgs(...)                                               \
	do {                                                           \
		const char *const want_[] = {__VA_ARGS__};             \
		assert_msgs_(want_, sizeof(want_) / sizeof(want_[0])); \
	} while (0)
#define assert_no_msgs() assert_msgs_(NULL, 0)

/* A config whose other keys are right, for testing one thing: name, memory, kernel. */
#define BASE "name = \"t\"\nmemory = 512\nkernel = \"/boot/vmlinuz-6.1.0-18-amd64\"\n"

/* A zeroed config (what a failed parse leaves). */
static inline bool cfg_is_zero(const struct keel_cfg *c)
{
	static const struct keel_cfg zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

#endif
