/*
 * lib.c - number parsing for the command line and boot data: parse_ull and parse_size.
 *
 * Design: both parsers stop at the first character that does not belong to
 * the number and report where through *end, so callers decide what may follow.
 * Neither accepts leading whitespace or a sign.  Values too large for 64 bits
 * saturate at ULLONG_MAX rather than wrapping.
 *
 * Locking: none.
 */
#include <parva/lib.h>

#define ULL_MAX (~0ULL)

/* Value of digit c in bases up to 36, or 36 when c is not a digit. */
static unsigned int digit_value(char c)
{
    if ( c >= '0' && c <= '9' )
        return (unsigned int)(c - '0');
    if ( c >= 'a' && c <= 'z' )
        return (unsigned int)(c - 'a') + 10;
    if ( c >= 'A' && c <= 'Z' )
        return (unsigned int)(c - 'A') + 10;
    return 36;
}

unsigned long long parse_ull(const char *s, const char **end, unsigned int base)
{
    const char *p = s;
    unsigned long long v = 0;
    bool any = false;

    /* A "0x" prefix counts only when a hex digit follows; "0x" alone parses as 0 ending at 'x'. */
    if ( (base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
         digit_value(p[2]) < 16 )
    {
        p += 2;
        base = 16;
    }
    else if ( base == 0 )
        base = p[0] == '0' ? 8 : 10;

    if ( base < 2 || base > 36 )
    {
        if ( end )
            *end = s;
        return 0;
    }

    for ( ; ; p++ )
    {
        unsigned int d = digit_value(*p);

        if ( d >= base )
            break;
        any = true;
        if ( v > (ULL_MAX - d) / base )
            v = ULL_MAX;            /* saturate, but keep consuming digits */
        else
            v = v * base + d;
    }

    if ( !any )
        p = s;
    if ( end )
        *end = p;
    return v;
}

unsigned long long parse_size(const char *s, const char **end)
{
    const char *p;
    unsigned long long v = parse_ull(s, &p, 0);
    unsigned int shift;

    if ( p == s )
    {
        if ( end )
            *end = s;
        return 0;
    }

    switch ( *p )
    {
    case 'T': case 't': shift = 40; p++; break;
    case 'G': case 'g': shift = 30; p++; break;
    case 'M': case 'm': shift = 20; p++; break;
    case 'K': case 'k': shift = 10; p++; break;
    case 'B': case 'b': shift = 0; p++; break;
    default:            shift = 10; break;      /* no suffix: KiB, as Xen */
    }

    if ( end )
        *end = p;
    if ( v > (ULL_MAX >> shift) )
        return ULL_MAX;
    return v << shift;
}
