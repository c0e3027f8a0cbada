/*
 * vsprintf.c - the hypervisor's printf formatter (vsnprintf and friends), integers and strings only.
 *
 * Design: one pass over the format.  Output goes through a small sink that
 * counts every character the full result would have and stores only those
 * that fit (leaving room for the terminating NUL), which gives C99 return
 * values for free.  Conversions: d i u x X o c s p %, flags "-+ #0", width
 * and precision (also as '*'), length modifiers hh h l ll z t j.  %p is the
 * pointer as 16 zero-padded lowercase hex digits without a prefix (as Xen);
 * '#' adds "0x" and an explicit precision replaces the 16.  %s of NULL
 * prints "(null)" (cut by a precision like any string); with a precision,
 * %s reads no byte past it.  A conversion this formatter does not know (or a
 * format ending inside one) is copied to the output as written and consumes
 * no argument of its own ('*' fields in it still take theirs).  Return
 * values above INT_MAX are clamped to INT_MAX.
 *
 * Locking: none; the formatter only touches its arguments.
 */
#include <stdarg.h>
#include <parva/lib.h>

#define INT_MAX_VAL     0x7fffffff

/* Flags of one conversion. */
#define F_LEFT      0x01    /* '-': pad on the right */
#define F_PLUS      0x02    /* '+': always print a sign (signed conversions) */
#define F_SPACE     0x04    /* ' ': space where a '+' would go */
#define F_ALT       0x08    /* '#': 0x / 0X / leading 0 */
#define F_ZERO      0x10    /* '0': pad with zeros after sign and prefix */
#define F_UPPER     0x20    /* upper-case hex digits */

/* Length modifiers. */
enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_INTMAX };

struct sink {
    char *buf;
    size_t size;        /* bytes available at buf, NUL included */
    size_t len;         /* characters produced so far (stored or not) */
};

static void put(struct sink *o, char c)
{
    if ( o->size && o->len < o->size - 1 )
        o->buf[o->len] = c;
    o->len++;
}

static void put_n(struct sink *o, char c, int n)
{
    while ( n-- > 0 )
        put(o, c);
}

static void put_bytes(struct sink *o, const char *s, size_t n)
{
    while ( n-- )
        put(o, *s++);
}

/*
 * One integer conversion.  prec < 0: no precision given.  sign_ok: the
 * conversion is signed (d, i), so neg/'+'/' ' apply.
 */
static void put_number(struct sink *o, unsigned long long mag, bool neg, bool sign_ok, unsigned int base,
                       unsigned int flags, int width, int prec)
{
    static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
    const char *digits = (flags & F_UPPER) ? upper : lower;
    char tmp[24];       /* 22 octal digits cover 64 bits */
    char sign = 0;
    const char *prefix = "";
    int nd = 0, nzero, plen, total;

    while ( mag )
    {
        tmp[nd++] = digits[mag % base];
        mag /= base;
    }
    if ( prec < 0 )
        prec = 1;       /* at least one digit */
    else
        flags &= ~F_ZERO;   /* C99: '0' ignored when a precision is given */

    if ( base == 16 && (flags & F_ALT) && nd )
        prefix = (flags & F_UPPER) ? "0X" : "0x";
    /* '#' with octal: the first digit is a zero, raising the precision if needed. */
    if ( base == 8 && (flags & F_ALT) && prec <= nd )
        prec = nd + 1;

    if ( sign_ok )
    {
        if ( neg )
            sign = '-';
        else if ( flags & F_PLUS )
            sign = '+';
        else if ( flags & F_SPACE )
            sign = ' ';
    }

    nzero = prec > nd ? prec - nd : 0;
    plen = (int)(prefix[0] ? 2 : 0) + (sign ? 1 : 0);
    total = plen + nzero + nd;

    if ( (flags & F_ZERO) && !(flags & F_LEFT) && width > total )
    {
        nzero += width - total;
        total = width;
    }
    if ( !(flags & F_LEFT) )
        put_n(o, ' ', width - total);
    if ( sign )
        put(o, sign);
    put_bytes(o, prefix, prefix[0] ? 2 : 0);
    put_n(o, '0', nzero);
    while ( nd )
        put(o, tmp[--nd]);
    if ( flags & F_LEFT )
        put_n(o, ' ', width - total);
}

static void put_string(struct sink *o, const char *s, unsigned int flags, int width, int prec)
{
    size_t n = 0;

    if ( !s )
        s = "(null)";
    /* With a precision, read at most prec bytes: the array need not be terminated. */
    while ( (prec < 0 || n < (size_t)prec) && s[n] )
        n++;
    if ( !(flags & F_LEFT) && width > 0 && (size_t)width > n )
        put_n(o, ' ', (int)(width - n));
    put_bytes(o, s, n);
    if ( (flags & F_LEFT) && width > 0 && (size_t)width > n )
        put_n(o, ' ', (int)(width - n));
}

/* Read a decimal field (width or precision) from *pp, saturating at INT_MAX. */
static int get_decimal(const char **pp)
{
    const char *p = *pp;
    int v = 0;

    while ( *p >= '0' && *p <= '9' )
    {
        int d = *p++ - '0';

        v = v > (INT_MAX_VAL - d) / 10 ? INT_MAX_VAL : v * 10 + d;
    }
    *pp = p;
    return v;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
    struct sink o = { .buf = buf, .size = size, .len = 0 };
    const char *p = fmt;

    while ( *p )
    {
        const char *spec = p;
        unsigned int flags = 0, base = 10;
        int width = 0, prec = -1;
        enum length len = LEN_INT;
        unsigned long long mag;
        bool neg = false, sign_ok = false;

        if ( *p != '%' )
        {
            put(&o, *p++);
            continue;
        }
        p++;

        for ( ; ; p++ )
        {
            if ( *p == '-' )
                flags |= F_LEFT;
            else if ( *p == '+' )
                flags |= F_PLUS;
            else if ( *p == ' ' )
                flags |= F_SPACE;
            else if ( *p == '#' )
                flags |= F_ALT;
            else if ( *p == '0' )
                flags |= F_ZERO;
            else
                break;
        }

        if ( *p == '*' )
        {
            p++;
            width = va_arg(args, int);
            if ( width < 0 )
            {
                /* A negative '*' width is the '-' flag and the absolute value. */
                flags |= F_LEFT;
                width = width == -INT_MAX_VAL - 1 ? INT_MAX_VAL : -width;
            }
        }
        else
            width = get_decimal(&p);

        if ( *p == '.' )
        {
            p++;
            if ( *p == '*' )
            {
                p++;
                prec = va_arg(args, int);
                if ( prec < 0 )
                    prec = -1;      /* a negative precision is taken as if omitted */
            }
            else
                prec = get_decimal(&p);
        }

        switch ( *p )
        {
        case 'h':
            p++;
            len = LEN_SHORT;
            if ( *p == 'h' )
            {
                p++;
                len = LEN_CHAR;
            }
            break;
        case 'l':
            p++;
            len = LEN_LONG;
            if ( *p == 'l' )
            {
                p++;
                len = LEN_LLONG;
            }
            break;
        case 'z':
            p++;
            len = LEN_SIZE;
            break;
        case 't':
            p++;
            len = LEN_PTRDIFF;
            break;
        case 'j':
            p++;
            len = LEN_INTMAX;
            break;
        }

        switch ( *p )
        {
        case '%':
            put(&o, '%');
            p++;
            continue;

        case 'c':
        {
            char c = (char)va_arg(args, int);

            if ( !(flags & F_LEFT) )
                put_n(&o, ' ', width - 1);
            put(&o, c);
            if ( flags & F_LEFT )
                put_n(&o, ' ', width - 1);
            p++;
            continue;
        }

        case 's':
            put_string(&o, va_arg(args, const char *), flags, width, prec);
            p++;
            continue;

        case 'p':
            mag = (unsigned long long)(uintptr_t)va_arg(args, void *);
            if ( prec < 0 )
                prec = 2 * sizeof(void *);
            put_number(&o, mag, false, false, 16, flags & ~(F_PLUS | F_SPACE), width, prec);
            p++;
            continue;

        case 'd':
        case 'i':
        {
            long long v;

            switch ( len )
            {
            case LEN_CHAR:    v = (signed char)va_arg(args, int); break;
            case LEN_SHORT:   v = (short)va_arg(args, int); break;
            case LEN_LONG:    v = va_arg(args, long); break;
            case LEN_LLONG:   v = va_arg(args, long long); break;
            case LEN_SIZE:    v = (long long)(ptrdiff_t)va_arg(args, size_t); break;
            case LEN_PTRDIFF: v = va_arg(args, ptrdiff_t); break;
            case LEN_INTMAX:  v = va_arg(args, intmax_t); break;
            default:          v = va_arg(args, int); break;
            }
            neg = v < 0;
            /* Negate in unsigned arithmetic so that LLONG_MIN works. */
            mag = neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
            sign_ok = true;
            break;
        }

        case 'X':
            flags |= F_UPPER;
            /* fall through */
        case 'x':
            base = 16;
            goto unsigned_conv;
        case 'o':
            base = 8;
            goto unsigned_conv;
        case 'u':
        unsigned_conv:
            switch ( len )
            {
            case LEN_CHAR:    mag = (unsigned char)va_arg(args, unsigned int); break;
            case LEN_SHORT:   mag = (unsigned short)va_arg(args, unsigned int); break;
            case LEN_LONG:    mag = va_arg(args, unsigned long); break;
            case LEN_LLONG:   mag = va_arg(args, unsigned long long); break;
            case LEN_SIZE:    mag = va_arg(args, size_t); break;
            case LEN_PTRDIFF: mag = (size_t)va_arg(args, ptrdiff_t); break;
            case LEN_INTMAX:  mag = va_arg(args, uintmax_t); break;
            default:          mag = va_arg(args, unsigned int); break;
            }
            break;

        default:
            /*
             * Unknown conversion, or the format ends inside one: copy the
             * specification as written and carry on after it.
             */
            if ( *p )
                p++;
            put_bytes(&o, spec, (size_t)(p - spec));
            continue;
        }

        put_number(&o, mag, neg, sign_ok, base, flags, width, prec);
        p++;
    }

    if ( size )
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len > INT_MAX_VAL ? INT_MAX_VAL : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list args;
    int n;

    va_start(args, fmt);
    n = vsnprintf(buf, size, fmt, args);
    va_end(args);
    return n;
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
    int n = vsnprintf(buf, size, fmt, args);

    if ( !size )
        return 0;
    return (size_t)n < size ? n : (int)(size - 1);
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list args;
    int n;

    va_start(args, fmt);
    n = vscnprintf(buf, size, fmt, args);
    va_end(args);
    return n;
}
