/* test_tree.c - the tree: read/write/mkdir/rm/directory, implicit parents, path rules,
 * generation counts, DIRECTORY_PART, GET_DOMAIN_PATH. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static void write_read(void **state)
{
    struct conn *c = h_priv();
    char *v;

    (void)state;
    h_expect(c, XS_WRITE, 0, S("/a\0hello") - 1, S("OK"));
    v = h_read(c, 0, "/a");
    assert_string_equal(v, "hello");
    free(v);
    /* binary values, nuls included */
    h_expect(c, XS_WRITE, 0, "/b\0x\0y", 6, S("OK"));
    h_expect(c, XS_READ, 0, S("/b"), "x\0y", 3);
    /* empty value */
    h_expect(c, XS_WRITE, 0, S("/e"), S("OK"));
    h_expect(c, XS_READ, 0, S("/e"), "", 0);
    h_expect_err(c, XS_READ, 0, S("/nonexistent"), "ENOENT");
}

static void implicit_parents(void **state)
{
    struct conn *c = h_priv();

    (void)state;
    h_write(c, 0, "/x/y/z", "1");
    h_expect(c, XS_READ, 0, S("/x"), "", 0);
    h_expect(c, XS_READ, 0, S("/x/y"), "", 0);
    h_expect(c, XS_DIRECTORY, 0, S("/x"), S("y"));
    h_expect(c, XS_DIRECTORY, 0, S("/"), "tool\0x", 7);
    /* parents inherit the permissions of the existing ancestor */
    h_write(c, 0, "/p", "");
    h_expect(c, XS_SET_PERMS, 0, "/p\0r0\0b3", 9, S("OK"));
    h_write(c, 0, "/p/q/r", "");
    h_expect(c, XS_GET_PERMS, 0, S("/p/q"), "r0\0b3", 6);
    h_expect_err(c, XS_SET_PERMS, 0, "/nope\0n0", 9, "ENOENT");
}

static void mkdir_keeps_value(void **state)
{
    struct conn *c = h_priv();

    (void)state;
    h_write(c, 0, "/m", "v");
    h_expect(c, XS_MKDIR, 0, S("/m"), S("OK"));
    h_expect(c, XS_READ, 0, S("/m"), "v", 1);
    h_expect(c, XS_MKDIR, 0, S("/m/n/o"), S("OK"));
    h_expect(c, XS_DIRECTORY, 0, S("/m/n"), S("o"));
}

static void rm_semantics(void **state)
{
    struct conn *c = h_priv();

    (void)state;
    h_write(c, 0, "/r/a/b", "1");
    h_write(c, 0, "/r/a/c", "2");
    h_write(c, 0, "/r/d", "3");
    h_expect(c, XS_RM, 0, S("/r/a"), S("OK"));
    h_expect_err(c, XS_READ, 0, S("/r/a/b"), "ENOENT");
    h_expect_err(c, XS_READ, 0, S("/r/a"), "ENOENT");
    h_expect(c, XS_DIRECTORY, 0, S("/r"), S("d"));
    /* not there but the parent is: fine */
    h_expect(c, XS_RM, 0, S("/r/zz"), S("OK"));
    /* neither is there */
    h_expect_err(c, XS_RM, 0, S("/q/zz"), "ENOENT");
    h_expect_err(c, XS_RM, 0, S("/"), "EINVAL");
    /* the node count of dom0 follows */
    assert_int_equal(domain_nodes(0), 5 + 2);
}

static void path_rules(void **state)
{
    struct conn *c = h_priv();

    (void)state;
    h_expect_err(c, XS_WRITE, 0, "/a//b\0x", 7, "EINVAL");
    h_expect_err(c, XS_WRITE, 0, "/a/\0x", 5, "EINVAL");
    h_expect_err(c, XS_WRITE, 0, "/a b\0x", 6, "EINVAL");
    h_expect_err(c, XS_WRITE, 0, "/a*\0x", 5, "EINVAL");
    h_expect_err(c, XS_READ, 0, S(""), "EINVAL");
    h_expect_err(c, XS_READ, 0, S("@introduceDomain"), "EINVAL");
    /* relative paths are below the connection's home, /local/domain/0 for sockets */
    h_write(c, 0, "rel/x", "1");
    h_expect(c, XS_READ, 0, S("/local/domain/0/rel/x"), "1", 1);
    h_expect(c, XS_WRITE, 0, "/A-Z_a@9\0", 10, S("OK"));
}

static void generation_counts(void **state)
{
    struct conn *c = h_priv();
    const struct node *n;
    uint64_t g1, g2;

    (void)state;
    h_write(c, 0, "/g", "1");
    n = store_get(&global_store, "/g");
    g1 = n->generation;
    h_write(c, 0, "/g", "2");
    n = store_get(&global_store, "/g");
    g2 = n->generation;
    assert_true(g2 > g1);
    h_expect(c, XS_READ, 0, S("/g"), "2", 1);
    assert_int_equal(store_get(&global_store, "/g")->generation, g2);   /* reads don't count */
}

static void directory_part(void **state)
{
    struct conn *c = h_priv();
    char path[64], *all = NULL, gen[24];
    unsigned int i, off = 0, total = 0;
    struct msg *m;

    (void)state;
    for (i = 0; i < 400; i++) {
        snprintf(path, sizeof(path), "/big/child-with-a-long-name-%03u", i);
        h_write(c, 0, path, "");
        total += strlen(path) - 5 + 1;
    }
    /* DIRECTORY is too big for one message */
    h_expect_err(c, XS_DIRECTORY, 0, S("/big"), "E2BIG");
    all = malloc(total + 1);
    gen[0] = 0;
    for (;;) {
        char req[32];
        unsigned int glen, len;

        snprintf(req, sizeof(req), "/big%c%u", 0, off);
        m = h_ok(c, XS_DIRECTORY_PART, 0, req, 5 + strlen(req + 5) + 1);
        glen = strlen(m->body) + 1;
        if (!gen[0])
            strcpy(gen, m->body);
        assert_string_equal(gen, m->body);
        len = m->hdr.len - glen;
        assert_true(off + len <= total + 1);
        memcpy(all + off, m->body + glen, len);
        free(m);
        off += len;
        if (off <= 1 || all[off - 2] == '\0')
            break;
    }
    assert_int_equal(off, total + 1);      /* the list and an empty string ending it */
    assert_string_equal(all, "child-with-a-long-name-000");
    free(all);
    h_expect_err(c, XS_DIRECTORY_PART, 0, S("/big"), "EINVAL");
    /* an offset past the end gives the generation and an empty list */
    m = h_ok(c, XS_DIRECTORY_PART, 0, "/big\0" "99999", 11);
    assert_int_equal(m->hdr.len, strlen(gen) + 2);
    free(m);
}

static void domain_path_and_misc(void **state)
{
    struct conn *c = h_priv();

    (void)state;
    h_expect(c, XS_GET_DOMAIN_PATH, 0, S("7"), S("/local/domain/7"));
    h_expect_err(c, XS_GET_DOMAIN_PATH, 0, "7", 1, "EINVAL");
    h_expect(c, XS_IS_DOMAIN_INTRODUCED, 0, S("7"), S("F"));
    h_expect(c, XS_IS_DOMAIN_INTRODUCED, 0, S("32752"), S("T"));     /* DOMID_SELF */
    h_expect(c, XS_GET_PERMS, 0, S("/"), S("n0"));
    h_expect(c, XS_GET_PERMS, 0, S("@releaseDomain"), S("n0"));
    h_expect(c, XS_RESET_WATCHES, 0, "", 0, S("OK"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(write_read, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(implicit_parents, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(mkdir_keeps_value, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(rm_semantics, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(path_rules, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(generation_counts, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(directory_part, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(domain_path_and_misc, h_setup, h_teardown),
    };

    return cmocka_run_group_tests_name("xenstored tree", tests, NULL, NULL);
}
