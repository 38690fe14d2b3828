/* printk: leveled, timestamped log messages to the log ring and every registered console. */
#ifndef KEEL_PRINTK_H
#define KEEL_PRINTK_H

#include <keel/compiler.h>
#include <keel/types.h>
#include <stdarg.h>

enum log_level {
	LOG_EMERG = 0,
	LOG_ERR = 3,
	LOG_WARN = 4,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

/* Log one message at @level. Messages above the console threshold still reach the log ring. */
void printk(enum log_level level, const char *fmt, ...) __printf(2, 3);
void vprintk(enum log_level level, const char *fmt, va_list ap);

/* Console threshold: messages with level <= this are printed on consoles (option `loglvl=`). */
void printk_set_console_level(enum log_level level);

#define pr_emerg(...) printk(LOG_EMERG, __VA_ARGS__)
#define pr_err(...)   printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Formatting (common/lib/vsprintf.c): %d %i %u %x %X %p %s %c %% with l/ll/z, width, '0' and '-'. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
