/*
 * report.h - the test result API (XTF-like): a test reports what it found and the framework prints
 * exactly one "Test result: SUCCESS|SKIP|FAILURE|ERROR [reason]" line, then powers the domain off.
 *
 * Severity: ERROR (the test itself is broken or could not run) > FAILURE (the hypervisor is wrong)
 * > SKIP (the check does not apply) > SUCCESS. The reason is the first message of the worst class.
 */
#ifndef GUEST_REPORT_H
#define GUEST_REPORT_H

#include "types.h"

void report_fail(const char *fmt, ...) __printf(1, 2);
void report_error(const char *fmt, ...) __printf(1, 2);
void report_skip(const char *fmt, ...) __printf(1, 2);
/* Reports an error and finishes the test at once. */
void __noreturn report_fatal(const char *fmt, ...) __printf(1, 2);
/* Prints the result line and shuts down (SCHEDOP_shutdown, SHUTDOWN_poweroff). */
void __noreturn test_finish(void);
/* Prints the result line (once; later calls print nothing) without shutting down. */
void test_print_result(void);
/* True once a failure or error was reported. */
bool report_failed(void);
/* SCHEDOP_shutdown with the given reason; never returns. */
void __noreturn guest_shutdown(unsigned int reason);

/* Helpers: report a FAILURE when the check does not hold. Return whether it held. */
#define check(cond, fmt, ...) \
    ((cond) ? true : (report_fail(fmt, ##__VA_ARGS__), false))
#define check_eq(what, got, want) ({                                                        \
    unsigned long long got_ = (unsigned long long)(got), want_ = (unsigned long long)(want); \
    got_ == want_ ? true :                                                                  \
        (report_fail("%s: got %#llx, expected %#llx", what, got_, want_), false); })
#define check_rc(what, got, want) ({                                                        \
    long got_ = (long)(got), want_ = (long)(want);                                          \
    got_ == want_ ? true :                                                                  \
        (report_fail("%s: returned %ld (%s), expected %ld (%s)", what, got_,                \
                     errno_name(got_), want_, errno_name(want_)), false); })

#endif /* GUEST_REPORT_H */
