/*
 * harness.h - the host harness for unit tests: compiles real hypervisor .c
 * files against cmocka.  Force-included before everything else.
 *
 * printk output is captured in harness_log (and echoed with HARNESS_VERBOSE=1);
 * BUG_ON/panic become cmocka assertion failures, so tests can expect them with
 * expect_assert_failure().
 */
#ifndef HARNESS_H
#define HARNESS_H

#define PARVA_HOST_TEST 1

/* The hypervisor's formatter would clash with the C library's (which cmocka uses). */
#define vsnprintf  parva_vsnprintf
#define snprintf   parva_snprintf
#define vscnprintf parva_vscnprintf
#define scnprintf  parva_scnprintf

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

extern char harness_log[65536];
void harness_log_clear(void);
/* Map "machine memory" of nr_frames frames (frame 0 included) for code that touches frames. */
void harness_ram_init(unsigned long nr_frames);
void harness_ram_free(void);

#endif /* HARNESS_H */
