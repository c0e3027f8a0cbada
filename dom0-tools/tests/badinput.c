/*
 * badinput.c - malformed input on xenstored's socket: each case sends one kind of bad
 * message (or misbehaves), checks the reply or that the connection was closed, and
 * checks that the daemon still serves another client promptly.
 *   badinput            (the socket from XENSTORED_PATH / XENSTORED_RUNDIR)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "xenstore.h"
#include "tap.h"

static int dial(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", xs_daemon_socket());
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("connect");
        exit(1);
    }
    return s;
}

static bool send_all(int s, const void *p, size_t len)
{
    while (len) {
        ssize_t n = send(s, p, len, MSG_NOSIGNAL);

        if (n <= 0)
            return false;
        p = (const char *)p + n;
        len -= n;
    }
    return true;
}

static bool send_msg(int s, uint32_t type, uint32_t tx, uint32_t len, const void *payload,
                     size_t plen)
{
    struct xsd_sockmsg h = { type, 42, tx, len };

    return send_all(s, &h, sizeof(h)) && (!plen || send_all(s, payload, plen));
}

/* Read one reply within 3 s: its type, payload in buf. -1 on timeout, -2 on EOF. */
static int recv_reply(int s, char *buf, size_t cap)
{
    struct xsd_sockmsg h;
    size_t got = 0;
    char *p = (char *)&h;
    size_t want = sizeof(h);
    int phase = 0;

    for (;;) {
        struct pollfd pf = { s, POLLIN, 0 };
        ssize_t n;

        if (poll(&pf, 1, 3000) <= 0)
            return -1;
        n = recv(s, p + got, want - got, 0);
        if (n <= 0)
            return -2;
        got += n;
        if (got < want)
            continue;
        if (phase == 0) {
            if (h.len >= cap)
                return -3;
            phase = 1;
            p = buf;
            got = 0;
            want = h.len;
            buf[h.len] = '\0';
            if (!want)
                return h.type;
            continue;
        }
        return h.type;
    }
}

static bool expect_error(int s, const char *err)
{
    char buf[5000];
    int t = recv_reply(s, buf, sizeof(buf));

    if (t != XS_ERROR || strcmp(buf, err))
        printf("# reply type %d payload '%s', expected ERROR %s\n", t, t >= 0 ? buf : "", err);
    return t == XS_ERROR && !strcmp(buf, err);
}

static bool closed_by_daemon(int s)
{
    char buf[64];
    struct pollfd pf = { s, POLLIN, 0 };

    if (poll(&pf, 1, 3000) <= 0)
        return false;
    return recv(s, buf, sizeof(buf), 0) <= 0;
}

/* Another client gets an answer, quickly. */
static bool healthy(void)
{
    struct timespec a, b;
    struct xs_handle *h = xs_open(XS_OPEN_SOCKETONLY);
    unsigned int len;
    char *v;
    bool ok;

    clock_gettime(CLOCK_MONOTONIC, &a);
    v = h ? xs_read(h, XBT_NULL, "/tool", &len) : NULL;
    clock_gettime(CLOCK_MONOTONIC, &b);
    ok = v && (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 2000;
    free(v);
    xs_close(h);
    return ok;
}

int main(void)
{
    char big[XENSTORE_PAYLOAD_MAX + 100];
    int s, i;

    TAP_PLAN(30);

    s = dial();
    OK(send_msg(s, XS_READ, 0, 4, "/too", 4) && expect_error(s, "EINVAL"),
       "READ without its nul terminator: EINVAL");
    OK(send_msg(s, XS_READ, 0, 5, "/a\0/b", 5) && expect_error(s, "EINVAL"),
       "READ with two strings: EINVAL");
    OK(send_msg(s, XS_WRITE, 0, 3, "abc", 3) && expect_error(s, "EINVAL"),
       "WRITE without a path string: EINVAL");
    OK(send_msg(s, 9999, 0, 0, NULL, 0) && expect_error(s, "ENOSYS"), "unknown type: ENOSYS");
    OK(send_msg(s, XS_WATCH_EVENT, 0, 5, "/a\0t", 5) && expect_error(s, "ENOSYS"),
       "a client sending WATCH_EVENT: ENOSYS");
    OK(send_msg(s, XS_ERROR, 0, 7, "EINVAL", 7) && expect_error(s, "ENOSYS"),
       "a client sending ERROR: ENOSYS");
    OK(send_msg(s, XS_READ, 0, 6, "/a//b", 6) && expect_error(s, "EINVAL"), "path with //: EINVAL");
    OK(send_msg(s, XS_READ, 0, 4, "/a/", 4) && expect_error(s, "EINVAL"), "trailing slash: EINVAL");
    OK(send_msg(s, XS_READ, 0, 6, "/a\x01\x7f" "b", 6) && expect_error(s, "EINVAL"),
       "control characters in a path: EINVAL");
    OK(send_msg(s, XS_WRITE, 0, 1, "", 1) && expect_error(s, "EINVAL"), "empty path: EINVAL");
    OK(send_msg(s, XS_WRITE, 0, 6, "@foo\0x", 6) && expect_error(s, "EINVAL"),
       "writing a special @ path: EINVAL");
    OK(send_msg(s, XS_READ, 77, 2, "/", 2) && expect_error(s, "ENOENT"),
       "unknown transaction id: ENOENT");
    OK(send_msg(s, XS_TRANSACTION_END, 0, 2, "T", 2) && expect_error(s, "ENOENT"),
       "TRANSACTION_END outside a transaction: ENOENT");
    OK(send_msg(s, XS_SET_PERMS, 0, 6, "/tool\0", 6) && expect_error(s, "EINVAL"),
       "SET_PERMS without permissions: EINVAL");
    OK(send_msg(s, XS_SET_PERMS, 0, 9, "/tool\0q0", 9) && expect_error(s, "EINVAL"),
       "SET_PERMS with a bad permission: EINVAL");
    OK(send_msg(s, XS_INTRODUCE, 0, 2, "5", 2) && expect_error(s, "EINVAL"),
       "INTRODUCE with missing arguments: EINVAL");
    OK(send_msg(s, XS_CONTROL, 0, 6, "bogus", 6) && expect_error(s, "EINVAL"),
       "unknown CONTROL command: EINVAL");
    memset(big, 'x', sizeof(big));
    memcpy(big, "/big", 5);
    OK(send_msg(s, XS_WRITE, 0, XENSTORE_PAYLOAD_MAX, big, XENSTORE_PAYLOAD_MAX) &&
       recv_reply(s, big, sizeof(big)) == XS_WRITE, "a payload of exactly 4096 bytes is fine");
    OK(healthy(), "the daemon still serves others");
    OK(send_msg(s, XS_WRITE, 0, XENSTORE_PAYLOAD_MAX + 1, NULL, 0) && closed_by_daemon(s),
       "a payload over 4096 bytes: the connection is closed");
    close(s);
    OK(healthy(), "the daemon still serves others");

    s = dial();
    OK(send_msg(s, XS_WRITE, 0, 100, "/half\0", 6), "a client sends half a message...");
    close(s);
    s = dial();
    send_all(s, "\x02\x00\x00", 3);
    close(s);
    OK(healthy(), "...or half a header, and disconnects: the daemon carries on");

    /* A client that never reads: it is paused, and others are not blocked. */
    s = dial();
    fcntl(s, F_SETFL, O_NONBLOCK);
    {
        struct timespec t0, t1;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (i = 0; i < 200000; i++) {
            struct xsd_sockmsg h = { XS_READ, i, 0, 6 };
            char msg[sizeof(h) + 6];
            struct pollfd pf = { s, POLLOUT, 0 };

            memcpy(msg, &h, sizeof(h));
            memcpy(msg + sizeof(h), "/tool", 6);
            if (poll(&pf, 1, 200) <= 0 || !send_all(s, msg, sizeof(msg)))
                break;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            if (t1.tv_sec - t0.tv_sec > 3)
                break;
        }
    }
    OK(i > 100, "a client sends %d requests and never reads the replies", i);
    OK(healthy(), "the daemon still serves others promptly");
    close(s);

    /* Random bytes. */
    s = dial();
    srand(1);
    for (i = 0; i < 65536; i++)
        big[i % sizeof(big)] = rand();
    for (i = 0; i < 16; i++)
        if (!send_all(s, big, sizeof(big)))
            break;
    close(s);
    OK(healthy(), "64 KiB of random bytes: the daemon carries on");

    /* Many connections at once, then gone. */
    {
        int fds[500], n;

        for (n = 0; n < 500; n++)
            fds[n] = dial();
        OK(healthy(), "500 idle connections: others are served");
        for (n = 0; n < 500; n++)
            close(fds[n]);
    }
    s = dial();
    OK(send_msg(s, XS_WATCH, 0, 7, "/w\0tok", 7), "a client watching...");
    close(s);
    {
        struct xs_handle *h = xs_open(0);

        OK(h && xs_write(h, XBT_NULL, "/w/x", "1", 1), "...disconnects; a write to its path works");
        xs_close(h);
    }
    OK(healthy(), "the daemon is alive at the end");
    return TAP_DONE();
}
