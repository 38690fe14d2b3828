/* The PC CMOS real-time clock: one consistent read at boot, decoded to seconds since 1970. */
#include <asm/io.h>
#include <keel/errno.h>
#include <keel/time.h>
#include <keel/wallclock.h>

#define RTC_INDEX     0x70
#define RTC_DATA      0x71
#define RTC_NMI_OFF   0x80 /* keep NMIs masked while an index is selected */
#define RTC_SEC	      0x00
#define RTC_MIN	      0x02
#define RTC_HOUR      0x04
#define RTC_MDAY      0x07
#define RTC_MON	      0x08
#define RTC_YEAR      0x09
#define RTC_STATUS_A  0x0a
#define RTC_STATUS_B  0x0b
#define RTC_A_UIP     0x80		/* update in progress: the registers may be changing */
#define RTC_WAIT_NS   (10ULL * 1000000) /* an update takes about 2 ms; once a second */
#define RTC_MAX_INDEX 0x7f

static u8 rtc_get(u8 index)
{
	outb(RTC_INDEX, RTC_NMI_OFF | index);
	return inb(RTC_DATA);
}

static void read_once(u8 century_index, struct cmos_rtc_raw *r)
{
	r->sec = rtc_get(RTC_SEC);
	r->min = rtc_get(RTC_MIN);
	r->hour = rtc_get(RTC_HOUR);
	r->mday = rtc_get(RTC_MDAY);
	r->mon = rtc_get(RTC_MON);
	r->year = rtc_get(RTC_YEAR);
	r->century = century_index ? rtc_get(century_index) : 0;
	r->status_b = rtc_get(RTC_STATUS_B);
}

static bool same(const struct cmos_rtc_raw *a, const struct cmos_rtc_raw *b)
{
	return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->mday == b->mday &&
	       a->mon == b->mon && a->year == b->year && a->century == b->century;
}

int cmos_rtc_read(u8 century_index, u64 *unix_sec)
{
	u64 deadline = now_ns() + RTC_WAIT_NS;
	struct cmos_rtc_raw a, b;

	/* The FADT's CENTURY is a CMOS index; 0x0e and up are the RAM after the clock. */
	if (century_index && (century_index > RTC_MAX_INDEX || century_index < 0x0e))
		century_index = 0;
	/* Two equal reads, each started with no update in progress, are one consistent time. */
	for (;;) {
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		if (rtc_get(RTC_STATUS_A) & RTC_A_UIP)
			continue;
		read_once(century_index, &a);
		if (rtc_get(RTC_STATUS_A) & RTC_A_UIP)
			continue;
		read_once(century_index, &b);
		if (same(&a, &b))
			break;
	}
	return cmos_rtc_decode(&a, unix_sec);
}
