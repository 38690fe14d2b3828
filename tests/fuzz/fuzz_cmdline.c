/* libFuzzer target for common/cmdline.c: arbitrary lines against options of every type. */
#include <keel/cmdline.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <stdlib.h>

void shim_printk_reset(void); /* tests/unit/shim_lib_printk.c */

static bool f_bool;
static u64 f_uint;
static char f_str[8];
static char f_custom[16];

static int f_parse_custom(const char *value)
{
	if (strlen(value) >= sizeof(f_custom))
		return -E2BIG;
	strlcpy(f_custom, value, sizeof(f_custom));
	return 0;
}

static const struct keel_param f_table[] = {
    {"b", PARAM_BOOL, &f_bool, 0, NULL, "bool"},
    {"u", PARAM_UINT, &f_uint, 0, NULL, "uint"},
    {"s", PARAM_STRING, f_str, sizeof(f_str), NULL, "string"},
    {"c", PARAM_CUSTOM, NULL, 0, f_parse_custom, "custom"},
    {"no_x", PARAM_BOOL, &f_bool, 0, NULL, "a bool whose name starts with no"},
};

/* The same kinds through the linked section, for cmdline_parse_all. */
static bool fz_bool;
static u64 fz_uint;
static char fz_str[4];
KEEL_PARAM_BOOL(fz_bool, fz_bool, "bool");
KEEL_PARAM_UINT(fz_uint, fz_uint, "uint");
KEEL_PARAM_STRING(fz_str, fz_str, "string");
KEEL_PARAM_CUSTOM(fz_custom, f_parse_custom, "custom");

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	/* An exact-size copy, so ASan sees any read past the terminator. */
	char *line = malloc(size + 1);
	int bad;

	memcpy(line, data, size);
	line[size] = '\0';
	shim_printk_reset();

	bad = cmdline_parse(line, f_table, f_table + ARRAY_SIZE(f_table));
	if (bad < 0 || (size_t)bad > size)
		abort();
	if (strnlen(f_str, sizeof(f_str)) >= sizeof(f_str))
		abort();

	bad = cmdline_parse_all(line);
	if (bad < 0 || (size_t)bad > size)
		abort();
	if (strnlen(fz_str, sizeof(fz_str)) >= sizeof(fz_str) ||
	    strnlen(keel_cmdline, sizeof(keel_cmdline)) >= sizeof(keel_cmdline) ||
	    strlen(cmdline_dom0_args()) > strlen(line))
		abort();
	free(line);
	return 0;
}
