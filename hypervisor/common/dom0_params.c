/*
 * dom0_params.c - Xen's dom0 sizing options (dom0_mem=, dom0_max_vcpus=): parsing them and applying them.
 *
 * Design: the options are custom parameters that decode their whole value
 * into locals and store them only when all of it is valid, so a rejected
 * value changes nothing.  Amounts are kept in pages as signed numbers, as
 * Xen does: positive is absolute, negative is "all available except", 0 for
 * the amount means "not given" and for min: "no minimum".  The compute
 * functions are pure: they combine the stored options with the available
 * memory or CPU count they are given.
 *
 * The rules of dom0_compute_nr_pages() (Xen's dom0_compute_nr_pages):
 *  1. Without an amount (or with 0), the amount is all available memory
 *     minus a reserve of 1/16 of it, the reserve being at most 128 MiB.
 *  2. A negative size means available minus that size.  When the size is
 *     as large as the available memory or larger, the result is 0 (Xen
 *     wraps around here and ends up giving everything; 0 lets min: and the
 *     builder's own minimum decide instead).
 *  3. The amount is raised to min:, then lowered to max: (max: wins over
 *     min: when they conflict), then lowered to the available memory.
 * Not supported: Xen's percentage form ("<size>+<frac>%"), rejected as malformed.
 *
 * dom0_max_vcpus=: each occurrence is a complete setting (an omitted bound
 * is the default: min 1, max unlimited); N means exactly N; a min of 0 is 1
 * (as Xen); a max of 0 and min > max are rejected.
 *
 * Locking: none; the options are set while the command line is parsed, on
 * the boot CPU, and read by the dom0 builder later during boot.
 */
#include <parva/dom0.h>
#include <parva/lib.h>
#include <parva/param.h>
#include <parva/printk.h>
#include <asm/page.h>

#define NO_MAX_PAGES        INT64_MAX                   /* dom0_max_pages when max: is not given */
#define NO_MAX_VCPUS        (~0U)
#define RESERVE_MAX_PAGES   (MB(128) >> PAGE_SHIFT)     /* cap of the default reserve */

static int64_t dom0_nr_pages;                   /* <sz>: 0 = not given */
static int64_t dom0_min_pages;                  /* min:<sz>: 0 = none */
static int64_t dom0_max_pages = NO_MAX_PAGES;   /* max:<sz> */
static unsigned int dom0_vcpus_min = 1;
static unsigned int dom0_vcpus_max = NO_MAX_VCPUS;

void dom0_params_reset(void)
{
    dom0_nr_pages = 0;
    dom0_min_pages = 0;
    dom0_max_pages = NO_MAX_PAGES;
    dom0_vcpus_min = 1;
    dom0_vcpus_max = NO_MAX_VCPUS;
}

/* One <sz>: [-]<size>, in pages (rounded down); *end past it. */
static int parse_amount(const char *s, const char **end, int64_t *pages)
{
    bool negative = *s == '-';
    const char *p = s + negative;
    unsigned long long bytes = parse_size(p, end);

    if ( *end == p )
        return -EINVAL;
    if ( bytes == ~0ULL )
        return -EOVERFLOW;      /* parse_size saturates */
    *pages = (int64_t)(bytes >> PAGE_SHIFT);    /* < 2^52: no overflow either way */
    if ( negative )
        *pages = -*pages;
    return 0;
}

static int parse_dom0_mem(const char *s)
{
    int64_t nr = dom0_nr_pages, min_pages = dom0_min_pages, max_pages = dom0_max_pages;

    if ( *s == '\0' )
        return -EINVAL;

    for ( ; ; )
    {
        int64_t *dst = &nr;
        const char *end;
        int rc;

        if ( !strncmp(s, "min:", 4) )
        {
            dst = &min_pages;
            s += 4;
        }
        else if ( !strncmp(s, "max:", 4) )
        {
            dst = &max_pages;
            s += 4;
        }
        rc = parse_amount(s, &end, dst);
        if ( rc )
            return rc;
        s = end;
        if ( *s == '\0' )
            break;
        if ( *s != ',' )
            return -EINVAL;
        s++;
    }

    dom0_nr_pages = nr;
    dom0_min_pages = min_pages;
    dom0_max_pages = max_pages;
    return 0;
}
custom_param("dom0_mem", parse_dom0_mem);

/* An unsigned int in base 0; *end past it. */
static int parse_count(const char *s, const char **end, unsigned int *out)
{
    unsigned long long v = parse_ull(s, end, 0);

    if ( *end == s )
        return -EINVAL;
    if ( v > ~0U )
        return -EOVERFLOW;
    *out = (unsigned int)v;
    return 0;
}

static int parse_dom0_max_vcpus(const char *s)
{
    unsigned int min_vcpus = 1, max_vcpus = NO_MAX_VCPUS;
    const char *p = s;
    int rc;

    if ( *p == '-' )                            /* -M */
    {
        rc = parse_count(p + 1, &p, &max_vcpus);
        if ( rc )
            return rc;
    }
    else                                        /* N, N- or N-M */
    {
        rc = parse_count(p, &p, &min_vcpus);
        if ( rc )
            return rc;
        if ( min_vcpus == 0 )
            min_vcpus = 1;
        if ( *p == '\0' )
            max_vcpus = min_vcpus;
        else if ( *p++ != '-' )
            return -EINVAL;
        else if ( *p != '\0' )
        {
            rc = parse_count(p, &p, &max_vcpus);
            if ( rc )
                return rc;
        }
    }
    if ( *p != '\0' || max_vcpus == 0 || min_vcpus > max_vcpus )
        return -EINVAL;

    dom0_vcpus_min = min_vcpus;
    dom0_vcpus_max = max_vcpus;
    return 0;
}
custom_param("dom0_max_vcpus", parse_dom0_max_vcpus);

/* A stored amount against avail pages: negative is avail minus it, never below 0 (rule 2). */
static unsigned long resolve(int64_t spec, unsigned long avail)
{
    unsigned long less;

    if ( spec >= 0 )
        return (unsigned long)spec;
    less = (unsigned long)-spec;
    return less >= avail ? 0 : avail - less;
}

unsigned long dom0_compute_nr_pages(unsigned long avail_pages)
{
    unsigned long nr, lo, hi;

    /* Rule 1: no amount given. */
    if ( dom0_nr_pages == 0 )
        nr = avail_pages - min(avail_pages / 16, RESERVE_MAX_PAGES);
    else
        nr = resolve(dom0_nr_pages, avail_pages);

    /* Rule 3: min, then max, then what there is. */
    lo = resolve(dom0_min_pages, avail_pages);
    hi = dom0_compute_max_pages(avail_pages);
    nr = max(nr, lo);
    nr = min(nr, hi);
    return min(nr, avail_pages);
}

unsigned long dom0_compute_max_pages(unsigned long avail_pages)
{
    if ( dom0_max_pages == NO_MAX_PAGES )
        return DOM0_MAX_PAGES_UNLIMITED;
    return resolve(dom0_max_pages, avail_pages);
}

unsigned int dom0_compute_max_vcpus(unsigned int nr_pcpus, unsigned int limit)
{
    unsigned int n = nr_pcpus ? nr_pcpus : 1;   /* the boot CPU always exists */

    BUG_ON(limit == 0);     /* the builder's limit is a constant, at least 1 */
    n = max(n, dom0_vcpus_min);
    n = min(n, dom0_vcpus_max);
    return min(n, limit);   /* >= 1: min and max are both >= 1 */
}

struct out {
    char *buf;
    size_t len;
    size_t pos;
};

static void __printf(2, 3) out(struct out *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    o->pos += (size_t)vscnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
    va_end(ap);
}

static void out_size(struct out *o, unsigned long pages)
{
    unsigned long kib = pages << (PAGE_SHIFT - 10);

    if ( kib == 0 )
        out(o, "0");
    else if ( !(kib & ((1UL << 20) - 1)) )
        out(o, "%lu GiB", kib >> 20);
    else if ( !(kib & ((1UL << 10) - 1)) )
        out(o, "%lu MiB", kib >> 10);
    else
        out(o, "%lu KiB", kib);
}

static void out_amount(struct out *o, int64_t pages)
{
    if ( pages < 0 )
    {
        out(o, "all but ");
        pages = -pages;
    }
    out_size(o, (unsigned long)pages);
}

void dom0_params_describe(char *buf, size_t len)
{
    struct out o = { .buf = buf, .len = len, .pos = 0 };

    if ( !len )
        return;
    buf[0] = '\0';

    out(&o, "dom0: memory ");
    if ( dom0_nr_pages == 0 )
        out(&o, "default");
    else
        out_amount(&o, dom0_nr_pages);
    out(&o, " (min ");
    out_amount(&o, dom0_min_pages);
    out(&o, ", max ");
    if ( dom0_max_pages == NO_MAX_PAGES )
        out(&o, "all");
    else
        out_amount(&o, dom0_max_pages);
    out(&o, "), vcpus %u..", dom0_vcpus_min);
    if ( dom0_vcpus_max == NO_MAX_VCPUS )
        out(&o, "unlimited");
    else
        out(&o, "%u", dom0_vcpus_max);
}
