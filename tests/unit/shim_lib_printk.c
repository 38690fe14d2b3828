/* Host shim for printk (suites that do not link common/printk.c): records messages for asserts. */
#include <keel/printk.h>
#include <keel/string.h>
#include <stdio.h>
#include <stdlib.h>

#define SHIM_PRINTK_LOG_SIZE 65536

/* Every message since the last reset, each ending with '\n'; KEEL_SHIM_PRINTK=1 echoes them. */
char shim_printk_log[SHIM_PRINTK_LOG_SIZE];
size_t shim_printk_len;
unsigned int shim_printk_count[LOG_DEBUG + 1];

void shim_printk_reset(void)
{
	shim_printk_len = 0;
	shim_printk_log[0] = '\0';
	memset(shim_printk_count, 0, sizeof(shim_printk_count));
}

/* True if @text occurs in the messages recorded since the last reset. */
bool shim_printk_contains(const char *text)
{
	size_t n = strlen(text), i;

	for (i = 0; i + n <= shim_printk_len; i++) {
		if (memcmp(shim_printk_log + i, text, n) == 0)
			return true;
	}
	return false;
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t len;
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	len = n < 0 ? 0 : MIN((size_t)n, sizeof(line) - 1);
	if ((unsigned int)level <= LOG_DEBUG)
		shim_printk_count[level]++;
	if (shim_printk_len + len + 2 <= sizeof(shim_printk_log)) {
		memcpy(shim_printk_log + shim_printk_len, line, len);
		shim_printk_len += len;
		if (!len || line[len - 1] != '\n')
			shim_printk_log[shim_printk_len++] = '\n';
		shim_printk_log[shim_printk_len] = '\0';
	}
	if (getenv("KEEL_SHIM_PRINTK"))
		fprintf(stderr, "printk<%d>: %s%s", level, line,
			len && line[len - 1] == '\n' ? "" : "\n");
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void printk_set_console_level(enum log_level level)
{
	(void)level;
}
