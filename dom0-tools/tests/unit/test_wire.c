/* test_wire.c - the message parser: framing across reads, payload rules (terminators,
 * counts), unknown and reply-only types, oversized payloads, unknown transactions,
 * error names, and several requests in one read. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static void onearg_and_strings(void **state)
{
    const char *v[4];

    (void)state;
    log_open(NULL, false, false);
    assert_non_null(wire_onearg("abc", 4));
    assert_null(wire_onearg("abc", 3));          /* no terminator */
    assert_null(wire_onearg("a\0b", 4));         /* two strings */
    assert_null(wire_onearg("", 0));
    assert_int_equal(wire_strings("a\0bc\0", 5, v, 4), 2);
    assert_string_equal(v[1], "bc");
    assert_int_equal(wire_strings("a\0bc", 4, v, 4), 1);     /* unterminated tail */
    assert_int_equal(wire_strings("a\0b\0c\0d\0e\0", 10, v, 2), 5);
    assert_int_equal(xsu_count_strings("a\0\0", 3), 2);
    assert_string_equal(wire_errno_name(ENOENT), "ENOENT");
    assert_string_equal(wire_errno_name(EPERM), "EPERM");
    assert_string_equal(wire_errno_name(12345), "EINVAL");
    assert_string_equal(wire_type_name(XS_DIRECTORY_PART), "DIRECTORY_PART");
    assert_string_equal(wire_type_name(999), "**UNKNOWN**");
}

static void byte_by_byte(void **state)
{
    struct conn *c = h_priv();
    struct xsd_sockmsg h = { XS_WRITE, 77, 0, 8 };
    char buf[sizeof(h) + 8];
    unsigned int i;
    struct msg *m;

    (void)state;
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), "/bb\0abcd", 8);
    for (i = 0; i < sizeof(buf); i++) {
        assert_null(c->out_head);
        conn_feed(c, buf + i, 1);
    }
    m = h_next(c);
    assert_non_null(m);
    assert_int_equal(m->hdr.type, XS_WRITE);
    assert_int_equal(m->hdr.req_id, 77);
    free(m);
    h_expect(c, XS_READ, 0, S("/bb"), "abcd", 4);
}

static void many_in_one_read(void **state)
{
    struct conn *c = h_priv();
    char buf[1024];
    unsigned int off = 0, i;

    (void)state;
    for (i = 0; i < 10; i++) {
        struct xsd_sockmsg h = { XS_READ, i, 0, 2 };

        memcpy(buf + off, &h, sizeof(h));
        memcpy(buf + off + sizeof(h), "/", 2);
        off += sizeof(h) + 2;
    }
    conn_feed(c, buf, off);
    for (i = 0; i < 10; i++) {
        struct msg *m = h_next(c);

        assert_non_null(m);
        assert_int_equal(m->hdr.req_id, i);      /* in order */
        free(m);
    }
}

static void bad_payloads(void **state)
{
    struct conn *c = h_priv();

    (void)state;
    h_expect_err(c, XS_READ, 0, "/a", 2, "EINVAL");            /* no terminator */
    h_expect_err(c, XS_READ, 0, "/a\0/b", 6, "EINVAL");        /* two arguments */
    h_expect_err(c, XS_READ, 0, "", 0, "EINVAL");
    h_expect_err(c, XS_WRITE, 0, "/a", 2, "EINVAL");           /* no path string */
    h_expect_err(c, XS_WATCH, 0, S("/a"), "EINVAL");            /* no token */
    h_expect_err(c, XS_WATCH, 0, S("/a\0t\0x"), "EINVAL");      /* too many */
    h_expect_err(c, XS_GET_DOMAIN_PATH, 0, "", 0, "EINVAL");
    h_expect_err(c, XS_DIRECTORY, 0, "\xff\xfe", 3, "EINVAL");
    h_expect_err(c, XS_SET_TARGET, 0, "", 0, "EINVAL");
    h_expect_err(c, XS_RELEASE, 0, "", 0, "EINVAL");
}

static void types(void **state)
{
    struct conn *c = h_priv();

    (void)state;
    h_expect_err(c, XS_TYPE_COUNT, 0, "", 0, "ENOSYS");
    h_expect_err(c, 20 /* the removed XS_RESTRICT */, 0, S("1"), "ENOSYS");
    h_expect_err(c, XS_WATCH_EVENT, 0, S("/a\0t"), "ENOSYS");
    h_expect_err(c, XS_ERROR, 0, S("EINVAL"), "ENOSYS");
    h_expect_err(c, 0xffffffffu, 0, "", 0, "ENOSYS");
    h_expect_err(c, XS_READ, 999, S("/"), "ENOENT");           /* unknown transaction */
}

static void oversized_payload_drops(void **state)
{
    struct conn *c = h_priv(), *other = h_priv();
    struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

    (void)state;
    assert_int_equal(conn_feed(c, &h, sizeof(h)), -1);
    assert_true(c->dead);
    conn_reap();
    h_expect(other, XS_READ, 0, S("/tool"), "", 0);
}

static void maximal_payload_ok(void **state)
{
    struct conn *c = h_priv();
    static char buf[XENSTORE_PAYLOAD_MAX];

    (void)state;
    memset(buf, 'v', sizeof(buf));
    memcpy(buf, "/max", 5);
    h_expect(c, XS_WRITE, 0, buf, sizeof(buf), S("OK"));
    h_expect(c, XS_DIRECTORY, 0, S("/max"), "", 0);
}

static void reply_too_big(void **state)
{
    struct conn *c = h_priv();
    static char buf[XENSTORE_PAYLOAD_MAX];
    unsigned int i;

    (void)state;
    /* a value of 4096 - 6 bytes read back is fine; directory listings can be E2BIG */
    memset(buf, 'x', sizeof(buf));
    memcpy(buf, "/v", 3);
    h_expect(c, XS_WRITE, 0, buf, sizeof(buf), S("OK"));
    for (i = 0; i < 300; i++) {
        char p[64];

        snprintf(p, sizeof(p), "/d/%0*u", 20, i);
        h_write(c, 0, p, "");
    }
    h_expect_err(c, XS_DIRECTORY, 0, S("/d"), "E2BIG");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(onearg_and_strings),
        cmocka_unit_test_setup_teardown(byte_by_byte, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(many_in_one_read, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(bad_payloads, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(types, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(oversized_payload_drops, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(maximal_payload_ok, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(reply_too_big, h_setup, h_teardown),
    };

    return cmocka_run_group_tests_name("xenstored wire parser", tests, NULL, NULL);
}
