/* Command-line parser: matches `name[=value]` words against typed keel_param tables. */
#include <keel/cmdline.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>

/* Longest word accepted (quotes removed, NUL included); longer words are refused. */
#define CMDLINE_WORD_MAX 512

char keel_cmdline[1024];
static char cmdline_dom0[1024];

/*
 * Bounds of the keel_params section: defined by GNU ld for sections named like C identifiers
 * and explicitly by Keel's linker script. Weak, so a program without any parameter still links.
 */
extern const struct keel_param __start_keel_params[] __attribute__((weak));
extern const struct keel_param __stop_keel_params[] __attribute__((weak));

static bool cmdline_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Option names match with '-' and '_' treated as the same character. */
static bool cmdline_name_eq(const char *name, const char *word)
{
	for (;; name++, word++) {
		char a = *name == '-' ? '_' : *name;
		char b = *word == '-' ? '_' : *word;

		if (a != b)
			return false;
		if (!a)
			return true;
	}
}

/*
 * True if @word starts with "no-" (the negated form of a boolean). Compared byte by byte with
 * && so nothing past the word's terminating NUL is read, and the "no-" bytes are then known.
 */
static bool cmdline_has_no_prefix(const char *word)
{
	return word[0] == 'n' && word[1] == 'o' && word[2] == '-';
}

static const struct keel_param *cmdline_find(const char *name, const struct keel_param *first,
					     const struct keel_param *last)
{
	const struct keel_param *prm;

	for (prm = first; prm < last; prm++) {
		if (prm->name && cmdline_name_eq(prm->name, name))
			return prm;
	}
	return NULL;
}

static int cmdline_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "yes", "on", "true"};
	static const char *const no[] = {"0", "no", "off", "false"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int cmdline_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal or 0x-hex, with an optional K/M/G (binary) suffix. -ERANGE on overflow. */
static int cmdline_parse_uint(const char *s, u64 *out)
{
	unsigned int base = 10, shift = 0, ndigits = 0;
	u64 v = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; (d = cmdline_digit(*s)) >= 0 && (unsigned int)d < base; s++, ndigits++) {
		if (v > (~0ULL - (u64)d) / base)
			return -ERANGE;
		v = v * base + (u64)d;
	}
	if (!ndigits)
		return -EINVAL;
	switch (*s) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	}
	if (shift)
		s++;
	if (*s)
		return -EINVAL;
	if (v > (~0ULL >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static int cmdline_apply(const struct keel_param *prm, const char *value, bool negated)
{
	u64 num;
	size_t len;
	int rc;

	if (prm->type != PARAM_BOOL && !value) {
		pr_warn("cmdline: option '%s' needs a value ('%s=...'), ignored", prm->name,
			prm->name);
		return -EINVAL;
	}
	switch (prm->type) {
	case PARAM_BOOL: {
		bool v = !negated;

		if (value && cmdline_parse_bool(value, &v) < 0) {
			pr_warn(
			    "cmdline: option '%s' expects yes/no/on/off/true/false/1/0, not '%s'",
			    prm->name, value);
			return -EINVAL;
		}
		*(bool *)prm->var = v;
		return 0;
	}
	case PARAM_UINT:
		rc = cmdline_parse_uint(value, &num);
		if (rc == -ERANGE) {
			pr_warn("cmdline: value '%s' of option '%s' is too large, ignored", value,
				prm->name);
			return rc;
		}
		if (rc < 0) {
			pr_warn("cmdline: option '%s' expects a number, not '%s'", prm->name,
				value);
			return rc;
		}
		*(u64 *)prm->var = num;
		return 0;
	case PARAM_STRING:
		len = strlen(value);
		if (len >= prm->size) {
			pr_warn("cmdline: value of option '%s' is longer than %zu bytes, ignored",
				prm->name, prm->size ? prm->size - 1 : 0);
			return -E2BIG;
		}
		memcpy(prm->var, value, len + 1);
		return 0;
	case PARAM_CUSTOM:
		rc = prm->parse ? prm->parse(value) : -EINVAL;
		if (rc < 0) {
			pr_warn("cmdline: bad value '%s' for option '%s' (error %d), ignored",
				value, prm->name, rc);
			return rc;
		}
		return 0;
	}
	pr_warn("cmdline: option '%s' has an unknown type %d", prm->name, (int)prm->type);
	return -EINVAL;
}

/* Handle one unquoted word (modified in place). Returns 0 if it was accepted. */
static int cmdline_handle_word(char *word, const struct keel_param *first,
			       const struct keel_param *last)
{
	const struct keel_param *prm;
	char *eq = strchr(word, '=');
	const char *value = NULL;

	if (eq) {
		*eq = '\0';
		value = eq + 1;
	}
	if (!word[0]) {
		pr_warn("cmdline: word '=%s' has no option name, ignored", value);
		return -EINVAL;
	}
	prm = cmdline_find(word, first, last);
	if (prm)
		return cmdline_apply(prm, value, false);
	if (cmdline_has_no_prefix(word)) {
		prm = cmdline_find(word + 3, first, last);
		if (prm && prm->type == PARAM_BOOL && !value)
			return cmdline_apply(prm, NULL, true);
		if (prm) {
			pr_warn(
			    "cmdline: '%s' only applies to a boolean option without a value, ignored",
			    word);
			return -EINVAL;
		}
	}
	pr_warn("cmdline: unknown option '%s' ignored", word);
	return -ENOENT;
}

/*
 * Copy the word at *@p into @word with its quotes removed and move *@p past it. Returns the
 * word length, -E2BIG if it does not fit @size, or -EINVAL if a quote is left open.
 */
static int cmdline_next_word(const char **p, char *word, size_t size)
{
	const char *s = *p;
	bool quoted = false, too_long = false;
	size_t n = 0;

	for (; *s && (quoted || !cmdline_is_space(*s)); s++) {
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 < size)
			word[n++] = *s;
		else
			too_long = true;
	}
	*p = s;
	word[n] = '\0';
	if (quoted)
		return -EINVAL;
	if (too_long)
		return -E2BIG;
	return (int)n;
}

/* Parse words until the end or a standalone `--`; *@rest gets what follows `--` (or NULL). */
static int cmdline_parse_words(const char *line, const struct keel_param *first,
			       const struct keel_param *last, const char **rest)
{
	char word[CMDLINE_WORD_MAX];
	int bad = 0;

	*rest = NULL;
	if (!line)
		return 0;
	for (;;) {
		while (cmdline_is_space(*line))
			line++;
		if (!*line)
			break;
		if (line[0] == '-' && line[1] == '-' && (!line[2] || cmdline_is_space(line[2]))) {
			line += 2;
			while (cmdline_is_space(*line))
				line++;
			*rest = line;
			break;
		}
		int len = cmdline_next_word(&line, word, sizeof(word));

		if (len == -EINVAL) {
			pr_warn("cmdline: unterminated quote in '%s', ignored", word);
			bad++;
		} else if (len == -E2BIG) {
			pr_warn("cmdline: word '%.32s...' is longer than %d bytes, ignored", word,
				CMDLINE_WORD_MAX - 1);
			bad++;
		} else if (len > 0 && cmdline_handle_word(word, first, last) < 0) {
			bad++;
		}
	}
	return bad;
}

int cmdline_parse(const char *cmdline, const struct keel_param *first,
		  const struct keel_param *last)
{
	const char *rest;

	return cmdline_parse_words(cmdline, first, last, &rest);
}

int cmdline_parse_all(const char *cmdline)
{
	const char *rest;
	int bad;

	if (!cmdline)
		cmdline = "";
	if (strlcpy(keel_cmdline, cmdline, sizeof(keel_cmdline)) >= sizeof(keel_cmdline))
		pr_warn("cmdline: command line longer than %zu bytes, kept copy truncated",
			sizeof(keel_cmdline) - 1);
	bad = cmdline_parse_words(cmdline, __start_keel_params, __stop_keel_params, &rest);
	if (strlcpy(cmdline_dom0, rest ? rest : "", sizeof(cmdline_dom0)) >= sizeof(cmdline_dom0))
		pr_warn("cmdline: dom0 arguments longer than %zu bytes, truncated",
			sizeof(cmdline_dom0) - 1);
	return bad;
}

const char *cmdline_dom0_args(void)
{
	return cmdline_dom0;
}

static const char *cmdline_type_hint(enum param_type type)
{
	switch (type) {
	case PARAM_BOOL:
		return "[=bool]";
	case PARAM_UINT:
		return "=<num>";
	case PARAM_STRING:
		return "=<text>";
	case PARAM_CUSTOM:
		return "=<value>";
	}
	return "";
}

void cmdline_print_help(void)
{
	const struct keel_param *prm;

	pr_info("cmdline: options (booleans also take no-<name>; '--' ends Keel's options):");
	for (prm = __start_keel_params; prm < __stop_keel_params; prm++) {
		if (prm->name)
			pr_info("cmdline:   %s%s  %s", prm->name, cmdline_type_hint(prm->type),
				prm->help ? prm->help : "");
	}
}
