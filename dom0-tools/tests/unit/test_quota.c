/* test_quota.c - quotas bind unprivileged domains: nodes, node size, path length,
 * watches, transactions, transaction nodes, permissions per node, outstanding requests;
 * an over-quota request gets an error and the daemon carries on. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static struct conn *dom5_with_home(void)
{
    struct conn *d0 = h_priv(), *d5 = h_dom(5);

    h_write(d0, 0, "/local/domain/5", "");
    h_expect(d0, XS_SET_PERMS, 0, "/local/domain/5\0n5", 19, S("OK"));
    return d5;
}

static void nodes_quota(void **state)
{
    struct conn *d5 = dom5_with_home(), *d0 = h_priv();
    char path[32];
    unsigned int i;

    (void)state;
    hard_quotas[Q_NODES].val = 10;
    for (i = 1; i < 10; i++) {            /* its home is the first of its 10 */
        snprintf(path, sizeof(path), "n%u", i);
        h_write(d5, 0, path, "");
    }
    h_expect_err(d5, XS_WRITE, 0, "n10\0", 4, "ENOSPC");
    h_expect_err(d5, XS_MKDIR, 0, S("a/b/c"), "ENOSPC");
    /* still serving it, and others */
    h_expect(d5, XS_READ, 0, S("n1"), "", 0);
    h_write(d0, 0, "/local/domain/5/byd0", "");      /* dom0 is not bound */
    /* freeing a node makes room */
    h_expect(d5, XS_RM, 0, S("n1"), S("OK"));
    h_expect_err(d5, XS_WRITE, 0, "n10\0", 4, "ENOSPC");   /* byd0 is its node too */
    h_expect(d5, XS_RM, 0, S("byd0"), S("OK"));
    h_write(d5, 0, "n10", "");
    /* in a transaction: checked again at the commit */
    {
        uint32_t t = h_txn_start(d5);

        h_expect_err(d5, XS_WRITE, t, "n11\0", 4, "ENOSPC");
        h_expect(d5, XS_TRANSACTION_END, t, S("F"), S("OK"));
    }
}

static void node_size_quota(void **state)
{
    struct conn *d5 = dom5_with_home();
    char buf[3000];

    (void)state;
    memcpy(buf, "big", 4);
    memset(buf + 4, 'x', 2100);
    h_expect_err(d5, XS_WRITE, 0, buf, 4 + 2100, "ENOSPC");
    /* header (24) + one permission (8) + data + nothing else < 2048 */
    h_expect(d5, XS_WRITE, 0, buf, 4 + 2015, S("OK"));
    h_expect_err(d5, XS_WRITE, 0, buf, 4 + 2016, "ENOSPC");
    hard_quotas[Q_NODESIZE].val = 100;
    h_expect_err(d5, XS_WRITE, 0, buf, 4 + 100, "ENOSPC");
}

static void path_quota(void **state)
{
    struct conn *d5 = dom5_with_home(), *d0 = h_priv();
    char path[3100];

    (void)state;
    unsigned int i;

    /* components of 99 characters (the parents' child lists stay small) */
    memset(path, 'p', sizeof(path));
    for (i = 99; i < 2049; i += 100)
        path[i] = '/';
    path[2049] = '\0';            /* relative: at most 2048 characters after the home */
    h_expect_err(d5, XS_WRITE, 0, path, 2050, "EINVAL");
    path[2048] = '\0';
    h_expect(d5, XS_WRITE, 0, path, 2049, S("OK"));
    memset(path, 'p', sizeof(path));
    hard_quotas[Q_PATHLEN].val = 10;
    h_expect_err(d5, XS_READ, 0, S("abcdefghijk"), "EINVAL");
    h_expect_err(d5, XS_READ, 0, S("abcdefghij"), "ENOENT");
    /* dom0 is not bound */
    path[0] = '/';
    path[3000] = '\0';
    h_expect(d0, XS_WRITE, 0, path, 3001, S("OK"));
}

static void watch_quota(void **state)
{
    struct conn *d5 = dom5_with_home();
    char req[32];
    unsigned int i, len;
    struct msg *m;

    (void)state;
    hard_quotas[Q_WATCHES].val = 4;
    for (i = 0; i < 5; i++) {             /* Xen allows quota + 1 */
        len = snprintf(req, sizeof(req), "w%u", i) + 1;
        memcpy(req + len, "t", 2);
        free(h_ok(d5, XS_WATCH, 0, req, len + 2));
        m = h_next(d5);
        free(m);
    }
    h_expect_err(d5, XS_WATCH, 0, "w9\0t", 5, "E2BIG");
    h_expect(d5, XS_UNWATCH, 0, "w0\0t", 5, S("OK"));
    free(h_ok(d5, XS_WATCH, 0, "w9\0t", 5));
}

static void transaction_quotas(void **state)
{
    struct conn *d5 = dom5_with_home();
    uint32_t t;
    unsigned int i;
    char path[16];

    (void)state;
    hard_quotas[Q_TRANSACTIONS].val = 2;
    h_txn_start(d5);
    h_txn_start(d5);
    t = h_txn_start(d5);                   /* quota + 1, as Xen */
    h_expect_err(d5, XS_TRANSACTION_START, 0, "", 1, "ENOSPC");
    h_expect(d5, XS_TRANSACTION_END, t, S("F"), S("OK"));
    t = h_txn_start(d5);
    /* accessed nodes per transaction: the transaction fails */
    hard_quotas[Q_TRANS_NODES].val = 4;      /* the home and x0..x2 */
    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "x%u", i);
        h_write(d5, t, path, "");
    }
    h_expect_err(d5, XS_WRITE, t, "x9\0", 3, "ENOSPC");
    h_expect_err(d5, XS_TRANSACTION_END, t, S("T"), "ENOMEM");
    h_expect_err(d5, XS_READ, 0, S("x0"), "ENOENT");
}

static void perms_quota(void **state)
{
    struct conn *d5 = dom5_with_home();

    (void)state;
    h_write(d5, 0, "p", "");
    h_expect_err(d5, XS_SET_PERMS, 0, S("p\0n5\0r1\0r2\0r3\0r4\0r6"), "ENOSPC");
    h_expect(d5, XS_SET_PERMS, 0, S("p\0n5\0r1\0r2\0r3\0r4"), S("OK"));
}

static void outstanding_flow_control(void **state)
{
    struct conn *d0 = h_priv(), *d5;
    struct xenstore_domain_interface *intf;
    struct xsd_sockmsg h = { XS_READ, 0, 0, 2 };
    unsigned int i;

    (void)state;
    fake_domain_state[5] = 0;
    h_expect(d0, XS_INTRODUCE, 0, "5\0" "0\0" "1", 6, S("OK"));
    d5 = domain_find(5)->conn;
    intf = domain_find(5)->interface;
    hard_quotas[Q_OUTSTANDING].val = 3;
    /* a guest queues 5 requests on its ring and never reads its replies */
    for (i = 0; i < 5; i++) {
        h.req_id = i;
        memcpy(intf->req + intf->req_prod, &h, sizeof(h));
        memcpy(intf->req + intf->req_prod + sizeof(h), "/", 2);
        intf->req_prod += sizeof(h) + 2;
    }
    conn_handle_input(d5);
    assert_int_equal(d5->out_replies, 3);          /* stops reading at the quota */
    assert_false(conn_wants_read(d5));
    conn_handle_output(d5);                        /* replies go to the ring... */
    intf->rsp_cons = intf->rsp_prod;               /* ...and the guest reads them */
    assert_true(conn_wants_read(d5));
    conn_handle_input(d5);
    assert_int_equal(d5->out_replies, 2);
    assert_int_equal(d5->requests, 5);
    /* a privileged domain is not limited */
}

static void quota_control(void **state)
{
    struct conn *d0 = h_priv();
    struct msg *m;

    (void)state;
    m = h_ok(d0, XS_CONTROL, 0, S("quota"));
    assert_non_null(strstr(m->body, "nodes            :     1000 Nodes per domain"));
    free(m);
    h_expect(d0, XS_CONTROL, 0, "quota\0set\0nodes\0" "7", 18, S("OK"));
    assert_int_equal(hard_quotas[Q_NODES].val, 7);
    h_expect_err(d0, XS_CONTROL, 0, "quota\0set\0bogus\0" "7", 18, "EINVAL");
    h_expect_err(d0, XS_CONTROL, 0, "quota\0set\0nodes\0" "0", 18, "EINVAL");
    m = h_ok(d0, XS_CONTROL, 0, S("quota\0" "0"));
    assert_non_null(strstr(m->body, "Domain 0:"));
    free(m);
    h_expect_err(d0, XS_CONTROL, 0, S("quota\0" "77"), "ENOENT");
    m = h_ok(d0, XS_CONTROL, 0, S("help"));
    assert_non_null(strstr(m->body, "quota"));
    free(m);
    h_expect(d0, XS_CONTROL, 0, S("print\0hello"), S("OK"));
    h_expect(d0, XS_CONTROL, 0, S("check"), S("OK"));
    h_expect_err(d0, XS_CONTROL, 0, S("frobnicate"), "EINVAL");
    h_expect_err(d0, XS_CONTROL, 0, "", 0, "EINVAL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(nodes_quota, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(node_size_quota, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(path_quota, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(watch_quota, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(transaction_quotas, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(perms_quota, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(outstanding_flow_control, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(quota_control, h_setup, h_teardown),
    };

    return cmocka_run_group_tests_name("xenstored quotas", tests, NULL, NULL);
}
