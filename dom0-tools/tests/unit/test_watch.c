/* test_watch.c - watches: the initial event, tokens, relative paths, children, removal,
 * @introduceDomain/@releaseDomain, permissions, UNWATCH, RESET_WATCHES. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static void initial_event_and_children(void **state)
{
    struct conn *a = h_priv(), *w = h_priv();

    (void)state;
    h_expect(w, XS_WATCH, 0, "/w\0tok1", 8, S("OK"));
    h_expect_event(w, "/w", "tok1");        /* fired once at registration */
    h_expect_nothing(w);
    h_write(a, 0, "/w/a/b", "1");           /* creates /w, /w/a, /w/a/b: one event */
    h_expect_event(w, "/w/a/b", "tok1");
    h_expect_nothing(w);
    h_write(a, 0, "/wx", "1");              /* not a child of /w */
    h_expect_nothing(w);
    h_write(a, 0, "/", "");                 /* a parent: no event */
    h_expect_nothing(w);
    /* the same path with another token is another watch */
    h_expect(w, XS_WATCH, 0, "/w\0tok2", 8, S("OK"));
    h_expect_event(w, "/w", "tok2");
    h_expect_err(w, XS_WATCH, 0, "/w\0tok2", 8, "EEXIST");
    h_write(a, 0, "/w/a", "x");
    h_expect_event(w, "/w/a", "tok1");
    h_expect_event(w, "/w/a", "tok2");
    h_expect(w, XS_UNWATCH, 0, "/w\0tok1", 8, S("OK"));
    h_expect_err(w, XS_UNWATCH, 0, "/w\0tok1", 8, "ENOENT");
    h_write(a, 0, "/w/a", "y");
    h_expect_event(w, "/w/a", "tok2");
    h_expect_nothing(w);
    h_expect_err(w, XS_WATCH, 0, S("/w"), "EINVAL");
    h_expect_err(w, XS_WATCH, 0, "/w//\0t", 7, "EINVAL");
}

static void removal_events(void **state)
{
    struct conn *a = h_priv(), *w = h_priv();

    (void)state;
    h_write(a, 0, "/r/a/b", "1");
    h_write(a, 0, "/r/c", "1");
    h_expect(w, XS_WATCH, 0, "/r\0parent", 10, S("OK"));
    h_expect_event(w, "/r", "parent");
    h_expect(w, XS_WATCH, 0, "/r/a/b\0leaf", 12, S("OK"));
    h_expect_event(w, "/r/a/b", "leaf");
    h_expect(w, XS_WATCH, 0, "/r/a/b/x\0below", 15, S("OK"));
    h_expect_event(w, "/r/a/b/x", "below");
    h_expect(a, XS_RM, 0, S("/r/a"), S("OK"));
    /* children first, exactly; the removed node for its watchers and parents */
    h_expect_event(w, "/r/a/b", "leaf");
    h_expect_event(w, "/r/a", "parent");
    h_expect_nothing(w);
}

static void relative_watch(void **state)
{
    struct conn *d0 = h_priv(), *d5 = h_dom(5);

    (void)state;
    h_write(d0, 0, "/local/domain/5", "");
    h_expect(d0, XS_SET_PERMS, 0, "/local/domain/5\0n5", 19, S("OK"));
    h_expect(d5, XS_WATCH, 0, "device\0rel", 11, S("OK"));
    h_expect_event(d5, "device", "rel");
    h_write(d0, 0, "/local/domain/5/device/vif/0", "x");
    h_expect_event(d5, "device/vif/0", "rel");
    /* absolute watches give absolute paths */
    h_expect(d5, XS_WATCH, 0, "/local/domain/5/device\0abs", 27, S("OK"));
    h_expect_event(d5, "/local/domain/5/device", "abs");
    h_expect(d5, XS_UNWATCH, 0, "device\0rel", 11, S("OK"));
    h_write(d0, 0, "/local/domain/5/device/vif/0", "y");
    h_expect_event(d5, "/local/domain/5/device/vif/0", "abs");
    h_expect_nothing(d5);
}

static void permission_filter(void **state)
{
    struct conn *d0 = h_priv(), *d5 = h_dom(5);

    (void)state;
    h_write(d0, 0, "/priv/x", "1");
    h_expect(d5, XS_WATCH, 0, "/priv\0t", 8, S("OK"));
    h_expect_event(d5, "/priv", "t");       /* the initial event is not filtered */
    h_write(d0, 0, "/priv/x", "2");
    h_expect_nothing(d5);                   /* it may not read /priv/x nor /priv */
    h_expect(d0, XS_SET_PERMS, 0, "/priv/x\0n0\0r5", 14, S("OK"));
    h_expect_event(d5, "/priv/x", "t");     /* it may read the new permissions */
    h_write(d0, 0, "/priv/x", "3");
    h_expect_event(d5, "/priv/x", "t");
    /* losing access: the old permissions still let this one event through */
    h_expect(d0, XS_SET_PERMS, 0, "/priv/x\0n0", 11, S("OK"));
    h_expect_event(d5, "/priv/x", "t");
    h_write(d0, 0, "/priv/x", "4");
    h_expect_nothing(d5);
}

static void special_watches(void **state)
{
    struct conn *d0 = h_priv(), *w = h_priv();

    (void)state;
    h_expect(w, XS_WATCH, 0, "@introduceDomain\0in", 20, S("OK"));
    h_expect_event(w, "@introduceDomain", "in");
    h_expect(w, XS_WATCH, 0, "@releaseDomain\0out", 19, S("OK"));
    h_expect_event(w, "@releaseDomain", "out");
    fake_domain_state[7] = 0;
    h_expect(d0, XS_INTRODUCE, 0, "7\0" "1234\0" "3", 9, S("OK"));
    h_expect_event(w, "@introduceDomain", "in");
    h_expect(d0, XS_IS_DOMAIN_INTRODUCED, 0, S("7"), S("T"));
    /* re-introduction: no new event */
    h_expect(d0, XS_INTRODUCE, 0, "7\0" "1234\0" "3", 9, S("OK"));
    h_expect_nothing(w);
    h_expect(d0, XS_RESUME, 0, S("7"), S("OK"));
    h_expect(d0, XS_RELEASE, 0, S("7"), S("OK"));
    h_expect_event(w, "@releaseDomain", "out");
    h_expect(d0, XS_IS_DOMAIN_INTRODUCED, 0, S("7"), S("F"));
    h_expect_err(d0, XS_RELEASE, 0, S("7"), "ENOENT");
    h_expect_err(d0, XS_RELEASE, 0, S("0"), "EINVAL");
    h_expect_err(d0, XS_RESUME, 0, S("7"), "ENOENT");
    h_expect_err(d0, XS_INTRODUCE, 0, "7\0" "1234\0" "0", 9, "EINVAL");
    h_expect_err(d0, XS_INTRODUCE, 0, "7\0" "1234", 7, "EINVAL");
    /* a domain found dying or shut down */
    fake_domain_state[8] = 0;
    h_expect(d0, XS_INTRODUCE, 0, "8\0" "1\0" "3", 6, S("OK"));
    h_expect_event(w, "@introduceDomain", "in");
    fake_domain_state[8] = 1;
    domain_check_all();
    h_expect_event(w, "@releaseDomain", "out");
    domain_check_all();
    h_expect_nothing(w);                    /* once per shutdown */
    fake_domain_state[8] = 2;
    domain_check_all();
    h_expect_event(w, "@releaseDomain", "out");
    conn_reap();
}

static void release_removes_nodes(void **state)
{
    struct conn *d0 = h_priv(), *d9;

    (void)state;
    fake_domain_state[9] = 0;
    h_write(d0, 0, "/local/domain/9", "");
    h_expect(d0, XS_SET_PERMS, 0, "/local/domain/9\0n9", 19, S("OK"));
    h_expect(d0, XS_INTRODUCE, 0, "9\0" "1\0" "3", 6, S("OK"));
    d9 = domain_find(9)->conn;
    h_write(d9, 0, "data/a", "1");
    h_write(d0, 0, "/vm/9", "");
    h_expect(d0, XS_SET_PERMS, 0, "/vm/9\0n0\0r9", 12, S("OK"));
    assert_int_equal(domain_nodes(9), 3);
    h_expect(d0, XS_RELEASE, 0, S("9"), S("OK"));
    conn_reap();
    h_expect_err(d0, XS_READ, 0, S("/local/domain/9"), "ENOENT");
    h_expect(d0, XS_READ, 0, S("/vm/9"), "", 0);       /* dom0's node stays */
}

static void reset_watches(void **state)
{
    struct conn *a = h_priv(), *w = h_priv();

    (void)state;
    h_expect(w, XS_WATCH, 0, "/z\0t", 5, S("OK"));
    h_expect_event(w, "/z", "t");
    h_expect(w, XS_RESET_WATCHES, 0, "", 0, S("OK"));
    h_write(a, 0, "/z", "1");
    h_expect_nothing(w);
    assert_int_equal(watch_count(w), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(initial_event_and_children, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(removal_events, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(relative_watch, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(permission_filter, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(special_watches, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(release_removes_nodes, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(reset_watches, h_setup, h_teardown),
    };

    return cmocka_run_group_tests_name("xenstored watches", tests, NULL, NULL);
}
