/* Wall-clock time: the host's CMOS RTC read at boot, and the wc_* fields of every shared_info. */
#ifndef KEEL_WALLCLOCK_H
#define KEEL_WALLCLOCK_H

#include <keel/types.h>

struct shared_info;

/* The CMOS RTC registers as read (drivers/rtc/cmos_rtc.c), before any decoding. */
struct cmos_rtc_raw {
	u8 sec, min, hour, mday, mon, year;
	u8 century; /* 0 when the FADT names no century register */
	u8 status_b;
};

/*
 * Decode @raw per its status register B (BCD or binary, 12 or 24 hours) into seconds since
 * 1970-01-01 00:00 UTC (the RTC is taken to run in UTC). Without a century register the
 * year is 20yy. 0, or -EINVAL for a field out of range.
 */
int cmos_rtc_decode(const struct cmos_rtc_raw *raw, u64 *unix_sec);

/*
 * Read the host's RTC (x86: ports 0x70/0x71), waiting for no update in progress for at most
 * 10 ms, with the FADT's century register @century_index (0: none). 0, -ETIMEDOUT, -EINVAL.
 */
int cmos_rtc_read(u8 century_index, u64 *unix_sec);

/* The wall-clock time is @unix_sec now (now_ns() taken as the moment it was read). */
void wallclock_set(u64 unix_sec);
/* dom0 set the clock: it was @unix_ns (since 1970) at Keel's system time @system_ns. */
void wallclock_set_at(u64 unix_ns, u64 system_ns);
/* Wall-clock nanoseconds at system time 0 (now_ns() == 0); 0 if never set. */
u64 wallclock_boot_ns(void);
/* Write wc_sec/wc_nsec/wc_sec_hi of @si (wc_version odd while writing). */
void wallclock_fill(struct shared_info *si);

#endif
