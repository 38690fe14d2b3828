/* printk: leveled, timestamped messages into the log ring `keel_log` and onto the consoles. */
#include <keel/cmdline.h>
#include <keel/compiler.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/logbuf.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/time.h>

#define PRINTK_LINE_MAX 512 /* one message, prefix and newline included; longer ones are cut */
#define KEEL_LOG_SIZE	KiB(64)

/*
 * How long printk tries to take its lock before writing without it. The holder normally keeps
 * the lock only while a line goes out on the consoles (512 bytes at 115200 baud is ~45 ms);
 * 2^24 attempts with a pause each take far longer than that on any machine. Failing to get the
 * lock for that long means the holder is this very CPU (printk re-entered from a fault or an
 * interrupt in the middle of a message) or a dead CPU: writing unlocked then may interleave or
 * garble a line, which beats a silent deadlock.
 */
#define PRINTK_LOCK_ATTEMPTS (1UL << 24)

static char keel_log_storage[KEEL_LOG_SIZE];
struct logbuf keel_log = {keel_log_storage, KEEL_LOG_SIZE, 0, 0};

static spinlock_t printk_lock = SPINLOCK_INIT;
static enum log_level printk_console_level = LOG_INFO;

static const struct {
	const char *name;
	enum log_level level;
} printk_level_names[] = {
    {"emerg", LOG_EMERG}, {"err", LOG_ERR},	{"warn", LOG_WARN},
    {"info", LOG_INFO},	  {"debug", LOG_DEBUG},
};

static inline void printk_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	barrier();
#endif
}

/*
 * printk holds its lock with interrupts off, so an interrupt cannot print into the middle of a
 * line on the same CPU. Only a fault inside printk itself can re-enter it: after a bounded spin
 * the nested call writes without the lock rather than deadlock.
 */
static bool printk_lock_bounded(unsigned long *flags)
{
	unsigned long attempts;

	for (attempts = 0; attempts < PRINTK_LOCK_ATTEMPTS; attempts++) {
		if (spin_trylock_irqsave(&printk_lock, flags))
			return true;
		printk_cpu_relax();
	}
	return false;
}

static const char *printk_level_tag(enum log_level level)
{
	switch (level) {
	case LOG_EMERG:
		return "(EMERG) ";
	case LOG_ERR:
		return "(ERR) ";
	case LOG_WARN:
		return "(WARN) ";
	default:
		return "";
	}
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	static const char cut_mark[] = "...\n";
	char line[PRINTK_LINE_MAX];
	u64 ns = now_ns();
	size_t len, room;
	int n;
	bool locked;
	unsigned long flags = 0;

	n = snprintf(line, sizeof(line), "[%5llu.%06llu] %s", (unsigned long long)(ns / 1000000000),
		     (unsigned long long)(ns / 1000 % 1000000), printk_level_tag(level));
	len = MIN((size_t)n, sizeof(line) - 1);
	room = sizeof(line) - len;
	n = vsnprintf(line + len, room, fmt ? fmt : "(null format)", ap);
	if ((size_t)n < room - 1) {
		len += (size_t)n;
		if (line[len - 1] != '\n')
			line[len++] = '\n';
	} else if ((size_t)n == room - 1 && line[sizeof(line) - 2] == '\n') {
		len += (size_t)n; /* fits exactly, newline included */
	} else {
		/* Too long (or no room left for the newline): cut it and mark the cut. */
		len = sizeof(line) - sizeof(cut_mark);
		memcpy(line + len, cut_mark, sizeof(cut_mark));
		len += sizeof(cut_mark) - 1;
	}

	locked = printk_lock_bounded(&flags);
	logbuf_append(&keel_log, line, len);
	if (level <= READ_ONCE(printk_console_level))
		console_write(line, len);
	if (locked)
		spin_unlock_irqrestore(&printk_lock, flags);
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
	if ((int)level < LOG_EMERG)
		level = LOG_EMERG;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	WRITE_ONCE(printk_console_level, level);
}

/* `loglvl=`: a level name or a number 0-7. */
static int printk_parse_loglvl(const char *value)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(printk_level_names); i++) {
		if (strcmp(value, printk_level_names[i].name) == 0) {
			printk_set_console_level(printk_level_names[i].level);
			return 0;
		}
	}
	if (value[0] >= '0' && value[0] <= '7' && value[1] == '\0') {
		printk_set_console_level((enum log_level)(value[0] - '0'));
		return 0;
	}
	return -EINVAL;
}
KEEL_PARAM_CUSTOM(loglvl, printk_parse_loglvl,
		  "console log level: emerg|err|warn|info|debug or 0-7 (default info)");
