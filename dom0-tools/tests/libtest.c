/*
 * libtest.c - libxenstore's API against a running xenstored: results, errno
 * conventions, transactions, watches from a second thread, xs_fileno(), the
 * DIRECTORY_PART fallback, control commands.  Built against our xenstore.h; run it
 * with our libxenstore.so.4 or, through LD_LIBRARY_PATH, Debian's (same ABI).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "xenstore.h"
#include "tap.h"

static struct xs_handle *h;

static void *watcher(void *arg)
{
    struct xs_handle *wh = arg;
    unsigned int n;
    char **v = xs_read_watch(wh, &n);      /* the initial event */

    free(v);
    v = xs_read_watch(wh, &n);             /* blocks until the main thread writes */
    return v;
}

int main(void)
{
    struct xs_permissions p[3], *gp;
    unsigned int len, n, i;
    xs_transaction_t t;
    char **list, *v, path[64];
    pthread_t th;
    void *res;
    int fd;

    TAP_PLAN(34);
    h = xs_open(0);
    OK(h, "xs_open");
    if (!h)
        return 1;
    OK(xs_write(h, XBT_NULL, "/lt/a", "hello", 5), "xs_write");
    v = xs_read(h, XBT_NULL, "/lt/a", &len);
    OK(v && len == 5 && !strcmp(v, "hello"), "xs_read: value, length, nul-terminated");
    free(v);
    v = xs_read(h, XBT_NULL, "/lt/none", &len);
    OK(!v && errno == ENOENT, "xs_read of a missing node: NULL, errno ENOENT");
    v = xs_read(h, XBT_NULL, "bad//path", &len);
    OK(!v && errno == EINVAL, "a bad path: errno EINVAL");
    OK(xs_mkdir(h, XBT_NULL, "/lt/d/e") && xs_mkdir(h, XBT_NULL, "/lt/d/e"), "xs_mkdir, twice");
    list = xs_directory(h, XBT_NULL, "/lt", &n);
    OK(list && n == 2 && !strcmp(list[0], "a") && !strcmp(list[1], "d"), "xs_directory");
    free(list);
    OK(xs_rm(h, XBT_NULL, "/lt/d") && xs_rm(h, XBT_NULL, "/lt/d"), "xs_rm, twice");
    OK(!xs_rm(h, XBT_NULL, "/lt/x/y") && errno == ENOENT, "xs_rm below a missing parent: ENOENT");

    p[0] = (struct xs_permissions){ 0, XS_PERM_READ };
    p[1] = (struct xs_permissions){ 0x7ff0, XS_PERM_WRITE };
    OK(xs_set_permissions(h, XBT_NULL, "/lt/a", p, 2), "xs_set_permissions");
    gp = xs_get_permissions(h, XBT_NULL, "/lt/a", &n);
    OK(gp && n == 2 && gp[0].id == 0 && gp[0].perms == XS_PERM_READ && gp[1].id == 0x7ff0 &&
       gp[1].perms == XS_PERM_WRITE, "xs_get_permissions");
    free(gp);
    OK(xs_strings_to_perms(p, 3, "r1\0w2\0b3") && p[2].id == 3 &&
       p[2].perms == (XS_PERM_READ | XS_PERM_WRITE), "xs_strings_to_perms");
    OK(!xs_strings_to_perms(p, 1, "x1") && errno == EINVAL, "xs_strings_to_perms: EINVAL");
    OK(xs_path_is_subpath("/a", "/a/b") && xs_path_is_subpath("/a", "/a") &&
       !xs_path_is_subpath("/a", "/ab"), "xs_path_is_subpath");

    t = xs_transaction_start(h);
    OK(t != XBT_NULL, "xs_transaction_start");
    OK(xs_write(h, t, "/lt/t", "1", 1) && xs_transaction_end(h, t, false), "commit");
    t = xs_transaction_start(h);
    v = xs_read(h, t, "/lt/t", &len);
    free(v);
    {
        struct xs_handle *h2 = xs_open(0);

        xs_write(h2, XBT_NULL, "/lt/t", "2", 1);
        xs_close(h2);
    }
    xs_write(h, t, "/lt/u", "1", 1);
    OK(!xs_transaction_end(h, t, false) && errno == EAGAIN, "a conflicting commit: EAGAIN");
    t = xs_transaction_start(h);
    xs_write(h, t, "/lt/v", "1", 1);
    OK(xs_transaction_end(h, t, true), "abort");
    v = xs_read(h, XBT_NULL, "/lt/v", &len);
    OK(!v && errno == ENOENT, "nothing of an aborted transaction remains");

    /* watches: another thread blocks in xs_read_watch while this one makes requests */
    OK(xs_watch(h, "/lt/w", "tok"), "xs_watch");
    OK(pthread_create(&th, NULL, watcher, h) == 0, "a thread waits in xs_read_watch");
    usleep(100000);
    OK(xs_write(h, XBT_NULL, "/lt/w/x", "1", 1), "requests go on meanwhile");
    pthread_join(th, &res);
    OK(res && !strcmp(((char **)res)[XS_WATCH_PATH], "/lt/w/x") &&
       !strcmp(((char **)res)[XS_WATCH_TOKEN], "tok"), "the thread gets {path, token}");
    free(res);
    fd = xs_fileno(h);
    OK(fd >= 0, "xs_fileno");
    list = xs_check_watch(h);
    OK(!list && errno == EAGAIN, "xs_check_watch with nothing pending: EAGAIN");
    xs_write(h, XBT_NULL, "/lt/w", "2", 1);
    {
        struct pollfd pf = { fd, POLLIN, 0 };

        OK(poll(&pf, 1, 3000) == 1, "the fd becomes readable on an event");
    }
    list = xs_check_watch(h);
    OK(list && !strcmp(list[0], "/lt/w"), "xs_check_watch returns it");
    free(list);
    OK(xs_unwatch(h, "/lt/w", "tok") && !xs_unwatch(h, "/lt/w", "tok") && errno == ENOENT,
       "xs_unwatch, then ENOENT");

    /* a directory too big for one reply: the library falls back to DIRECTORY_PART */
    t = xs_transaction_start(h);
    for (i = 0; i < 500; i++) {
        snprintf(path, sizeof(path), "/lt/big/entry-number-%04u", i);
        xs_write(h, t, path, "", 0);
    }
    xs_transaction_end(h, t, false);
    list = xs_directory(h, XBT_NULL, "/lt/big", &n);
    OK(list && n == 500 && !strcmp(list[499], "entry-number-0499"),
       "xs_directory of 500 children (%u)", n);
    free(list);

    v = xs_get_domain_path(h, 3);
    OK(v && !strcmp(v, "/local/domain/3"), "xs_get_domain_path");
    free(v);
    OK(!xs_is_domain_introduced(h, 4444), "xs_is_domain_introduced");
    v = xs_control_command(h, "print", "from libtest", 13);
    OK(v && !strcmp(v, "OK"), "xs_control_command print");
    free(v);
    OK(!xs_control_command(h, "nonsense", NULL, 0) && errno == EINVAL, "unknown control command: EINVAL");
    OK(xs_rm(h, XBT_NULL, "/lt"), "clean up");
    xs_close(h);
    return TAP_DONE();
}
