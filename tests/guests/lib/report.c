/* report.c - result bookkeeping, the single "Test result:" line, and shutdown. */
#include "guest.h"

enum result
{
    RESULT_SUCCESS,
    RESULT_SKIP,
    RESULT_FAILURE,
    RESULT_ERROR,
};

static const char *const result_names[] = { "SUCCESS", "SKIP", "FAILURE", "ERROR" };
static const char *const message_prefix[] = { "", "SKIP", "FAIL", "ERROR" };

static enum result result = RESULT_SUCCESS;
static char reason[256];
static unsigned int nr_reports[4];
static bool finished;

static void report(enum result r, const char *fmt, va_list ap)
{
    char msg[256];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    printf("%s: %s\n", message_prefix[r], msg);
    nr_reports[r]++;
    if ( r > result )
    {
        result = r;
        memcpy(reason, msg, sizeof(reason));
    }
}

void report_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(RESULT_FAILURE, fmt, ap);
    va_end(ap);
}

void report_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(RESULT_ERROR, fmt, ap);
    va_end(ap);
}

void report_skip(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(RESULT_SKIP, fmt, ap);
    va_end(ap);
}

void report_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(RESULT_ERROR, fmt, ap);
    va_end(ap);
    test_finish();
}

bool report_failed(void)
{
    return result >= RESULT_FAILURE;
}

void guest_shutdown(unsigned int reason_code)
{
    struct sched_shutdown s = { .reason = reason_code };

    for ( ;; )
    {
        long rc = hypercall_sched_op(SCHEDOP_shutdown, &s);

        printf("SCHEDOP_shutdown(%u) returned %ld\n", reason_code, rc);
        s.reason = SHUTDOWN_crash;
        hypercall_sched_op(SCHEDOP_shutdown, &s);
        hypercall_sched_op(SCHEDOP_yield, NULL);
    }
}

void test_finish(void)
{
    test_print_result();
    guest_shutdown(SHUTDOWN_poweroff);
}

void test_print_result(void)
{
    unsigned int more;

    /* Once, even when several vCPUs finish at the same time (smp.h). */
    if ( __atomic_exchange_n(&finished, true, __ATOMIC_SEQ_CST) )
        return;

    if ( result == RESULT_SUCCESS )
        printf("Test result: SUCCESS\n");
    else
    {
        more = nr_reports[result] - 1;
        if ( more )
            printf("Test result: %s %s (and %u more)\n", result_names[result], reason, more);
        else
            printf("Test result: %s %s\n", result_names[result], reason);
    }
}
