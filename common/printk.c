/* printk: leveled, timestamped messages into the log ring `keel_log` and onto the consoles. */
#include <keel/cmdline.h>
#include <keel/compiler.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/logbuf.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/time.h>

#define KEEL_LOG_SIZE	   KiB(64)
#define CONSOLE_QUEUE_SIZE KiB(16)

/*
 * printk_lock guards the two rings: keel_log, and console_queue (Keel's lines waiting for the
 * consoles). It is held, with interrupts off, only while a line is copied in or out. Failing to
 * get it for 2^24 attempts (a pause each) therefore means the holder is this very CPU (printk
 * re-entered from a fault in the middle of a copy) or a dead CPU: going on without it then may
 * garble a line, which beats a silent deadlock.
 */
#define PRINTK_LOCK_ATTEMPTS (1UL << 24)

static char keel_log_storage[KEEL_LOG_SIZE];
struct logbuf keel_log = {keel_log_storage, KEEL_LOG_SIZE, 0, 0};

static char console_queue_storage[CONSOLE_QUEUE_SIZE];
static struct logbuf console_queue = {console_queue_storage, CONSOLE_QUEUE_SIZE, 0, 0};
static u64 console_queue_done; /* console_queue is written up to here (by the owner only) */

static spinlock_t printk_lock = SPINLOCK_INIT;
static enum log_level printk_console_level = LOG_INFO;

/*
 * Writing on the consoles: whoever holds console_owner writes, one writer at a time, and it is
 * only ever taken by trylock. Keel's messages never wait for it: printk queues its line and the
 * holder (this printk, the one it interrupted, another CPU's, or a guest line's writer) writes
 * the queue before letting go. So an interrupt or a nested printk cannot split a line, and no
 * CPU spins with interrupts off behind a slow console.
 *
 * Guest lines (printk_guest_*, for common/domain_console.c) are written with interrupts on:
 * their writers take turns on guest_turn (a ticket lock, never taken in interrupt context),
 * then wait for console_owner, which Keel holds only while it writes its queued lines. Keel's
 * lines that come in meanwhile wait for at most the one guest line being written.
 */
static spinlock_t console_owner = SPINLOCK_INIT;
static spinlock_t guest_turn = SPINLOCK_INIT;

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

/* Take printk_lock with interrupts off; false (interrupts as they were) after the bounded spin. */
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

static void printk_unlock(bool locked, unsigned long flags)
{
	if (locked)
		spin_unlock_irqrestore(&printk_lock, flags);
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

static size_t printk_vformat(char line[PRINTK_LINE_MAX], enum log_level level, const char *fmt,
			     va_list ap)
{
	static const char cut_mark[] = "...\n";
	u64 ns = now_ns();
	size_t len, room;
	int n;

	n = snprintf(line, PRINTK_LINE_MAX, "[%5llu.%06llu] %s",
		     (unsigned long long)(ns / 1000000000),
		     (unsigned long long)(ns / 1000 % 1000000), printk_level_tag(level));
	len = MIN((size_t)n, PRINTK_LINE_MAX - 1);
	room = PRINTK_LINE_MAX - len;
	n = vsnprintf(line + len, room, fmt ? fmt : "(null format)", ap);
	if ((size_t)n < room - 1) {
		len += (size_t)n;
		if (line[len - 1] != '\n')
			line[len++] = '\n';
	} else if ((size_t)n == room - 1 && line[PRINTK_LINE_MAX - 2] == '\n') {
		len += (size_t)n; /* fits exactly, newline included */
	} else {
		/* Too long (or no room left for the newline): cut it and mark the cut. */
		len = PRINTK_LINE_MAX - sizeof(cut_mark);
		memcpy(line + len, cut_mark, sizeof(cut_mark));
		len += sizeof(cut_mark) - 1;
	}
	return len;
}

size_t printk_format(char line[PRINTK_LINE_MAX], enum log_level level, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	len = printk_vformat(line, level, fmt, ap);
	va_end(ap);
	return len;
}

static bool console_queue_empty(void)
{
	return READ_ONCE(console_queue.head) == READ_ONCE(console_queue_done);
}

/* Write Keel's queued lines on the consoles; the caller holds console_owner (or Keel panics). */
static void console_write_queued(void)
{
	char buf[256];

	for (;;) {
		unsigned long flags = 0;
		bool locked = printk_lock_bounded(&flags);
		u64 lost = console_queue.tail > console_queue_done
			       ? console_queue.tail - console_queue_done
			       : 0;
		size_t n = logbuf_read(&console_queue, &console_queue_done, buf, sizeof(buf));

		printk_unlock(locked, flags);
		if (lost) {
			char note[96];
			int len = snprintf(
			    note, sizeof(note),
			    "[console: %llu bytes of the log skipped: the queue was full]\n",
			    (unsigned long long)lost);

			console_write(note, MIN((size_t)len, sizeof(note) - 1));
		}
		if (!n)
			return;
		console_write(buf, n);
	}
}

/* Write the queue unless someone else holds the consoles: then the holder writes it. */
static void console_drain(void)
{
	while (spin_trylock(&console_owner)) {
		console_write_queued();
		spin_unlock(&console_owner);
		/* A line queued after our last read whose printk saw the owner still busy? */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (console_queue_empty())
			return;
	}
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	char line[PRINTK_LINE_MAX];
	size_t len = printk_vformat(line, level, fmt, ap);
	bool shown = level <= READ_ONCE(printk_console_level);
	bool panicking = READ_ONCE(panic_in_progress);
	unsigned long flags = 0;
	bool locked = printk_lock_bounded(&flags);

	logbuf_append(&keel_log, line, len);
	if (shown && locked && !panicking)
		logbuf_append(&console_queue, line, len);
	printk_unlock(locked, flags);
	if (!shown)
		return;
	if (panicking) {
		/* The other CPUs are stopped, a writer among them perhaps: write it all now. */
		console_write_queued();
		console_write(line, len);
	} else if (!locked) {
		console_write(line, len);
	} else {
		console_drain();
	}
}

bool printk_guest_begin(bool wait)
{
	if (!wait) {
		if (!spin_trylock(&guest_turn))
			return false;
		if (spin_trylock(&console_owner))
			return true;
		spin_unlock(&guest_turn);
		return false;
	}
	spin_lock(&guest_turn);
	while (!spin_trylock(&console_owner))
		printk_cpu_relax();
	return true;
}

void printk_guest_line(const char *line, size_t len)
{
	unsigned long flags = 0;
	bool locked = printk_lock_bounded(&flags);

	logbuf_append(&keel_log, line, len);
	printk_unlock(locked, flags);
	if (LOG_INFO <= READ_ONCE(printk_console_level))
		console_write(line, len);
}

void printk_guest_end(void)
{
	console_write_queued(); /* Keel's lines that came in during the guest line */
	spin_unlock(&console_owner);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!console_queue_empty())
		console_drain();
	spin_unlock(&guest_turn);
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

size_t printk_log_read(u64 *pos, char *out, size_t max, bool clear)
{
	unsigned long flags;
	bool locked = printk_lock_bounded(&flags);
	size_t n = logbuf_read(&keel_log, pos, out, max);

	if (clear)
		*pos = keel_log.head;
	printk_unlock(locked, flags);
	return n;
}
