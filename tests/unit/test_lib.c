/* test_lib.c - unit tests for the number parsers (common/lib.c) and string functions (common/string.c). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <parva/lib.h>

/*
 * common/string.c defines memcpy, strlen, ...; linked as is they would
 * replace the C library's (and its sanitizer interceptors).  Compile it here
 * under other names instead, so the hypervisor's versions are tested too.
 */
#define memcpy  hv_memcpy
#define memmove hv_memmove
#define memset  hv_memset
#define memcmp  hv_memcmp
#define strlen  hv_strlen
#define strnlen hv_strnlen
#define strcmp  hv_strcmp
#define strncmp hv_strncmp
#define strchr  hv_strchr
#define strlcpy hv_strlcpy
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
#include "../../hypervisor/common/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strlcpy

/* ---- parse_ull ---- */

/* Parse s and check the value and how many characters were consumed. */
static void check_ull(const char *file, int line, const char *s, unsigned int base,
                      unsigned long long expect, size_t consumed)
{
    const char *end = (const char *)1;
    unsigned long long v = parse_ull(s, &end, base);

    _assert_int_equal(v, expect, file, line);
    _assert_int_equal(end - s, consumed, file, line);
    /* end may be NULL. */
    _assert_int_equal(parse_ull(s, NULL, base), expect, file, line);
}
#define CHECK_ULL(s, base, expect, consumed) check_ull(__FILE__, __LINE__, s, base, expect, consumed)

static void test_parse_ull_decimal(void **state)
{
    (void)state;
    CHECK_ULL("0", 0, 0, 1);
    CHECK_ULL("7", 0, 7, 1);
    CHECK_ULL("123", 0, 123, 3);
    CHECK_ULL("123abc", 0, 123, 3);
    CHECK_ULL("123abc", 10, 123, 3);
    CHECK_ULL("4096,rest", 10, 4096, 4);
    CHECK_ULL("18446744073709551615", 0, ULLONG_MAX, 20);
    CHECK_ULL("18446744073709551614", 10, ULLONG_MAX - 1, 20);
    CHECK_ULL("00000000000000000000000000000042", 10, 42, 32);
}

static void test_parse_ull_hex(void **state)
{
    (void)state;
    CHECK_ULL("0x10", 0, 16, 4);
    CHECK_ULL("0X1f", 0, 31, 4);
    CHECK_ULL("0xDeadBeef", 0, 0xdeadbeefULL, 10);
    CHECK_ULL("0xffffffffffffffff", 0, ULLONG_MAX, 18);
    CHECK_ULL("0x10g", 0, 16, 4);
    CHECK_ULL("ff", 16, 255, 2);
    CHECK_ULL("0xff", 16, 255, 4);          /* prefix allowed with an explicit base 16 */
    CHECK_ULL("FFz", 16, 255, 2);
    /* "0x" with no hex digit after it is the number 0 followed by 'x'. */
    CHECK_ULL("0x", 0, 0, 1);
    CHECK_ULL("0xg", 0, 0, 1);
    CHECK_ULL("0x", 16, 0, 1);
    /* No prefix in base 10: "0x10" is 0 then 'x'. */
    CHECK_ULL("0x10", 10, 0, 1);
}

static void test_parse_ull_octal(void **state)
{
    (void)state;
    CHECK_ULL("010", 0, 8, 3);
    CHECK_ULL("0777", 0, 511, 4);
    CHECK_ULL("08", 0, 0, 1);               /* '8' is not an octal digit */
    CHECK_ULL("777", 8, 511, 3);
    CHECK_ULL("1777777777777777777777", 8, ULLONG_MAX, 22);
    CHECK_ULL("01777777777777777777777", 0, ULLONG_MAX, 23);
    CHECK_ULL("2000000000000000000000", 8, ULLONG_MAX, 22);   /* 2^64: overflow */
    CHECK_ULL("0x10", 8, 0, 1);
}

static void test_parse_ull_other_bases(void **state)
{
    (void)state;
    CHECK_ULL("1011", 2, 11, 4);
    CHECK_ULL("10112", 2, 11, 4);
    CHECK_ULL("zz", 36, 35 * 36 + 35, 2);
    /* Invalid bases parse nothing. */
    CHECK_ULL("1", 1, 0, 0);
    CHECK_ULL("1", 37, 0, 0);
}

static void test_parse_ull_no_digits(void **state)
{
    (void)state;
    CHECK_ULL("", 0, 0, 0);
    CHECK_ULL("x", 0, 0, 0);
    CHECK_ULL("abc", 10, 0, 0);
    CHECK_ULL("g", 16, 0, 0);
    /* No whitespace or sign accepted. */
    CHECK_ULL(" 1", 0, 0, 0);
    CHECK_ULL("\t1", 0, 0, 0);
    CHECK_ULL("-1", 0, 0, 0);
    CHECK_ULL("+1", 0, 0, 0);
    CHECK_ULL("-0x1", 16, 0, 0);
}

static void test_parse_ull_saturates_on_overflow(void **state)
{
    (void)state;
    CHECK_ULL("18446744073709551616", 0, ULLONG_MAX, 20);           /* 2^64 */
    CHECK_ULL("18446744073709551620", 10, ULLONG_MAX, 20);
    CHECK_ULL("99999999999999999999999999999", 0, ULLONG_MAX, 29);
    CHECK_ULL("99999999999999999999999999999 next", 0, ULLONG_MAX, 29);
    CHECK_ULL("0x10000000000000000", 0, ULLONG_MAX, 19);
    CHECK_ULL("0x1ffffffffffffffffffff;", 16, ULLONG_MAX, 23);
}

/* ---- parse_size ---- */

static void check_size(const char *file, int line, const char *s, unsigned long long expect, size_t consumed)
{
    const char *end = (const char *)1;
    unsigned long long v = parse_size(s, &end);

    _assert_int_equal(v, expect, file, line);
    _assert_int_equal(end - s, consumed, file, line);
    _assert_int_equal(parse_size(s, NULL), expect, file, line);
}
#define CHECK_SIZE(s, expect, consumed) check_size(__FILE__, __LINE__, s, expect, consumed)

static void test_parse_size_suffixes(void **state)
{
    (void)state;
    CHECK_SIZE("1T", 1ULL << 40, 2);
    CHECK_SIZE("2t", 2ULL << 40, 2);
    CHECK_SIZE("3G", 3ULL << 30, 2);
    CHECK_SIZE("4g", 4ULL << 30, 2);
    CHECK_SIZE("512M", 512ULL << 20, 4);
    CHECK_SIZE("5m", 5ULL << 20, 2);
    CHECK_SIZE("64K", 64ULL << 10, 3);
    CHECK_SIZE("7k", 7ULL << 10, 2);
    CHECK_SIZE("4096B", 4096, 5);
    CHECK_SIZE("9b", 9, 2);
    CHECK_SIZE("0M", 0, 2);
    CHECK_SIZE("0", 0, 1);
}

static void test_parse_size_without_suffix_is_kib(void **state)
{
    (void)state;
    CHECK_SIZE("524288", 512ULL << 20, 6);      /* dom0_mem=524288 is 512 MiB */
    CHECK_SIZE("1", 1024, 1);
    CHECK_SIZE("1,max:2G", 1024, 1);            /* what follows is left to the caller */
    CHECK_SIZE("16x", 16 << 10, 2);             /* an unknown letter is not consumed */
    CHECK_SIZE("1 M", 1024, 1);
}

static void test_parse_size_hex_and_octal(void **state)
{
    (void)state;
    CHECK_SIZE("0x10M", 16ULL << 20, 5);
    CHECK_SIZE("0x100000b", 0x100000bULL << 10, 9);  /* 'b' is a hex digit here: no suffix, KiB */
    CHECK_SIZE("0x100000", 0x100000ULL << 10, 8);
    CHECK_SIZE("0X1G", 1ULL << 30, 4);
    CHECK_SIZE("010K", 8 << 10, 4);
    CHECK_SIZE("0xM", 0, 1);                        /* "0" then 'x': KiB of zero */
}

static void test_parse_size_saturates(void **state)
{
    (void)state;
    CHECK_SIZE("16777215T", 16777215ULL << 40, 9);    /* largest that fits */
    CHECK_SIZE("16777216T", ULLONG_MAX, 9);           /* 2^24 TiB = 2^64 */
    CHECK_SIZE("17179869184G", ULLONG_MAX, 12);
    CHECK_SIZE("18014398509481984K", ULLONG_MAX, 18);
    CHECK_SIZE("18014398509481983", 18014398509481983ULL << 10, 17);
    CHECK_SIZE("18014398509481984", ULLONG_MAX, 17);  /* no suffix: KiB, so 2^64 */
    CHECK_SIZE("18446744073709551615B", ULLONG_MAX, 21);
    CHECK_SIZE("99999999999999999999999M", ULLONG_MAX, 24);
    CHECK_SIZE("0xffffffffffffffffK", ULLONG_MAX, 19);
}

static void test_parse_size_no_digits(void **state)
{
    (void)state;
    CHECK_SIZE("", 0, 0);
    CHECK_SIZE("M", 0, 0);                      /* a suffix alone is not a size */
    CHECK_SIZE("K1", 0, 0);
    CHECK_SIZE("-1M", 0, 0);
    CHECK_SIZE(" 1M", 0, 0);
}

/* ---- string.c ---- */

static void fill_pattern(unsigned char *p, size_t n, unsigned int seed)
{
    size_t i;

    for ( i = 0; i < n; i++ )
        p[i] = (unsigned char)(seed + i * 7 + (i >> 3));
}

static void test_memcpy_all_lengths_and_alignments(void **state)
{
    unsigned char src[96], dst[112], ref[112];
    size_t so, doff, n;

    (void)state;
    fill_pattern(src, sizeof(src), 1);
    for ( so = 0; so < 9; so++ )
        for ( doff = 0; doff < 9; doff++ )
            for ( n = 0; n <= 80; n++ )
            {
                memset(dst, 0xee, sizeof(dst));
                memset(ref, 0xee, sizeof(ref));
                memcpy(ref + doff, src + so, n);    /* the C library's, as reference */
                assert_ptr_equal(hv_memcpy(dst + doff, src + so, n), dst + doff);
                assert_memory_equal(dst, ref, sizeof(dst));
            }
}

static void test_memset_all_lengths_and_alignments(void **state)
{
    unsigned char dst[112], ref[112];
    size_t off, n;

    (void)state;
    for ( off = 0; off < 9; off++ )
        for ( n = 0; n <= 80; n++ )
        {
            memset(dst, 0x11, sizeof(dst));
            memset(ref, 0x11, sizeof(ref));
            memset(ref + off, 0xab, n);
            assert_ptr_equal(hv_memset(dst + off, 0xab, n), dst + off);
            assert_memory_equal(dst, ref, sizeof(dst));
        }
    /* Only the low byte of c is used. */
    hv_memset(dst, 0x1234, 16);
    memset(ref, 0x34, 16);
    assert_memory_equal(dst, ref, 16);
    hv_memset(dst, -1, 16);
    memset(ref, 0xff, 16);
    assert_memory_equal(dst, ref, 16);
}

static void test_memmove_overlapping_both_directions(void **state)
{
    unsigned char buf[128], ref[128];
    size_t from, to, n;

    (void)state;
    for ( from = 0; from < 20; from++ )
        for ( to = 0; to < 20; to++ )
            for ( n = 0; n <= 90; n += (n < 20 ? 1 : 7) )
            {
                fill_pattern(buf, sizeof(buf), 3);
                fill_pattern(ref, sizeof(ref), 3);
                memmove(ref + to, ref + from, n);
                assert_ptr_equal(hv_memmove(buf + to, buf + from, n), buf + to);
                assert_memory_equal(buf, ref, sizeof(buf));
            }
}

static void test_memcmp_orders_as_unsigned_bytes(void **state)
{
    unsigned char a[40], b[40];
    size_t i;

    (void)state;
    assert_int_equal(hv_memcmp("abc", "abd", 0), 0);
    assert_int_equal(hv_memcmp("abc", "abc", 3), 0);
    assert_true(hv_memcmp("abc", "abd", 3) < 0);
    assert_true(hv_memcmp("abd", "abc", 3) > 0);
    assert_int_equal(hv_memcmp("abc", "abd", 2), 0);
    assert_true(hv_memcmp("\x80", "\x7f", 1) > 0);      /* bytes compare unsigned */
    assert_true(hv_memcmp("\x01", "\xff", 1) < 0);
    /* A difference at every position of a longer buffer. */
    fill_pattern(a, sizeof(a), 5);
    for ( i = 0; i < sizeof(a); i++ )
    {
        memcpy(b, a, sizeof(a));
        b[i] = (unsigned char)(a[i] + 1);
        assert_true(hv_memcmp(a, b, sizeof(a)) != 0);
        assert_true((hv_memcmp(a, b, sizeof(a)) < 0) == (a[i] < b[i]));
        assert_int_equal(hv_memcmp(a, b, i), 0);
    }
}

static void test_string_lengths(void **state)
{
    char *raw = malloc(4);

    (void)state;
    assert_non_null(raw);
    assert_int_equal(hv_strlen(""), 0);
    assert_int_equal(hv_strlen("a"), 1);
    assert_int_equal(hv_strlen("hello world"), 11);
    assert_int_equal(hv_strnlen("hello", 0), 0);
    assert_int_equal(hv_strnlen("hello", 3), 3);
    assert_int_equal(hv_strnlen("hello", 5), 5);
    assert_int_equal(hv_strnlen("hello", 100), 5);
    assert_int_equal(hv_strnlen("", 10), 0);
    /* strnlen reads no further than max (ASan checks raw[4] is never read). */
    memcpy(raw, "abcd", 4);
    assert_int_equal(hv_strnlen(raw, 4), 4);
    free(raw);
}

static void test_string_compare(void **state)
{
    (void)state;
    assert_int_equal(hv_strcmp("", ""), 0);
    assert_int_equal(hv_strcmp("abc", "abc"), 0);
    assert_true(hv_strcmp("abc", "abd") < 0);
    assert_true(hv_strcmp("abd", "abc") > 0);
    assert_true(hv_strcmp("ab", "abc") < 0);
    assert_true(hv_strcmp("abc", "ab") > 0);
    assert_true(hv_strcmp("\xff", "a") > 0);          /* unsigned char ordering */
    assert_int_equal(hv_strncmp("abc", "abd", 2), 0);
    assert_true(hv_strncmp("abc", "abd", 3) < 0);
    assert_int_equal(hv_strncmp("abc", "xyz", 0), 0);
    assert_int_equal(hv_strncmp("abc", "abc", 10), 0);
    assert_true(hv_strncmp("ab", "abc", 10) < 0);
    assert_true(hv_strncmp("console=com1", "console", 8) > 0);
    assert_int_equal(hv_strncmp("console=com1", "console", 7), 0);
    assert_true(hv_strncmp("\x80", "\x01", 1) > 0);
}

static void test_strchr_finds_first_or_terminator(void **state)
{
    const char *s = "key=value=x";

    (void)state;
    assert_ptr_equal(hv_strchr(s, '='), s + 3);
    assert_ptr_equal(hv_strchr(s, 'k'), s);
    assert_ptr_equal(hv_strchr(s, 'x'), s + 10);
    assert_null(hv_strchr(s, 'z'));
    assert_ptr_equal(hv_strchr(s, '\0'), s + 11);   /* the terminator is part of the string */
    assert_null(hv_strchr("", 'a'));
    assert_ptr_equal(hv_strchr("a\xe9", 0xe9), hv_strchr("a\xe9", (char)0xe9));
    assert_non_null(hv_strchr("a\xe9", 0xe9));
    assert_ptr_equal(hv_strchr(s, '=' + 256), s + 3); /* c is converted to char */
}

static void test_strlcpy_truncates_and_returns_source_length(void **state)
{
    char buf[8];

    (void)state;
    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(hv_strlcpy(buf, "abc", sizeof(buf)), 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(buf[4], 'Z');                  /* no padding past the NUL */

    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(hv_strlcpy(buf, "hello world", sizeof(buf)), 11);
    assert_string_equal(buf, "hello w");

    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(hv_strlcpy(buf, "1234567", sizeof(buf)), 7);   /* exact fit */
    assert_string_equal(buf, "1234567");
    assert_int_equal(hv_strlcpy(buf, "12345678", sizeof(buf)), 8);
    assert_string_equal(buf, "1234567");

    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(hv_strlcpy(buf, "abc", 1), 3);
    assert_int_equal(buf[0], 0);
    assert_int_equal(buf[1], 'Z');

    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(hv_strlcpy(buf, "abc", 0), 3);  /* size 0: nothing written */
    assert_int_equal(buf[0], 'Z');
    assert_int_equal(hv_strlcpy(NULL, "abcd", 0), 4);
    assert_int_equal(hv_strlcpy(buf, "", sizeof(buf)), 0);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ull_decimal),
        cmocka_unit_test(test_parse_ull_hex),
        cmocka_unit_test(test_parse_ull_octal),
        cmocka_unit_test(test_parse_ull_other_bases),
        cmocka_unit_test(test_parse_ull_no_digits),
        cmocka_unit_test(test_parse_ull_saturates_on_overflow),
        cmocka_unit_test(test_parse_size_suffixes),
        cmocka_unit_test(test_parse_size_without_suffix_is_kib),
        cmocka_unit_test(test_parse_size_hex_and_octal),
        cmocka_unit_test(test_parse_size_saturates),
        cmocka_unit_test(test_parse_size_no_digits),
        cmocka_unit_test(test_memcpy_all_lengths_and_alignments),
        cmocka_unit_test(test_memset_all_lengths_and_alignments),
        cmocka_unit_test(test_memmove_overlapping_both_directions),
        cmocka_unit_test(test_memcmp_orders_as_unsigned_bytes),
        cmocka_unit_test(test_string_lengths),
        cmocka_unit_test(test_string_compare),
        cmocka_unit_test(test_strchr_finds_first_or_terminator),
        cmocka_unit_test(test_strlcpy_truncates_and_returns_source_length),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
