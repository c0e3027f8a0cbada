/*
 * acpi_aml_s5.c - finding the \_S5_ sleep type values in AML without an interpreter.
 *
 * Design: the AML is scanned byte by byte for NameOp (0x08) followed by the
 * name "_S5_", optionally with the root prefix '\'.  What follows must be a
 * PackageOp (0x12), a PkgLength (a lead byte whose top two bits count the
 * 0-3 bytes that follow), NumElements, and integer elements: ZeroOp, OneOp,
 * OnesOp, or a Byte/Word/DWord/QWord prefix with its data.  Every read is
 * checked against the end of the AML and of the package; a candidate that
 * does not decode (a false match, a truncated or non-constant package) is
 * skipped and the scan goes on.  _S5 defined as a method is not supported.
 *
 * Locking: none; pure function of its arguments.
 */
#include <parva/acpi.h>
#include <parva/lib.h>

#define AML_ZERO_OP         0x00
#define AML_ONE_OP          0x01
#define AML_NAME_OP         0x08
#define AML_BYTE_PREFIX     0x0a
#define AML_WORD_PREFIX     0x0b
#define AML_DWORD_PREFIX    0x0c
#define AML_QWORD_PREFIX    0x0e
#define AML_PACKAGE_OP      0x12
#define AML_ONES_OP         0xff
#define AML_ROOT_CHAR       '\\'

#define PKG_FOLLOW_SHIFT    6       /* lead byte: count of bytes that follow */
#define PKG_SHORT_MASK      0x3f    /* one-byte form: the length */
#define PKG_RESERVED_MASK   0x30    /* multi-byte form: must be zero */
#define PKG_LOW_MASK        0x0f    /* multi-byte form: the low nibble */

/* Decode the PkgLength at *pos (< end); on success *pos is past it. */
static bool pkg_length(const uint8_t *p, size_t end, size_t *pos, size_t *value)
{
    size_t at = *pos, n, i, v;

    if ( at >= end )
        return false;
    n = p[at] >> PKG_FOLLOW_SHIFT;
    if ( n == 0 )
        v = p[at] & PKG_SHORT_MASK;
    else
    {
        if ( (p[at] & PKG_RESERVED_MASK) || end - at - 1 < n )
            return false;
        v = p[at] & PKG_LOW_MASK;
        for ( i = 0; i < n; i++ )
            v |= (size_t)p[at + 1 + i] << (4 + 8 * i);
    }
    *pos = at + 1 + n;
    *value = v;
    return true;
}

/* Decode a constant integer at *pos (< end); on success *pos is past it. */
static bool integer(const uint8_t *p, size_t end, size_t *pos, uint64_t *value)
{
    size_t at = *pos, n, i;
    uint64_t v = 0;

    if ( at >= end )
        return false;
    switch ( p[at] )
    {
    case AML_ZERO_OP:       n = 0; break;
    case AML_ONE_OP:        n = 0; v = 1; break;
    case AML_ONES_OP:       n = 0; v = ~0ULL; break;
    case AML_BYTE_PREFIX:   n = 1; break;
    case AML_WORD_PREFIX:   n = 2; break;
    case AML_DWORD_PREFIX:  n = 4; break;
    case AML_QWORD_PREFIX:  n = 8; break;
    default:                return false;
    }
    if ( end - at - 1 < n )
        return false;
    for ( i = 0; i < n; i++ )
        v |= (uint64_t)p[at + 1 + i] << (8 * i);
    *pos = at + 1 + n;
    *value = v;
    return true;
}

/* Decode the package that should start at pos (just after the name). */
static bool s5_package(const uint8_t *p, size_t len, size_t pos, uint8_t *slp_typa, uint8_t *slp_typb)
{
    size_t start, pkg_len, end;
    uint64_t a, b;
    uint8_t count;

    if ( pos >= len || p[pos] != AML_PACKAGE_OP )
        return false;
    start = ++pos;                      /* PkgLength counts from its own first byte */
    if ( !pkg_length(p, len, &pos, &pkg_len) || pkg_len > len - start )
        return false;
    end = start + pkg_len;
    if ( pos >= end )
        return false;                   /* no room for NumElements */
    count = p[pos++];
    if ( count == 0 || !integer(p, end, &pos, &a) )
        return false;
    if ( count == 1 )
        b = a >> 8;                     /* both values packed in one integer */
    else if ( !integer(p, end, &pos, &b) )
        return false;

    *slp_typa = (uint8_t)a;
    *slp_typb = (uint8_t)b;
    return true;
}

int acpi_aml_find_s5(const void *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
    const uint8_t *p = aml;
    size_t i, pos;

    for ( i = 0; i < len; i++ )
    {
        if ( p[i] != AML_NAME_OP )
            continue;
        pos = i + 1;
        if ( pos < len && p[pos] == AML_ROOT_CHAR )
            pos++;
        if ( len - pos < 4 || memcmp(p + pos, "_S5_", 4) )
            continue;
        if ( s5_package(p, len, pos + 4, slp_typa, slp_typb) )
            return 0;
    }
    return -ENOENT;
}
