/* rtc.h - the CMOS real-time clock. */
#ifndef ASM_RTC_H
#define ASM_RTC_H

#include <parva/types.h>

/* Wall-clock seconds since 1970-01-01 UTC (the RTC is assumed to keep UTC), 0 if unreadable. */
uint64_t rtc_seconds_since_epoch(void);

#endif /* ASM_RTC_H */
