/*
 * rtc.c - the wall clock at boot, from the CMOS real-time clock (MC146818 registers at ports 0x70/0x71).
 *
 * Read once, after waiting for the end of an update cycle, twice until two
 * reads agree; BCD and 12-hour formats are handled as register B says.  The
 * century register is not standard: years 00-69 are taken as 20xx.
 */
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/processor.h>
#include <asm/rtc.h>
#include <asm/system.h>

#define RTC_SECONDS     0x00
#define RTC_MINUTES     0x02
#define RTC_HOURS       0x04
#define RTC_DAY         0x07
#define RTC_MONTH       0x08
#define RTC_YEAR        0x09
#define RTC_REG_A       0x0a
#define RTC_REG_B       0x0b
#define RTC_UIP         0x80        /* A: update in progress */
#define RTC_24H         0x02        /* B */
#define RTC_BINARY      0x04        /* B */

static uint8_t cmos(uint8_t reg)
{
    outb(reg, 0x70);
    return inb(0x71);
}

struct rtc_time {
    unsigned int sec, min, hour, day, mon, year;
};

static void read_raw(struct rtc_time *t)
{
    unsigned int spins = 0;

    while ( (cmos(RTC_REG_A) & RTC_UIP) && ++spins < 1000000 )
        cpu_relax();
    t->sec = cmos(RTC_SECONDS);
    t->min = cmos(RTC_MINUTES);
    t->hour = cmos(RTC_HOURS);
    t->day = cmos(RTC_DAY);
    t->mon = cmos(RTC_MONTH);
    t->year = cmos(RTC_YEAR);
}

static unsigned int bcd(unsigned int v)
{
    return (v & 0xf) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to year-mon-day (proleptic Gregorian). */
static uint64_t days_since_epoch(unsigned int year, unsigned int mon, unsigned int day)
{
    /* Shift the year to start in March so February's leap day comes last. */
    unsigned int y = year - (mon <= 2), m = mon <= 2 ? mon + 9 : mon - 3;
    uint64_t era_days = (uint64_t)y * 365 + y / 4 - y / 100 + y / 400;

    return era_days + (153 * m + 2) / 5 + day - 1 - 719468;
}

uint64_t rtc_seconds_since_epoch(void)
{
    struct rtc_time a, b;
    uint8_t regb = cmos(RTC_REG_B);
    unsigned int tries = 0;
    bool pm;

    do {
        read_raw(&a);
        read_raw(&b);
    } while ( memcmp(&a, &b, sizeof(a)) && ++tries < 10 );
    pm = a.hour & 0x80;
    a.hour &= 0x7f;
    if ( !(regb & RTC_BINARY) )
    {
        a.sec = bcd(a.sec);
        a.min = bcd(a.min);
        a.hour = bcd(a.hour);
        a.day = bcd(a.day);
        a.mon = bcd(a.mon);
        a.year = bcd(a.year);
    }
    if ( !(regb & RTC_24H) )
        a.hour = (a.hour % 12) + (pm ? 12 : 0);
    a.year += a.year < 70 ? 2000 : 1900;
    if ( a.mon < 1 || a.mon > 12 || a.day < 1 || a.day > 31 || a.hour > 23 || a.min > 59 || a.sec > 60 )
    {
        printk(XENLOG_WARNING "RTC: implausible time; the wall clock starts at 1970\n");
        return 0;
    }
    return days_since_epoch(a.year, a.mon, a.day) * 86400 + a.hour * 3600 + a.min * 60 + a.sec;
}
