/* test_txn.c - transactions: isolation, commit, abort, conflicts (EAGAIN), ids, limits,
 * and watches firing once per committed change. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static void commit_and_isolation(void **state)
{
    struct conn *a = h_priv(), *b = h_priv();
    uint32_t t;
    char *v;

    (void)state;
    h_write(a, 0, "/t/x", "0");
    t = h_txn_start(a);
    h_write(a, t, "/t/x", "1");
    h_write(a, t, "/t/new/deep", "2");
    v = h_read(a, t, "/t/x");
    assert_string_equal(v, "1");        /* the transaction sees its own writes */
    free(v);
    v = h_read(b, 0, "/t/x");
    assert_string_equal(v, "0");        /* others do not, yet */
    free(v);
    h_expect_err(b, XS_READ, 0, S("/t/new/deep"), "ENOENT");
    h_expect(a, XS_TRANSACTION_END, t, S("T"), S("OK"));
    v = h_read(b, 0, "/t/new/deep");
    assert_string_equal(v, "2");
    free(v);
    assert_int_equal(domain_nodes(0), 5 + 4);
}

static void abort_discards(void **state)
{
    struct conn *a = h_priv();
    uint32_t t;

    (void)state;
    t = h_txn_start(a);
    h_write(a, t, "/ab", "1");
    h_expect(a, XS_RM, t, S("/tool"), S("OK"));
    h_expect(a, XS_TRANSACTION_END, t, S("F"), S("OK"));
    h_expect_err(a, XS_READ, 0, S("/ab"), "ENOENT");
    h_expect(a, XS_READ, 0, S("/tool/xenstored"), "", 0);
    /* the id is gone */
    h_expect_err(a, XS_READ, t, S("/tool"), "ENOENT");
    h_expect_err(a, XS_TRANSACTION_END, t, S("T"), "ENOENT");
    assert_int_equal(domain_nodes(0), 5);
}

static void conflicts(void **state)
{
    struct conn *a = h_priv(), *b = h_priv();
    uint32_t t1, t2;
    char *v;

    (void)state;
    h_write(a, 0, "/c/x", "0");
    h_write(a, 0, "/c/y", "0");
    /* read x in a transaction, someone else writes x: EAGAIN */
    t1 = h_txn_start(a);
    free(h_read(a, t1, "/c/x"));
    h_write(a, t1, "/c/y", "t1");
    h_write(b, 0, "/c/x", "b");
    h_expect_err(a, XS_TRANSACTION_END, t1, S("T"), "EAGAIN");
    v = h_read(b, 0, "/c/y");
    assert_string_equal(v, "0");        /* nothing of it happened */
    free(v);
    /* the transaction is over after EAGAIN */
    h_expect_err(a, XS_TRANSACTION_END, t1, S("T"), "ENOENT");
    /* unrelated changes do not conflict */
    t1 = h_txn_start(a);
    free(h_read(a, t1, "/c/x"));
    h_write(b, 0, "/other", "b");
    h_expect(a, XS_TRANSACTION_END, t1, S("T"), S("OK"));
    /* a node created meanwhile conflicts with its absence */
    t1 = h_txn_start(a);
    h_expect_err(a, XS_READ, t1, S("/c/z"), "ENOENT");
    h_write(b, 0, "/c/z", "b");
    h_expect_err(a, XS_TRANSACTION_END, t1, S("T"), "EAGAIN");
    /* a deleted node conflicts too */
    t1 = h_txn_start(a);
    free(h_read(a, t1, "/c/z"));
    h_expect(b, XS_RM, 0, S("/c/z"), S("OK"));
    h_expect_err(a, XS_TRANSACTION_END, t1, S("T"), "EAGAIN");
    /* two transactions writing the same node: the second to commit loses */
    t1 = h_txn_start(a);
    t2 = h_txn_start(b);
    h_write(a, t1, "/c/x", "t1");
    h_write(b, t2, "/c/x", "t2");
    h_expect(a, XS_TRANSACTION_END, t1, S("T"), S("OK"));
    h_expect_err(b, XS_TRANSACTION_END, t2, S("T"), "EAGAIN");
    v = h_read(a, 0, "/c/x");
    assert_string_equal(v, "t1");
    free(v);
}

static void ids_and_nesting(void **state)
{
    struct conn *a = h_priv(), *b = h_priv();
    uint32_t t1, t2;

    (void)state;
    t1 = h_txn_start(a);
    t2 = h_txn_start(a);
    assert_int_not_equal(t1, t2);
    /* no nested transactions */
    h_expect_err(a, XS_TRANSACTION_START, t1, "", 1, "EBUSY");
    /* ids are per connection */
    h_expect_err(b, XS_READ, t1, S("/"), "ENOENT");
    h_expect_err(a, XS_TRANSACTION_END, t1, S("X"), "EINVAL");
    h_expect_err(a, XS_TRANSACTION_END, 0, S("T"), "ENOENT");
    h_expect(a, XS_TRANSACTION_END, t2, S("T"), S("OK"));
    /* RESET_WATCHES ends the transactions too */
    h_expect(a, XS_RESET_WATCHES, 0, "", 0, S("OK"));
    h_expect_err(a, XS_TRANSACTION_END, t1, S("T"), "ENOENT");
    /* watches ignore the transaction id */
    h_expect(a, XS_WATCH, 12345, "/w\0tok", 7, S("OK"));
}

static void watches_fire_on_commit_once(void **state)
{
    struct conn *a = h_priv(), *w = h_priv();
    uint32_t t;

    (void)state;
    h_write(a, 0, "/wt", "");
    h_expect(w, XS_WATCH, 0, "/wt\0k", 6, S("OK"));
    h_expect_event(w, "/wt", "k");
    t = h_txn_start(a);
    h_write(a, t, "/wt/a", "1");
    h_write(a, t, "/wt/a", "2");
    h_write(a, t, "/wt/a", "3");
    h_expect_nothing(w);                 /* nothing before the commit */
    h_expect(a, XS_TRANSACTION_END, t, S("T"), S("OK"));
    h_expect_event(w, "/wt/a", "k");     /* once, for the path written */
    h_expect_nothing(w);
    /* an aborted transaction fires nothing */
    t = h_txn_start(a);
    h_write(a, t, "/wt/b", "1");
    h_expect(a, XS_TRANSACTION_END, t, S("F"), S("OK"));
    h_expect_nothing(w);
}

static void connection_close_drops_transactions(void **state)
{
    struct conn *a = h_priv();
    uint32_t t;

    (void)state;
    t = h_txn_start(a);
    h_write(a, t, "/gone", "1");
    conn_free(a);
    a = h_priv();
    h_expect_err(a, XS_READ, 0, S("/gone"), "ENOENT");
    (void)t;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(commit_and_isolation, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(abort_discards, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(conflicts, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(ids_and_nesting, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(watches_fire_on_commit_once, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(connection_close_drops_transactions, h_setup, h_teardown),
    };

    return cmocka_run_group_tests_name("xenstored transactions", tests, NULL, NULL);
}
