/*
 * param.c - the hypervisor command-line parser: applies `name` and `name=value` words to registered options.
 *
 * Design: the line is cut into whitespace-separated words; each word is
 * copied into a bounded buffer (words that do not fit are reported and
 * skipped, never truncated into a different option) and split at its first
 * '='.  The name is looked up in the param_table section with '-' and '_'
 * treated as equal.  Every descriptor with that name is applied, as Xen
 * does, so two subsystems may share an option.  Only when no descriptor has
 * the full name and it starts with "no-" is the rest looked up as a negated
 * boolean (or a custom option, which then receives "no").  A value is
 * decoded and checked completely before the variable is written, so a bad
 * value leaves the variable as it was.  Problems are reported with printk
 * and counted; none of them stops the parse.
 *
 * Deviations from Xen, where Xen's behaviour is undefined or silent:
 * `no-name=value` is rejected for booleans (Xen inverts the value), `no-`
 * is rejected for integer, size and string options (Xen ignores it),
 * negative integers are rejected (the variables are unsigned), values that
 * do not fit the variable are -EOVERFLOW (except that a 64-bit integer
 * beyond 2^64 - 1 saturates, as parse_ull does), and overlong words and
 * truncated strings are reported.
 *
 * Locking: none.  The command line is parsed once, early in boot, on the
 * boot CPU, before anything that reads the options runs.
 */
#include <parva/lib.h>
#include <parva/param.h>
#include <parva/printk.h>

/* Bytes of an overlong word quoted in its report. */
#define OVERLONG_QUOTE  40

static char saved_cmdline[PARAM_CMDLINE_MAX];

BUILD_BUG_ON(sizeof(struct param_desc) != PARAM_DESC_ALIGN);

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char name_char(char c)
{
    return c == '-' ? '_' : c;
}

/* Does the registered name equal key[0..keylen) with '-' and '_' alike? */
static bool name_matches(const char *name, const char *key, size_t keylen)
{
    size_t i;

    for ( i = 0; i < keylen; i++ )
        if ( name[i] == '\0' || name_char(name[i]) != name_char(key[i]) )
            return false;
    return name[keylen] == '\0';
}

int parse_bool(const char *s, const char *e)
{
    static const struct {
        const char *word;
        int value;
    } words[] = {
        { "1", 1 }, { "0", 0 }, { "on", 1 }, { "no", 0 }, { "yes", 1 }, { "off", 0 },
        { "true", 1 }, { "false", 0 }, { "enable", 1 }, { "disable", 0 },
    };
    size_t len, i;

    if ( e && e < s )
        return -1;
    len = e ? (size_t)(e - s) : strlen(s);

    for ( i = 0; i < ARRAY_SIZE(words); i++ )
        if ( strlen(words[i].word) == len && !strncmp(words[i].word, s, len) )
            return words[i].value;
    return -1;
}

/* Store v into an unsigned variable of len bytes, or -EOVERFLOW if it does not fit. */
static int store_unsigned(void *var, unsigned int len, unsigned long long v)
{
    switch ( len )
    {
    case 1:
    {
        uint8_t x = (uint8_t)v;

        if ( v > 0xffU )
            return -EOVERFLOW;
        memcpy(var, &x, sizeof(x));
        return 0;
    }
    case 2:
    {
        uint16_t x = (uint16_t)v;

        if ( v > 0xffffU )
            return -EOVERFLOW;
        memcpy(var, &x, sizeof(x));
        return 0;
    }
    case 4:
    {
        uint32_t x = (uint32_t)v;

        if ( v > 0xffffffffUL )
            return -EOVERFLOW;
        memcpy(var, &x, sizeof(x));
        return 0;
    }
    case 8:
    {
        uint64_t x = v;

        memcpy(var, &x, sizeof(x));
        return 0;
    }
    }
    BUG();      /* the registration macros only allow the sizes above */
}

static int apply_bool(const struct param_desc *d, const char *val, bool has_val, bool negated)
{
    int b = 1;

    if ( has_val )
    {
        if ( negated )
            return -EINVAL;     /* `no-name=value`: undefined in Xen, refused here */
        if ( *val )             /* `name=` is true, as Xen */
            b = parse_bool(val, NULL);
        if ( b < 0 )
            return -EINVAL;
    }
    else if ( negated )
        b = 0;

    *(bool *)d->u.var = b;
    return 0;
}

static int apply_number(const struct param_desc *d, const char *val, bool negated)
{
    const char *end;
    unsigned long long v;

    if ( negated || *val == '\0' )
        return -EINVAL;
    if ( d->type == PARAM_SIZE )
    {
        v = parse_size(val, &end);
        if ( end != val && *end == '\0' && v == ~0ULL )
            return -EOVERFLOW;  /* parse_size saturates */
    }
    else
        v = parse_ull(val, &end, 0);
    if ( end == val || *end != '\0' )
        return -EINVAL;
    return store_unsigned(d->u.var, d->len, v);
}

static int apply_string(const struct param_desc *d, const char *val, bool negated, bool *truncated)
{
    size_t n = strlen(val);
    char *dst = d->u.var;

    if ( negated )
        return -EINVAL;
    if ( n >= d->len )
    {
        n = d->len - 1;
        *truncated = true;
    }
    memcpy(dst, val, n);
    dst[n] = '\0';
    return 0;
}

static int apply_custom(const struct param_desc *d, const char *val, bool has_val, bool negated)
{
    int rc;

    if ( negated )
    {
        if ( has_val && *val )
            return -EINVAL;     /* as Xen: `no-name=value` is refused */
        val = "no";
    }
    rc = d->u.func(val);
    return rc > 0 ? -EINVAL : rc;
}

static int apply(const struct param_desc *d, const char *val, bool has_val, bool negated,
                 bool *truncated)
{
    switch ( d->type )
    {
    case PARAM_BOOL:
        return apply_bool(d, val, has_val, negated);
    case PARAM_UINT:
    case PARAM_SIZE:
        return apply_number(d, val, negated);
    case PARAM_STRING:
        return apply_string(d, val, negated, truncated);
    case PARAM_CUSTOM:
        return apply_custom(d, val, has_val, negated);
    }
    BUG();      /* only the registration macros make descriptors */
}

/*
 * Apply every descriptor named key[0..keylen).  Returns whether any was
 * found; *rc gets the first error.
 */
static bool apply_all(const char *key, size_t keylen, const char *val, bool has_val, bool negated,
                      int *rc, bool *truncated)
{
    const struct param_desc *d;
    bool found = false;

    for ( d = __start_param_table; d < __stop_param_table; d++ )
    {
        int r;

        if ( !name_matches(d->name, key, keylen) )
            continue;
        found = true;
        r = apply(d, val, has_val, negated, truncated);
        if ( !*rc )
            *rc = r;
    }
    return found;
}

/* Parse one word (NUL-terminated, modified in place); returns the number of problems (0 or 1). */
static int parse_word(char *word)
{
    char *eq = strchr(word, '=');
    const char *val = "";
    bool has_val = eq != NULL, truncated = false, found;
    int rc = 0;

    if ( eq )
    {
        *eq = '\0';
        val = eq + 1;
    }

    found = apply_all(word, strlen(word), val, has_val, false, &rc, &truncated);
    if ( !found && !strncmp(word, "no-", 3) && word[3] != '\0' )
        found = apply_all(word + 3, strlen(word + 3), val, has_val, true, &rc, &truncated);

    if ( !found )
    {
        printk(XENLOG_WARNING "parameter \"%s\" unknown!\n", word);
        return 1;
    }
    if ( rc )
    {
        printk(XENLOG_WARNING "parameter \"%s\" has invalid value \"%s\", rc=%d!\n", word, val, rc);
        return 1;
    }
    if ( truncated )
    {
        printk(XENLOG_WARNING "parameter \"%s\": value \"%s\" truncated\n", word, val);
        return 1;
    }
    return 0;
}

static void save_cmdline(const char *cmdline)
{
    size_t n = strlen(cmdline);

    if ( n >= sizeof(saved_cmdline) )
    {
        printk(XENLOG_WARNING "command line longer than %u characters: saved copy truncated\n",
               (unsigned int)sizeof(saved_cmdline) - 1);
        n = sizeof(saved_cmdline) - 1;
    }
    memcpy(saved_cmdline, cmdline, n);
    saved_cmdline[n] = '\0';
}

int param_parse_cmdline(const char *cmdline)
{
    char word[PARAM_WORD_MAX];
    const char *p;
    int problems = 0;

    if ( !cmdline )
        cmdline = "";
    save_cmdline(cmdline);

    for ( p = cmdline; ; )
    {
        const char *start;
        size_t len;

        while ( is_space(*p) )
            p++;
        if ( *p == '\0' )
            break;

        start = p;
        while ( *p != '\0' && !is_space(*p) )
            p++;
        len = (size_t)(p - start);

        if ( len >= sizeof(word) )
        {
            printk(XENLOG_WARNING "parameter \"%.*s...\" longer than %u characters, ignored\n",
                   OVERLONG_QUOTE, start, (unsigned int)sizeof(word) - 1);
            problems++;
            continue;
        }
        memcpy(word, start, len);
        word[len] = '\0';
        problems += parse_word(word);
    }

    return problems;
}

const char *param_saved_cmdline(void)
{
    return saved_cmdline;
}
