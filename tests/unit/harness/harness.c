/* harness.c - host stand-ins for the hypervisor services that unit-tested files call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <parva/printk.h>
#include <parva/lib.h>
#include <asm/mm.h>

char harness_log[65536];
static size_t harness_log_len;
unsigned char *harness_ram;

void harness_log_clear(void)
{
    harness_log_len = 0;
    harness_log[0] = '\0';
}

void vprintk(const char *fmt, va_list args)
{
    char line[1024];
    int n = parva_vsnprintf(line, sizeof(line), fmt, args);

    if ( n < 0 )
        return;
    if ( (size_t)n >= sizeof(line) )
        n = sizeof(line) - 1;
    if ( harness_log_len + n < sizeof(harness_log) )
    {
        memcpy(harness_log + harness_log_len, line, n + 1);
        harness_log_len += n;
    }
    if ( getenv("HARNESS_VERBOSE") )
        fputs(line, stderr);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    mock_assert(0, "panic", __FILE__, __LINE__);
    abort();
}

void bug_fail(const char *cond, const char *file, int line)
{
    mock_assert(0, cond, file, line);
    abort();
}

void harness_ram_init(unsigned long nr_frames)
{
    harness_ram = aligned_alloc(PAGE_SIZE, nr_frames * PAGE_SIZE);
    assert_non_null(harness_ram);
    memset(harness_ram, 0xa5, nr_frames * PAGE_SIZE);
}

void harness_ram_free(void)
{
    free(harness_ram);
    harness_ram = NULL;
}
