/* Wall-clock time: decoding the RTC's fields, the time at Keel's system time 0, shared_info wc_*. */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/time.h>
#include <keel/wallclock.h>
#include <public/shared_info.h>

#define NS_PER_SEC	 1000000000ULL
#define RTC_B_24H	 0x02 /* status register B: hours 0-23 (else 1-12 with bit 7 = PM) */
#define RTC_B_BINARY	 0x04 /* status register B: binary values (else BCD) */
#define RTC_HOUR_PM	 0x80
#define SECONDS_PER_DAY	 86400ULL
#define DAYS_1970_TO_MAR 719468 /* days from 0000-03-01 to 1970-01-01 */

static u64 boot_ns; /* wall-clock ns at now_ns() == 0; written once at boot */

/* A BCD or binary field; -1 when it is not a valid BCD byte. */
static int field(u8 v, bool binary)
{
	if (binary)
		return v;
	if ((v & 0xf) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0xf);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (years counted from March). */
static u64 days_from_civil(unsigned int y, unsigned int m, unsigned int d)
{
	unsigned int era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (u64)era * 146097 + doe - DAYS_1970_TO_MAR;
}

static unsigned int days_in_month(unsigned int y, unsigned int m)
{
	static const u8 days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return days[m - 1] + (m == 2 && leap);
}

int cmos_rtc_decode(const struct cmos_rtc_raw *raw, u64 *unix_sec)
{
	bool bin = raw->status_b & RTC_B_BINARY;
	int sec = field(raw->sec, bin), min = field(raw->min, bin);
	int hour = field(raw->hour & (raw->status_b & RTC_B_24H ? 0xff : 0x7f), bin);
	int mday = field(raw->mday, bin), mon = field(raw->mon, bin), yy = field(raw->year, bin);
	int cent = raw->century ? field(raw->century, bin) : 20;
	unsigned int year;

	if (!(raw->status_b & RTC_B_24H)) { /* 12-hour clock: 12 AM is 0, 12 PM is 12 */
		if (hour < 1 || hour > 12)
			return -EINVAL;
		hour = (hour % 12) + (raw->hour & RTC_HOUR_PM ? 12 : 0);
	}
	if (sec < 0 || sec > 59 || min < 0 || min > 59 || hour < 0 || hour > 23 || mon < 1 ||
	    mon > 12 || yy < 0 || yy > 99 || cent < 19 || cent > 99)
		return -EINVAL;
	year = (unsigned int)(cent * 100 + yy);
	if (year < 1970 || mday < 1 || (unsigned int)mday > days_in_month(year, (unsigned int)mon))
		return -EINVAL;
	*unix_sec = days_from_civil(year, (unsigned int)mon, (unsigned int)mday) * SECONDS_PER_DAY +
		    (u64)hour * 3600 + (u64)min * 60 + (u64)sec;
	return 0;
}

void wallclock_set(u64 unix_sec)
{
	u64 now = now_ns(), wall = unix_sec * NS_PER_SEC;

	boot_ns = wall > now ? wall - now : 0;
}

void wallclock_set_at(u64 unix_ns, u64 system_ns)
{
	__atomic_store_n(&boot_ns, unix_ns > system_ns ? unix_ns - system_ns : 0, __ATOMIC_SEQ_CST);
}

u64 wallclock_boot_ns(void)
{
	return boot_ns;
}

void wallclock_fill(struct shared_info *si)
{
	u64 sec = boot_ns / NS_PER_SEC;

	WRITE_ONCE(si->wc_version, si->wc_version + 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	si->wc_sec = (u32)sec;
	si->wc_nsec = (u32)(boot_ns % NS_PER_SEC);
	si->wc_sec_hi = (u32)(sec >> 32);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	WRITE_ONCE(si->wc_version, si->wc_version + 1);
}
