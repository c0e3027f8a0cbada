/* test_vsprintf.c - unit tests for the hypervisor formatter (common/vsprintf.c), against literal strings. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <parva/lib.h>

#define GUARD 0x5a

/*
 * Format with vsnprintf into a large buffer and compare with expect; then
 * again for every buffer size from 0 to strlen(expect) + 1, checking the
 * C99 return value, the stored prefix, the terminating NUL, and that no byte
 * past the given size is touched.
 */
static void vcheck(const char *file, int line, const char *expect, const char *fmt, va_list ap)
{
    size_t elen = strlen(expect), size;
    char big[512];
    va_list aq;
    int n;

    va_copy(aq, ap);
    n = vsnprintf(big, sizeof(big), fmt, aq);
    va_end(aq);
    _assert_string_equal(big, expect, file, line);
    _assert_int_equal(n, elen, file, line);

    for ( size = 0; size <= elen + 1; size++ )
    {
        char *buf = malloc(size + 8);
        size_t i, stored = size ? (size - 1 < elen ? size - 1 : elen) : 0;

        _assert_true(buf != NULL, "malloc", file, line);
        memset(buf, GUARD, size + 8);
        va_copy(aq, ap);
        n = vsnprintf(buf, size, fmt, aq);
        va_end(aq);
        _assert_int_equal(n, elen, file, line);
        if ( size )
        {
            _assert_true(memcmp(buf, expect, stored) == 0, "truncated prefix", file, line);
            _assert_int_equal(buf[stored], 0, file, line);
        }
        for ( i = size ? stored + 1 : 0; i < size + 8; i++ )
            _assert_int_equal((unsigned char)buf[i], GUARD, file, line);

        /* vscnprintf: the same bytes, returning what was stored. */
        memset(buf, GUARD, size + 8);
        va_copy(aq, ap);
        n = vscnprintf(buf, size, fmt, aq);
        va_end(aq);
        _assert_int_equal(n, stored, file, line);
        if ( size )
            _assert_true(memcmp(buf, expect, stored) == 0 && buf[stored] == 0, "vscnprintf", file, line);
        free(buf);
    }
}

/* Formats that GCC's format checker accepts: argument types are checked at compile time. */
static void __printf(4, 5) check(const char *file, int line, const char *expect, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vcheck(file, line, expect, fmt, ap);
    va_end(ap);
}

/* Formats that GCC would warn about (unknown conversions, '#' on %p, ...). */
static void check_raw(const char *file, int line, const char *expect, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vcheck(file, line, expect, fmt, ap);
    va_end(ap);
}

#define CHECK(expect, ...)      check(__FILE__, __LINE__, expect, __VA_ARGS__)
#define CHECK_RAW(expect, ...)  check_raw(__FILE__, __LINE__, expect, __VA_ARGS__)

static void test_plain_text_and_percent(void **state)
{
    (void)state;
    CHECK_RAW("", "");
    CHECK("hello", "hello");
    CHECK("%", "%%");
    CHECK("a%b", "a%%b");
    CHECK("50%", "%d%%", 50);
    CHECK("line\n", "line\n");
}

static void test_signed_decimal(void **state)
{
    (void)state;
    CHECK("0", "%d", 0);
    CHECK("42", "%d", 42);
    CHECK("-42", "%d", -42);
    CHECK("-7", "%i", -7);
    CHECK("2147483647", "%d", INT_MAX);
    CHECK("-2147483648", "%d", INT_MIN);
    CHECK("-2147483648", "%i", INT_MIN);
    CHECK("9223372036854775807", "%ld", LONG_MAX);
    CHECK("-9223372036854775808", "%ld", LONG_MIN);
    CHECK("9223372036854775807", "%lld", LLONG_MAX);
    CHECK("-9223372036854775808", "%lld", LLONG_MIN);
    CHECK("-9223372036854775808", "%lli", LLONG_MIN);
    CHECK("-9223372036854775808", "%jd", INTMAX_MIN);
    CHECK("-123", "%td", (ptrdiff_t)-123);
    CHECK("-5", "%zd", (ptrdiff_t)-5);
    CHECK("9223372036854775807", "%zd", (ptrdiff_t)PTRDIFF_MAX);
}

static void test_unsigned_conversions(void **state)
{
    (void)state;
    CHECK("0", "%u", 0U);
    CHECK("4294967295", "%u", UINT_MAX);
    CHECK("ffffffff", "%x", -1U);
    CHECK("deadbeef", "%x", 0xdeadbeefU);
    CHECK("DEADBEEF", "%X", 0xdeadbeefU);
    CHECK("AbCdEf", "%X%x%X%x%X%x", 0xaU, 0xbU, 0xcU, 0xdU, 0xeU, 0xfU);
    CHECK("0", "%x", 0U);
    CHECK("10", "%o", 8U);
    CHECK("0", "%o", 0U);
    CHECK("37777777777", "%o", UINT_MAX);
    CHECK("18446744073709551615", "%lu", ULONG_MAX);
    CHECK("18446744073709551615", "%llu", ULLONG_MAX);
    CHECK("ffffffffffffffff", "%llx", ULLONG_MAX);
    CHECK("FFFFFFFFFFFFFFFF", "%llX", ULLONG_MAX);
    CHECK("1777777777777777777777", "%llo", ULLONG_MAX);
    CHECK("8000000000000000", "%lx", 0x8000000000000000UL);
    CHECK("18446744073709551615", "%zu", SIZE_MAX);
    CHECK("1000", "%zx", (size_t)0x1000);
    CHECK("ffffffffffffffff", "%tx", (ptrdiff_t)-1);
    CHECK("18446744073709551615", "%ju", UINTMAX_MAX);
}

static void test_char_and_short_modifiers_truncate(void **state)
{
    (void)state;
    CHECK("-1", "%hhd", 255);
    CHECK("-128", "%hhd", -128);
    CHECK("127", "%hhd", 127);
    CHECK("5", "%hhu", 256 + 5);
    CHECK("ff", "%hhx", 0x1ff);
    CHECK("377", "%hho", 0x1ff);
    CHECK("-1", "%hd", 65535);
    CHECK("-32768", "%hd", -32768);
    CHECK("4464", "%hu", 70000);
    CHECK("2345", "%hx", 0x12345);
    CHECK("FFFF", "%hX", -1);
}

static void test_sign_flags(void **state)
{
    (void)state;
    CHECK("+5", "%+d", 5);
    CHECK("-5", "%+d", -5);
    CHECK("+0", "%+d", 0);
    CHECK(" 5", "% d", 5);
    CHECK("-5", "% d", -5);
    CHECK(" 0", "% d", 0);
    CHECK_RAW("+5", "%+ d", 5);
    CHECK("+9223372036854775807", "%+lld", LLONG_MAX);
    /* '+' and ' ' only apply to signed conversions. */
    CHECK_RAW("5", "%+u", 5U);
    CHECK_RAW("ff", "% x", 0xffU);
}

static void test_width_and_padding(void **state)
{
    (void)state;
    CHECK("   42", "%5d", 42);
    CHECK("  -42", "%5d", -42);
    CHECK("42   |", "%-5d|", 42);
    CHECK("00042", "%05d", 42);
    CHECK("-0042", "%05d", -42);
    CHECK("+0042", "%+05d", 42);
    CHECK(" 0042", "% 05d", 42);
    CHECK_RAW("42   |", "%-05d|", 42);      /* '-' overrides '0' */
    CHECK_RAW("42   |", "%0-5d|", 42);
    CHECK("12345", "%3d", 12345);           /* width is a minimum */
    CHECK("-2147483648", "%5d", INT_MIN);
    CHECK("       -2147483648", "%18d", INT_MIN);
    CHECK("-00000002147483648", "%018d", INT_MIN);
    CHECK("18446744073709551615    |", "%-24llu|", ULLONG_MAX);
    CHECK("0000ffff", "%08x", 0xffffU);
    CHECK("    ffff", "%8x", 0xffffU);
    CHECK("00000017", "%08o", 15U);
    CHECK("[  7][7  ][007]", "[%3u][%-3u][%03u]", 7U, 7U, 7U);
}

static void test_precision_on_integers(void **state)
{
    (void)state;
    CHECK("007", "%.3d", 7);
    CHECK("-007", "%.3d", -7);
    CHECK("+007", "%+.3d", 7);
    CHECK("     007", "%8.3d", 7);
    CHECK("007     |", "%-8.3d|", 7);
    CHECK_RAW("     007", "%08.3d", 7);     /* '0' ignored with a precision */
    CHECK("", "%.0d", 0);
    CHECK("     |", "%5.0d|", 0);
    CHECK("", "%.0x", 0U);
    CHECK("", "%.0u", 0U);
    CHECK("", "%.d", 0);                    /* "." alone is precision 0 */
    CHECK("1", "%.0d", 1);
    CHECK("+", "%+.0d", 0);
    CHECK("-2147483648", "%.10d", INT_MIN);
    CHECK("-002147483648", "%.12d", INT_MIN);
    CHECK("0000000000000000000000000000000001", "%.34d", 1);
    CHECK("000ff", "%.5x", 0xffU);
}

static void test_alternate_form(void **state)
{
    (void)state;
    CHECK("0xff", "%#x", 255U);
    CHECK("0XFF", "%#X", 255U);
    CHECK("0", "%#x", 0U);                  /* no prefix for zero */
    CHECK("010", "%#o", 8U);
    CHECK("0", "%#o", 0U);
    CHECK("0", "%#.0o", 0U);                /* '#' forces the zero digit */
    CHECK("010", "%#.3o", 8U);
    CHECK("00010", "%#.5o", 8U);
    CHECK("      0xff", "%#10x", 255U);
    CHECK("0x000000ff", "%#010x", 255U);
    CHECK("0xff      |", "%-#10x|", 255U);
    CHECK("0x00ff", "%#.4x", 255U);
    CHECK("    0x00ff", "%#10.4x", 255U);
    CHECK("0xffffffffffffffff", "%#llx", ULLONG_MAX);
    CHECK("0xffff82d040200000", "%#lx", 0xffff82d040200000UL);
}

static void test_star_width_and_precision(void **state)
{
    (void)state;
    CHECK("   42", "%*d", 5, 42);
    CHECK("42   |", "%*d|", -5, 42);        /* negative width: left-justify */
    CHECK("42   |", "%-*d|", -5, 42);
    CHECK("42   |", "%0*d|", -5, 42);       /* ... which overrides '0' */
    CHECK("-0003", "%0*d", 5, -3);
    CHECK("0042", "%.*d", 4, 42);
    CHECK("42", "%.*d", -1, 42);            /* negative precision: as if omitted */
    CHECK_RAW("00042", "%05.*d", -1, 42);      /* ... so '0' applies again */
    CHECK("   007", "%*.*d", 6, 3, 7);
    CHECK("007   |", "%*.*d|", -6, 3, 7);
    CHECK("ab  |", "%*s|", -4, "ab");
    CHECK("  ab", "%*s", 4, "ab");
    CHECK("ab", "%.*s", 2, "abcdef");
    CHECK("abc", "%.*s", -1, "abc");
    CHECK("   ab|", "%*.*s|", 5, 2, "abcdef");
    CHECK("x", "%*c", 0, 'x');
    CHECK("1 2 3", "%d%*d%*d", 1, 2, 2, 2, 3);
}

static void test_chars(void **state)
{
    char buf[8];
    int n;

    (void)state;
    CHECK("A", "%c", 'A');
    CHECK("  A", "%3c", 'A');
    CHECK("A  |", "%-3c|", 'A');
    CHECK("xyz", "%c%c%c", 'x', 'y', 'z');
    CHECK("\xff", "%c", 0xff);

    /* A NUL character is stored and counted. */
    memset(buf, GUARD, sizeof(buf));
    n = snprintf(buf, sizeof(buf), "a%cb", 0);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "a\0b\0", 4);
}

static void test_strings(void **state)
{
    const char *null_str = NULL;

    (void)state;
    CHECK("abc", "%s", "abc");
    CHECK("", "%s", "");
    CHECK("  abc", "%5s", "abc");
    CHECK("abc  |", "%-5s|", "abc");
    CHECK("abc", "%2s", "abc");
    CHECK("ab", "%.2s", "abc");
    CHECK("abc", "%.5s", "abc");
    CHECK("", "%.0s", "abc");
    CHECK("    a", "%5.1s", "abc");
    CHECK("a    |", "%-5.1s|", "abc");
    CHECK("  |", "%2s|", "");
    CHECK("a b", "%s %s", "a", "b");
    CHECK_RAW("(null)", "%s", null_str);
    CHECK_RAW("    (null)", "%10s", null_str);
    CHECK_RAW("(nu", "%.3s", null_str);
}

/* With a precision, %s may be handed an array without a NUL: nothing past the precision is read. */
static void test_string_precision_limits_reads(void **state)
{
    char *raw = malloc(3);    /* ASan catches any read of raw[3] */
    char out[16];

    (void)state;
    assert_non_null(raw);
    memcpy(raw, "xyz", 3);
    assert_int_equal(snprintf(out, sizeof(out), "%.3s", raw), 3);
    assert_string_equal(out, "xyz");
    assert_int_equal(snprintf(out, sizeof(out), "[%.*s]", 2, raw), 4);
    assert_string_equal(out, "[xy]");
    assert_int_equal(snprintf(out, sizeof(out), "%-5.3s|", raw), 6);
    assert_string_equal(out, "xyz  |");
    free(raw);
}

static void test_pointers(void **state)
{
    (void)state;
    CHECK("ffff82d040200000", "%p", (void *)0xffff82d040200000UL);
    CHECK("0000000000000000", "%p", (void *)NULL);
    CHECK("0000000000001234", "%p", (void *)0x1234);
    CHECK("ffffffffffffffff", "%p", (void *)~0UL);
    CHECK("<0000000000001234>", "<%p>", (void *)0x1234);
    CHECK("    0000000000001234", "%20p", (void *)0x1234);
    CHECK("0000000000001234    |", "%-20p|", (void *)0x1234);
    CHECK("0000000000001234", "%1p", (void *)0x1234);
    CHECK_RAW("0x0000000000001234", "%#p", (void *)0x1234);
    CHECK_RAW("1234", "%.4p", (void *)0x1234);     /* an explicit precision replaces the 16 */
    CHECK_RAW("0000000000001234", "%+p", (void *)0x1234);
}

static void test_unknown_conversions_are_literal(void **state)
{
    (void)state;
    CHECK_RAW("%y", "%y");
    CHECK_RAW("a%yb", "a%yb");
    CHECK_RAW("%-5y", "%-5y");
    CHECK_RAW("%ly", "%ly");
    CHECK_RAW("%lly", "%lly");
    CHECK_RAW("%.3y", "%.3y");
    CHECK_RAW("%q3", "%q%d", 3);        /* an unknown conversion takes no argument */
    CHECK_RAW("%n", "%n");              /* never a write through an argument */
    CHECK_RAW("%f", "%f");              /* no floating point */
    CHECK_RAW("100%", "100%");          /* a format ending inside a conversion */
    CHECK_RAW("%", "%");
    CHECK_RAW("%5", "%5");
    CHECK_RAW("x%-", "x%-");
    CHECK_RAW("%l", "%l");
    CHECK_RAW("%.", "%.");
}

static void test_mixed_formats(void **state)
{
    (void)state;
    CHECK("(XEN) [   12.345] d0v1 mfn 0x1a2b3 order 9\n",
          "(XEN) [%5u.%03u] d%dv%u mfn %#lx order %u\n", 12U, 345U, 0, 1U, 0x1a2b3UL, 9U);
    CHECK("RAM 0000000000100000-000000007fffffff (usable)",
          "RAM %016llx-%016llx (%s)", 0x100000ULL, 0x7fffffffULL, "usable");
    CHECK("dom0_mem=524288K name=    dom0|x", "dom0_mem=%lluK name=%8s|%c", 524288ULL, "dom0", 'x');
    CHECK("-1 255 ff 377 FF", "%hhd %hhu %hhx %hho %hhX", -1, 255, 255, 255, 255);
}

static void test_truncation_and_return_value(void **state)
{
    char buf[16];

    (void)state;
    memset(buf, GUARD, sizeof(buf));
    assert_int_equal(snprintf(buf, 5, "hello world"), 11);
    assert_string_equal(buf, "hell");
    assert_int_equal((unsigned char)buf[5], GUARD);

    memset(buf, GUARD, sizeof(buf));
    assert_int_equal(snprintf(buf, 1, "hello"), 5);
    assert_int_equal(buf[0], 0);
    assert_int_equal((unsigned char)buf[1], GUARD);

    /* size 0: nothing written; buf may be NULL. */
    memset(buf, GUARD, sizeof(buf));
    assert_int_equal(snprintf(buf, 0, "hello"), 5);
    assert_int_equal((unsigned char)buf[0], GUARD);
    assert_int_equal(snprintf(NULL, 0, "%d-%s", -12345, "abc"), 10);

    /* Exact fit, and one short. */
    assert_int_equal(snprintf(buf, 6, "hello"), 5);
    assert_string_equal(buf, "hello");
    assert_int_equal(snprintf(buf, 5, "hello"), 5);
    assert_string_equal(buf, "hell");

    /* Truncation inside padding and numbers. */
    assert_int_equal(snprintf(buf, 4, "%05d", 42), 5);
    assert_string_equal(buf, "000");
    assert_int_equal(snprintf(buf, 3, "%-6s|", "ab"), 7);
    assert_string_equal(buf, "ab");
    assert_int_equal(snprintf(buf, 8, "%llu", ULLONG_MAX), 20);
    assert_string_equal(buf, "1844674");
    assert_int_equal(snprintf(buf, sizeof(buf), "%100d", 1), 100);
    assert_string_equal(buf, "               ");
}

static void test_scnprintf_returns_stored_length(void **state)
{
    char buf[16];

    (void)state;
    assert_int_equal(scnprintf(buf, sizeof(buf), "abc"), 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(scnprintf(buf, 5, "hello world"), 4);
    assert_string_equal(buf, "hell");
    assert_int_equal(scnprintf(buf, 1, "hello"), 0);
    assert_string_equal(buf, "");
    assert_int_equal(scnprintf(NULL, 0, "hello"), 0);
    assert_int_equal(scnprintf(buf, 6, "hello"), 5);

    /* Appending in a loop never runs past the buffer. */
    {
        int len = 0, i;

        for ( i = 0; i < 10; i++ )
            len += scnprintf(buf + len, sizeof(buf) - len, "%d,", i);
        assert_int_equal(len, 15);
        assert_string_equal(buf, "0,1,2,3,4,5,6,7");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_and_percent),
        cmocka_unit_test(test_signed_decimal),
        cmocka_unit_test(test_unsigned_conversions),
        cmocka_unit_test(test_char_and_short_modifiers_truncate),
        cmocka_unit_test(test_sign_flags),
        cmocka_unit_test(test_width_and_padding),
        cmocka_unit_test(test_precision_on_integers),
        cmocka_unit_test(test_alternate_form),
        cmocka_unit_test(test_star_width_and_precision),
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_string_precision_limits_reads),
        cmocka_unit_test(test_pointers),
        cmocka_unit_test(test_unknown_conversions_are_literal),
        cmocka_unit_test(test_mixed_formats),
        cmocka_unit_test(test_truncation_and_return_value),
        cmocka_unit_test(test_scnprintf_returns_stored_length),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
