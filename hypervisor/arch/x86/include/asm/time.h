/* time.h - TSC-based time: calibration, conversions and delays. */
#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <parva/types.h>

struct acpi_info;

extern uint64_t tsc_khz;

void time_init(const struct acpi_info *ai);
uint64_t now_ns(void);              /* nanoseconds since boot; 0 before time_init */
uint64_t tsc_to_ns(uint64_t delta);
uint64_t ns_to_tsc(uint64_t ns);
uint64_t ns_to_tsc_deadline(uint64_t ns);  /* absolute TSC when now_ns() reaches ns */
void udelay(unsigned long us);
void mdelay(unsigned int ms);
void tsc_pvclock_scale(int8_t *shift, uint32_t *mul);
struct shared_info;
/* Write the wall clock (at system time 0) into a domain's shared_info. */
void time_set_wallclock(struct shared_info *s);

#endif /* ASM_TIME_H */
