/*
 * string.c - the hypervisor's memory and string functions (memcpy, memset, strlen, ...).
 *
 * Design: plain byte loops, except that memcpy, memmove (forwards) and memset
 * move 8-byte words once source and destination are (or can be brought to)
 * the same alignment, as they sit on hot paths (page clearing, copying); the
 * words go through the arch's string instructions (asm/string.h).  The
 * compiler must not turn these loops back into calls to memcpy/memset (which
 * would recurse forever), hence NO_LIBCALL on each of them.  Host unit tests
 * use the C library's versions; tests/unit/test_lib.c compiles this file
 * under other names to test it.
 *
 * Locking: none.
 */
#include <parva/lib.h>
#include <asm/string.h>

#define NO_LIBCALL  __attribute__((__optimize__("no-tree-loop-distribute-patterns")))

#define WORD_SIZE   sizeof(uint64_t)
#define WORD_MASK   (WORD_SIZE - 1)

/* A word that may alias any other type. */
typedef uint64_t __attribute__((__may_alias__)) word_t;

/* Copy from low to high addresses: also right for overlaps with dst below src. */
static __always_inline NO_LIBCALL void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
    if ( (((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0 )
    {
        while ( n && ((uintptr_t)d & WORD_MASK) )
        {
            *d++ = *s++;
            n--;
        }
        if ( n >= WORD_SIZE )
        {
            size_t words = n / WORD_SIZE;

            arch_copy_words(d, s, words);
            d += words * WORD_SIZE;
            s += words * WORD_SIZE;
            n -= words * WORD_SIZE;
        }
    }
    while ( n-- )
        *d++ = *s++;
}

/* Copy from high to low addresses: right for overlaps with dst above src. */
static __always_inline NO_LIBCALL void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
    d += n;
    s += n;
    if ( (((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0 )
    {
        while ( n && ((uintptr_t)d & WORD_MASK) )
        {
            *--d = *--s;
            n--;
        }
        for ( ; n >= WORD_SIZE; n -= WORD_SIZE )
        {
            d -= WORD_SIZE;
            s -= WORD_SIZE;
            *(word_t *)d = *(const word_t *)s;
        }
    }
    while ( n-- )
        *--d = *--s;
}

NO_LIBCALL void *memcpy(void *dst, const void *src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
    uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

    if ( d == s || n == 0 )
        return dst;
    if ( d < s || d - s >= n )
        copy_forward(dst, src, n);
    else
        copy_backward(dst, src, n);
    return dst;
}

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;
    uint64_t w = b * 0x0101010101010101ULL;

    while ( n && ((uintptr_t)d & WORD_MASK) )
    {
        *d++ = b;
        n--;
    }
    if ( n >= WORD_SIZE )
    {
        size_t words = n / WORD_SIZE;

        arch_fill_words(d, w, words);
        d += words * WORD_SIZE;
        n -= words * WORD_SIZE;
    }
    while ( n-- )
        *d++ = b;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for ( ; n; n--, x++, y++ )
        if ( *x != *y )
            return *x < *y ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while ( *p )
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while ( n < max && s[n] )
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    while ( *x && *x == *y )
    {
        x++;
        y++;
    }
    return (int)*x - (int)*y;
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    for ( ; n; n--, x++, y++ )
    {
        if ( *x != *y )
            return (int)*x - (int)*y;
        if ( !*x )
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    char ch = (char)c;

    for ( ; ; s++ )
    {
        if ( *s == ch )
            return (char *)s;
        if ( !*s )
            return NULL;
    }
}

NO_LIBCALL size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if ( size )
    {
        size_t n = len < size - 1 ? len : size - 1;
        size_t i;

        for ( i = 0; i < n; i++ )
            dst[i] = src[i];
        dst[n] = '\0';
    }
    return len;
}
