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

/* One message, prefix and newline included; longer ones are cut. */
#define PRINTK_LINE_MAX 512

/*
 * Log one message at @level. Messages above the console threshold still reach the log ring.
 * Never waits for a console: if another writer holds the consoles (another CPU, the printk this
 * one interrupted, a guest line), the line is queued and that writer prints it next.
 */
void printk(enum log_level level, const char *fmt, ...) __printf(2, 3);
void vprintk(enum log_level level, const char *fmt, va_list ap);

/*
 * Format a message exactly as printk logs it ("[seconds] (LEVEL) text\n", cut with "..." at
 * PRINTK_LINE_MAX - 1 bytes); returns its length. Prints nothing.
 */
size_t printk_format(char line[PRINTK_LINE_MAX], enum log_level level, const char *fmt, ...)
    __printf(3, 4);

/*
 * A guest's console line (common/domain_console.c), already formatted, goes out between Keel's
 * messages with interrupts enabled. printk_guest_begin() takes a turn among guest writers, after
 * Keel's writer: with @wait it waits for it (in order), else it returns false at once if someone
 * is writing. Call it with interrupts on and no lock held, never from interrupt context. Once it
 * returned true, printk_guest_line() logs @line (an info message) and writes it on the consoles;
 * printk_guest_end() writes the Keel messages that came in meanwhile and ends the turn.
 */
bool printk_guest_begin(bool wait);
void printk_guest_line(const char *line, size_t len);
void printk_guest_end(void);

/* Console threshold: messages with level <= this are printed on consoles (option `loglvl=`). */
void printk_set_console_level(enum log_level level);

/*
 * Copy Keel's log ring from byte position *@pos into @out (at most @max bytes), advancing *@pos
 * (keel/logbuf.h); @clear: *@pos then jumps to the end. Bytes copied.
 */
size_t printk_log_read(u64 *pos, char *out, size_t max, bool clear);

#define pr_emerg(...) printk(LOG_EMERG, __VA_ARGS__)
#define pr_err(...)   printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Formatting (common/lib/vsprintf.c): %d %i %u %x %X %p %s %c %% with l/ll/z, width, '0' and '-'. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
