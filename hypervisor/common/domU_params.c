/*
 * domU_params.c - the boot-time domain convention: sorting the multiboot modules into dom0's and the
 * domUs', and parsing a domU module's options (parva/domU_params.h has the syntax).
 *
 * Design: pure functions over the modules' command-line strings.  A domU line is cut into words at
 * blanks up to a word "--"; each word must be "key=value" with a known key, and is decoded into
 * the result at once (a later word for the same key overrides an earlier one).  Checks that need
 * several options (cap against vcpus) run at the end.  Errors name the option word as written.
 *
 * Locking: none (boot, one CPU).
 */
#include <parva/domU_params.h>
#include <parva/errno.h>
#include <parva/lib.h>

#define PAGE_SHIFT_4K   12

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_blanks(const char *s)
{
    while ( is_blank(*s) )
        s++;
    return s;
}

static size_t word_len(const char *s)
{
    size_t n = 0;

    while ( s[n] && !is_blank(s[n]) )
        n++;
    return n;
}

bool domU_cmdline_starts_with(const char *cmdline, const char *word)
{
    const char *p = skip_blanks(cmdline);
    size_t n = strlen(word);

    /* Some loaders put the module's file name first (GRUB 2 does not). */
    if ( *p == '/' )
        p = skip_blanks(p + word_len(p));
    return !strncmp(p, word, n) && (p[n] == '\0' || is_blank(p[n]));
}

/* A decimal number filling all of [s, end); false if empty, not all digits, or above max. */
static bool parse_dec(const char *s, const char *end, unsigned long long max, unsigned long long *out)
{
    const char *p;
    unsigned long long v;

    if ( s == end || *s < '0' || *s > '9' )
        return false;
    v = parse_ull(s, &p, 10);
    if ( p != end || v > max )
        return false;
    *out = v;
    return true;
}

static bool valid_name(const char *s, size_t n)
{
    size_t i;

    if ( n == 0 || n > DOMU_NAME_LEN )
        return false;
    for ( i = 0; i < n; i++ )
        if ( !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
               s[i] == '_' || s[i] == '-' || s[i] == '.') )
            return false;
    return true;
}

/* "all" or "N[-M][,N[-M]...]", CPUs below 64; false if malformed or empty. */
static bool parse_cpus(const char *s, const char *end, uint64_t *mask)
{
    uint64_t m = 0;

    if ( end - s == 3 && !strncmp(s, "all", 3) )
    {
        *mask = DOMU_CPUS_ALL;
        return true;
    }
    while ( s < end )
    {
        const char *item_end = s, *dash;
        unsigned long long lo, hi;

        while ( item_end < end && *item_end != ',' )
            item_end++;
        for ( dash = s; dash < item_end && *dash != '-'; dash++ )
            ;
        if ( !parse_dec(s, dash, 63, &lo) )
            return false;
        hi = lo;
        if ( dash < item_end && !parse_dec(dash + 1, item_end, 63, &hi) )
            return false;
        if ( hi < lo )
            return false;
        for ( ; lo <= hi; lo++ )
            m |= 1ULL << lo;
        s = item_end;
        if ( s < end && ++s == end )
            return false;           /* a trailing comma */
    }
    if ( !m )
        return false;
    *mask = m;
    return true;
}

static int bad_option(char *err, size_t errlen, const char *word, size_t n, const char *why)
{
    if ( err && errlen )
        snprintf(err, errlen, "option \"%.*s\": %s", (int)min(n, (size_t)60), word, why);
    return -EINVAL;
}

int domU_params_parse(const char *cmdline, unsigned int id, struct domU_params *p, char *err, size_t errlen)
{
    const char *s = skip_blanks(cmdline);
    unsigned long long v;

    memset(p, 0, sizeof(*p));
    p->id = id;
    snprintf(p->name, sizeof(p->name), "domU%u", id);
    p->nr_pages = DOMU_DEFAULT_MEMORY >> PAGE_SHIFT_4K;
    p->vcpus = 1;
    p->weight = DOMU_DEFAULT_WEIGHT;
    p->cpus = DOMU_CPUS_ALL;
    p->cmdline = "";
    if ( err && errlen )
        err[0] = '\0';

    if ( !domU_cmdline_starts_with(s, "domU") )
    {
        if ( err && errlen )
            snprintf(err, errlen, "the command line does not start with \"domU\"");
        return -EINVAL;
    }
    if ( *s == '/' )
        s = skip_blanks(s + word_len(s));
    s = skip_blanks(s + 4);

    while ( *s )
    {
        size_t n = word_len(s);
        const char *eq = s, *val, *end = s + n;
        size_t klen;

        if ( n == 2 && !strncmp(s, "--", 2) )
        {
            p->cmdline = skip_blanks(s + 2);
            break;
        }
        while ( eq < end && *eq != '=' )
            eq++;
        if ( eq == end )
            return bad_option(err, errlen, s, n, "not key=value (guest options go after \"--\")");
        klen = (size_t)(eq - s);
        val = eq + 1;

#define KEY(k) (klen == sizeof(k) - 1 && !strncmp(s, k, klen))
        if ( KEY("name") )
        {
            if ( !valid_name(val, (size_t)(end - val)) )
                return bad_option(err, errlen, s, n, "a name is 1-15 letters, digits, '_', '-' or '.'");
            memcpy(p->name, val, (size_t)(end - val));
            p->name[end - val] = '\0';
        }
        else if ( KEY("memory") )
        {
            const char *pe = val;

            if ( val < end && *val >= '0' && *val <= '9' )
                v = parse_size(val, &pe);
            if ( pe == val || pe != end )
                return bad_option(err, errlen, s, n, "not a size (a number with an optional K, M, G or T)");
            if ( v == ~0ULL )
                return bad_option(err, errlen, s, n, "too large");
            if ( v >> PAGE_SHIFT_4K == 0 )
                return bad_option(err, errlen, s, n, "less than one page");
            p->nr_pages = (unsigned long)(v >> PAGE_SHIFT_4K);
        }
        else if ( KEY("vcpus") )
        {
            if ( !parse_dec(val, end, DOMU_MAX_VCPUS, &v) || v == 0 )
                return bad_option(err, errlen, s, n, "vcpus is 1-128");
            p->vcpus = (unsigned int)v;
        }
        else if ( KEY("weight") )
        {
            if ( !parse_dec(val, end, DOMU_MAX_WEIGHT, &v) || v == 0 )
                return bad_option(err, errlen, s, n, "a weight is 1-65535");
            p->weight = (unsigned int)v;
        }
        else if ( KEY("cap") )
        {
            if ( !parse_dec(val, end, 100ULL * DOMU_MAX_VCPUS, &v) )
                return bad_option(err, errlen, s, n, "a cap is a percentage of one CPU, 0 (none) to 100 per vCPU");
            p->cap = (unsigned int)v;
        }
        else if ( KEY("cpus") )
        {
            if ( !parse_cpus(val, end, &p->cpus) )
                return bad_option(err, errlen, s, n, "not a CPU list (\"all\", or numbers 0-63 and ranges: 0-1,3)");
        }
        else
            return bad_option(err, errlen, s, n, "unknown (name, memory, vcpus, weight, cap, cpus)");
#undef KEY
        s = skip_blanks(end);
    }

    if ( p->cap > 100 * p->vcpus )
    {
        if ( err && errlen )
            snprintf(err, errlen, "option \"cap=%u\": more than 100%% per vCPU (vcpus=%u)", p->cap, p->vcpus);
        return -EINVAL;
    }
    return 0;
}

void boot_plan_modules(const char *const cmdlines[], unsigned int n, struct boot_plan *plan)
{
    unsigned int i = 0;

    memset(plan, 0, sizeof(*plan));
    plan->dom0_kernel = plan->dom0_initrd = -1;
    n = min(n, (unsigned int)DOMU_MAX_MODULES);

    if ( n && !domU_cmdline_starts_with(cmdlines[0], "domU") )
    {
        plan->dom0_kernel = 0;
        plan->role[0] = BOOT_MOD_DOM0_KERNEL;
        i = 1;
        if ( n > 1 && !domU_cmdline_starts_with(cmdlines[1], "domU") )
        {
            plan->dom0_initrd = 1;
            plan->role[1] = BOOT_MOD_DOM0_INITRD;
            i = 2;
        }
    }
    for ( ; i < n; i++ )
    {
        if ( domU_cmdline_starts_with(cmdlines[i], "domU") )
        {
            unsigned int k = plan->nr_domUs++;

            plan->domU[k].kernel = i;
            plan->domU[k].initrd = -1;
            plan->domU[k].id = k + 1;
            plan->role[i] = BOOT_MOD_DOMU_KERNEL;
            if ( i + 1 < n && domU_cmdline_starts_with(cmdlines[i + 1], "initrd") )
            {
                plan->domU[k].initrd = (int)++i;
                plan->role[i] = BOOT_MOD_DOMU_INITRD;
            }
        }
        else if ( domU_cmdline_starts_with(cmdlines[i], "initrd") )
            plan->role[i] = BOOT_MOD_STRAY_INITRD;
    }
}

const char *boot_module_role_name(enum boot_module_role r)
{
    switch ( r )
    {
    case BOOT_MOD_DOM0_KERNEL:
        return "dom0 kernel";
    case BOOT_MOD_DOM0_INITRD:
        return "dom0 initrd";
    case BOOT_MOD_DOMU_KERNEL:
        return "domU kernel";
    case BOOT_MOD_DOMU_INITRD:
        return "domU initrd";
    case BOOT_MOD_STRAY_INITRD:
        return "initrd with no domU before it: not used";
    default:
        return "extra: not used";
    }
}
