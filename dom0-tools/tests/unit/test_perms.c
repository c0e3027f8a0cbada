/* test_perms.c - permissions: owners, per-domain entries, the default entry, the
 * privileged bypass, SET_TARGET, the read-only socket, ENOENT masking, EPERM. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static void unprivileged_default_deny(void **state)
{
    struct conn *d0 = h_priv(), *d5 = h_dom(5);

    (void)state;
    h_write(d0, 0, "/secret/x", "s");
    h_expect_err(d5, XS_READ, 0, S("/secret/x"), "EACCES");
    h_expect_err(d5, XS_WRITE, 0, "/secret/x\0v", 11, "EACCES");
    h_expect_err(d5, XS_DIRECTORY, 0, S("/secret"), "EACCES");
    /* a missing node under an unreadable parent is EACCES, not ENOENT */
    h_expect_err(d5, XS_READ, 0, S("/secret/nothere"), "EACCES");
    /* privileged-only requests */
    h_expect_err(d5, XS_INTRODUCE, 0, "6\0" "0\0" "1", 6, "EACCES");
    h_expect_err(d5, XS_CONTROL, 0, S("help"), "EACCES");
    h_expect_err(d5, XS_IS_DOMAIN_INTRODUCED, 0, S("5"), "EACCES");
}

static void home_and_owner(void **state)
{
    struct conn *d0 = h_priv(), *d5 = h_dom(5);

    (void)state;
    h_write(d0, 0, "/local/domain/5", "");
    h_expect(d0, XS_SET_PERMS, 0, "/local/domain/5\0n5\0r0", 22, S("OK"));
    /* relative paths: the domain's home */
    h_write(d5, 0, "data/x", "1");
    h_expect(d0, XS_READ, 0, S("/local/domain/5/data/x"), "1", 1);
    /* nodes it creates are its own and inherit the rest */
    h_expect(d0, XS_GET_PERMS, 0, S("/local/domain/5/data/x"), "n5\0r0", 6);
    h_expect(d5, XS_READ, 0, S("data/x"), "1", 1);
    h_expect_err(d5, XS_READ, 0, S("data/nothere"), "ENOENT");
    /* it may not give its node away */
    h_expect_err(d5, XS_SET_PERMS, 0, "data/x\0n0", 10, "EPERM");
    h_expect(d5, XS_SET_PERMS, 0, "data/x\0n5\0b0", 13, S("OK"));
}

static void per_domain_entries(void **state)
{
    struct conn *d0 = h_priv(), *d5 = h_dom(5), *d6 = h_dom(6), *d7 = h_dom(7);

    (void)state;
    h_write(d0, 0, "/shared", "v");
    h_expect(d0, XS_SET_PERMS, 0, "/shared\0n0\0r5\0w6", 17, S("OK"));
    h_expect(d5, XS_READ, 0, S("/shared"), "v", 1);
    h_expect_err(d5, XS_WRITE, 0, "/shared\0x", 9, "EACCES");
    h_expect_err(d6, XS_READ, 0, S("/shared"), "EACCES");
    h_write(d6, 0, "/shared", "w");
    h_expect_err(d7, XS_READ, 0, S("/shared"), "EACCES");
    /* the owner's entry is also the default */
    h_expect(d0, XS_SET_PERMS, 0, "/shared\0r0\0n5", 14, S("OK"));
    h_expect(d7, XS_READ, 0, S("/shared"), "w", 1);
    h_expect_err(d5, XS_READ, 0, S("/shared"), "EACCES");
    /* GET_PERMS needs read access */
    h_expect_err(d5, XS_GET_PERMS, 0, S("/shared"), "EACCES");
}

static void nonexistent_domains_ignored(void **state)
{
    struct conn *d0 = h_priv();

    (void)state;
    h_write(d0, 0, "/n", "");
    /* domain 9 does not exist: an owner that does not exist is ENOENT */
    h_expect_err(d0, XS_SET_PERMS, 0, "/n\0n9", 6, "ENOENT");
    /* an entry for it is kept (and shown) but does not count */
    h_expect(d0, XS_SET_PERMS, 0, "/n\0n0\0r9", 9, S("OK"));
    h_expect(d0, XS_GET_PERMS, 0, S("/n"), "n0\0r9", 6);
    h_expect_err(d0, XS_SET_PERMS, 0, "/n\0x0", 6, "EINVAL");
    h_expect_err(d0, XS_SET_PERMS, 0, "/n\0r", 5, "EINVAL");
    h_expect_err(d0, XS_SET_PERMS, 0, S("/n"), "EINVAL");
}

static void privileged_bypass_and_priv_domid(void **state)
{
    struct conn *d0 = h_priv(), *d3;

    (void)state;
    h_write(d0, 0, "/p", "v");
    h_expect(d0, XS_SET_PERMS, 0, "/p\0n0", 6, S("OK"));
    priv_domid = 3;
    d3 = h_dom(3);
    h_expect(d3, XS_READ, 0, S("/p"), "v", 1);      /* --priv-domid is privileged */
    h_expect(d3, XS_GET_DOMAIN_PATH, 0, S("3"), S("/local/domain/3"));
}

static void set_target(void **state)
{
    struct conn *d0 = h_priv(), *d5, *d6;

    (void)state;
    fake_domain_state[5] = fake_domain_state[6] = 0;
    h_expect(d0, XS_INTRODUCE, 0, "5\0" "0\0" "1", 6, S("OK"));
    h_expect(d0, XS_INTRODUCE, 0, "6\0" "0\0" "1", 6, S("OK"));
    d5 = domain_find(5)->conn;
    d6 = domain_find(6)->conn;
    h_write(d0, 0, "/local/domain/6/x", "six");
    h_expect(d0, XS_SET_PERMS, 0, "/local/domain/6/x\0n6", 21, S("OK"));
    h_expect_err(d5, XS_READ, 0, S("/local/domain/6/x"), "EACCES");
    h_expect(d0, XS_SET_TARGET, 0, "5\0" "6", 4, S("OK"));
    h_expect(d5, XS_READ, 0, S("/local/domain/6/x"), "six", 3);
    h_expect_err(d0, XS_SET_TARGET, 0, "5\0" "8", 4, "ENOENT");
    h_expect_err(d0, XS_SET_TARGET, 0, "5", 2, "EINVAL");
    (void)d6;
}

static void read_only_socket(void **state)
{
    struct conn *d0 = h_priv(), *ro = h_ro();

    (void)state;
    h_write(d0, 0, "/ro", "v");
    h_expect(ro, XS_READ, 0, S("/ro"), "v", 1);
    h_expect_err(ro, XS_WRITE, 0, "/ro\0x", 5, "EACCES");
    h_expect_err(ro, XS_MKDIR, 0, S("/ro2"), "EACCES");
    h_expect_err(ro, XS_RM, 0, S("/ro"), "EACCES");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(unprivileged_default_deny, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(home_and_owner, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(per_domain_entries, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(nonexistent_domains_ignored, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(privileged_bypass_and_priv_domid, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(set_target, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(read_only_socket, h_setup, h_teardown),
    };

    return cmocka_run_group_tests_name("xenstored permissions", tests, NULL, NULL);
}
