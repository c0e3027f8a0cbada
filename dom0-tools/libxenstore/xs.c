/*
 * xs.c - libxenstore.so.4: the client side of the xenstore protocol, with the API and
 * ABI of Xen 4.17's library (see include/xenstore.h).
 *
 * Design: a handle owns one connection (the daemon's Unix socket, or the xenbus device
 * inside a domain).  Requests are serialised by request_mutex and answered in order.
 * Until the first xs_watch() the requesting thread reads its reply itself; xs_watch()
 * starts a reader thread that files replies on the reply list and watch events on the
 * watch list (and pokes the pipe of xs_fileno()), so that xs_read_watch() in one thread
 * and requests in others can proceed together.  A connection that fails is closed for
 * good: every later call fails.
 *
 * Locking: request_mutex, then reply_mutex, then watch_mutex.  Only the holder of
 * request_mutex writes to fd; only the reader thread (or, before it exists, the holder
 * of request_mutex) reads from it.  The reader thread cannot be cancelled while it
 * holds a mutex.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include "xs_util.h"

#define XS_API __attribute__((visibility("default")))

struct stored_msg {
    struct stored_msg *next;
    struct xsd_sockmsg hdr;
    char *body;                      /* hdr.len bytes and a nul */
};

struct msg_list {
    struct stored_msg *head, *tail;
};

struct xs_handle {
    int fd;
    bool is_socket;
    bool broken;                     /* the connection failed: fd is closed */
    bool unwatch_filter;
    pthread_t reader;
    bool reader_running;
    struct msg_list replies, watches;
    pthread_mutex_t request_mutex, reply_mutex, watch_mutex;
    pthread_cond_t reply_cond, watch_cond;
    int watch_pipe[2];
    uint32_t req_id;
};

static void list_add(struct msg_list *l, struct stored_msg *m)
{
    m->next = NULL;
    if (l->tail)
        l->tail->next = m;
    else
        l->head = m;
    l->tail = m;
}

static struct stored_msg *list_pop(struct msg_list *l)
{
    struct stored_msg *m = l->head;

    if (m) {
        l->head = m->next;
        if (!l->head)
            l->tail = NULL;
    }
    return m;
}

static void list_free(struct msg_list *l)
{
    struct stored_msg *m;

    while ((m = list_pop(l))) {
        free(m->body);
        free(m);
    }
}

static void free_keep_errno(void *p)
{
    int e = errno;

    free(p);
    errno = e;
}

/* ---- paths ---- */

XS_API const char *xs_daemon_rundir(void)
{
    return xsu_rundir();
}

XS_API const char *xs_daemon_socket(void)
{
    return xsu_socket_path();
}

XS_API const char *xs_daemon_socket_ro(void)
{
    return xsu_socket_ro_path();
}

static const char *domain_dev(void)
{
    const char *s = getenv("XENSTORED_PATH");

    if (s)
        return s;
    if (access("/dev/xen/xenbus", F_OK) == 0)
        return "/dev/xen/xenbus";
    return "/proc/xen/xenbus";
}

XS_API bool xs_write_all(int fd, const void *data, unsigned int len)
{
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= n;
    }
    return true;
}

XS_API bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num,
                                const char *strings)
{
    return xsu_strings_to_perms(perms, num, strings);
}

XS_API bool xs_path_is_subpath(const char *parent, const char *child)
{
    size_t pl = strlen(parent), cl = strlen(child);

    if (cl < pl || memcmp(child, parent, pl) != 0)
        return false;
    return cl == pl || child[pl] == '/';
}

/* ---- opening and closing ---- */

static struct xs_handle *get_handle(const char *path)
{
    struct xs_handle *h;
    struct stat st;
    int err;

    if (!path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    if (stat(path, &st) != 0)
        return NULL;
    h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->is_socket = S_ISSOCK(st.st_mode);
    if (h->is_socket) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (strlen(path) >= sizeof(sa.sun_path)) {
            free(h);
            errno = EINVAL;
            return NULL;
        }
        strcpy(sa.sun_path, path);
        h->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (h->fd >= 0 && connect(h->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
            err = errno;
            close(h->fd);
            h->fd = -1;
            errno = err;
        }
    } else {
        h->fd = open(path, O_RDWR | O_CLOEXEC);
    }
    if (h->fd < 0) {
        free_keep_errno(h);
        return NULL;
    }
    h->watch_pipe[0] = h->watch_pipe[1] = -1;
    pthread_mutex_init(&h->request_mutex, NULL);
    pthread_mutex_init(&h->reply_mutex, NULL);
    pthread_mutex_init(&h->watch_mutex, NULL);
    pthread_cond_init(&h->reply_cond, NULL);
    pthread_cond_init(&h->watch_cond, NULL);
    return h;
}

XS_API struct xs_handle *xs_open(unsigned long flags)
{
    struct xs_handle *h = NULL;
    struct stat st;

    if ((flags & XS_OPEN_READONLY) && xs_daemon_socket_ro() &&
        stat(xs_daemon_socket_ro(), &st) == 0 && S_ISSOCK(st.st_mode))
        h = get_handle(xs_daemon_socket_ro());
    if (!h)
        h = get_handle(xs_daemon_socket());
    if (!h && !(flags & XS_OPEN_SOCKETONLY))
        h = get_handle(domain_dev());
    if (h && (flags & XS_UNWATCH_FILTER))
        h->unwatch_filter = true;
    return h;
}

XS_API struct xs_handle *xs_daemon_open(void)
{
    return xs_open(0);
}

XS_API struct xs_handle *xs_daemon_open_readonly(void)
{
    return xs_open(0);
}

XS_API struct xs_handle *xs_domain_open(void)
{
    return xs_open(0);
}

static void close_fds_free(struct xs_handle *h)
{
    if (h->watch_pipe[0] >= 0) {
        close(h->watch_pipe[0]);
        close(h->watch_pipe[1]);
    }
    if (h->fd >= 0)
        close(h->fd);
    free(h);
}

XS_API void xs_daemon_destroy_postfork(struct xs_handle *h)
{
    list_free(&h->replies);
    list_free(&h->watches);
    close_fds_free(h);
}

XS_API void xs_daemon_close(struct xs_handle *h)
{
    if (h->reader_running) {
        pthread_cancel(h->reader);
        pthread_join(h->reader, NULL);
        h->reader_running = false;
    }
    pthread_mutex_lock(&h->request_mutex);
    pthread_mutex_lock(&h->reply_mutex);
    pthread_mutex_lock(&h->watch_mutex);
    list_free(&h->replies);
    list_free(&h->watches);
    pthread_mutex_unlock(&h->watch_mutex);
    pthread_mutex_unlock(&h->reply_mutex);
    pthread_mutex_unlock(&h->request_mutex);
    pthread_mutex_destroy(&h->request_mutex);
    pthread_mutex_destroy(&h->reply_mutex);
    pthread_mutex_destroy(&h->watch_mutex);
    pthread_cond_destroy(&h->reply_cond);
    pthread_cond_destroy(&h->watch_cond);
    close_fds_free(h);
}

XS_API void xs_close(struct xs_handle *h)
{
    if (h)
        xs_daemon_close(h);
}

/* ---- reading messages ---- */

static bool read_all(int fd, void *data, size_t len)
{
    char *p = data;

    while (len) {
        ssize_t n = read(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0) {
            errno = EBADF;          /* the other end closed the connection */
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

/* Read one message and file it (reply or watch event). -1 + errno on failure. */
static int read_message(struct xs_handle *h)
{
    struct stored_msg *m = calloc(1, sizeof(*m));
    int oldstate;

    if (!m)
        return -1;
    if (!read_all(h->fd, &m->hdr, sizeof(m->hdr)))
        goto fail;
    if (m->hdr.len > XENSTORE_PAYLOAD_MAX) {
        errno = E2BIG;
        goto fail;
    }
    m->body = malloc(m->hdr.len + 1);
    if (!m->body)
        goto fail;
    if (!read_all(h->fd, m->body, m->hdr.len))
        goto fail;
    m->body[m->hdr.len] = '\0';

    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &oldstate);
    if (m->hdr.type == XS_WATCH_EVENT) {
        pthread_mutex_lock(&h->watch_mutex);
        if (!h->watches.head && h->watch_pipe[1] >= 0) {
            char c = 0;

            while (write(h->watch_pipe[1], &c, 1) != 1 && errno == EINTR)
                ;
        }
        list_add(&h->watches, m);
        pthread_cond_signal(&h->watch_cond);
        pthread_mutex_unlock(&h->watch_mutex);
    } else {
        pthread_mutex_lock(&h->reply_mutex);
        list_add(&h->replies, m);
        pthread_cond_signal(&h->reply_cond);
        pthread_mutex_unlock(&h->reply_mutex);
    }
    pthread_setcancelstate(oldstate, NULL);
    return 0;
fail:
    free_keep_errno(m->body);
    free_keep_errno(m);
    return -1;
}

static void mark_broken(struct xs_handle *h)
{
    int oldstate;

    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &oldstate);
    pthread_mutex_lock(&h->reply_mutex);
    h->broken = true;
    pthread_cond_broadcast(&h->reply_cond);
    pthread_mutex_unlock(&h->reply_mutex);
    pthread_mutex_lock(&h->watch_mutex);
    pthread_cond_broadcast(&h->watch_cond);
    pthread_mutex_unlock(&h->watch_mutex);
    pthread_setcancelstate(oldstate, NULL);
}

static void *reader_thread(void *arg)
{
    struct xs_handle *h = arg;

    while (read_message(h) == 0)
        ;
    mark_broken(h);
    return NULL;
}

/* The next reply (the caller holds request_mutex); NULL + errno on failure. */
static struct stored_msg *read_reply(struct xs_handle *h)
{
    struct stored_msg *m;

    if (!h->reader_running) {
        /* Read until a reply arrives (watch events are filed on the way). */
        for (;;) {
            pthread_mutex_lock(&h->reply_mutex);
            m = list_pop(&h->replies);
            pthread_mutex_unlock(&h->reply_mutex);
            if (m)
                return m;
            if (h->broken || read_message(h) < 0) {
                if (!h->broken)
                    mark_broken(h);
                if (!errno)
                    errno = EBADF;
                return NULL;
            }
        }
    }
    pthread_mutex_lock(&h->reply_mutex);
    while (!h->replies.head && !h->broken)
        pthread_cond_wait(&h->reply_cond, &h->reply_mutex);
    m = list_pop(&h->replies);
    pthread_mutex_unlock(&h->reply_mutex);
    if (!m)
        errno = EBADF;
    return m;
}

static int errno_from_string(const char *s)
{
    unsigned int i;

    for (i = 0; i < XSU_ARRAY_SIZE(xsd_errors); i++)
        if (strcmp(s, xsd_errors[i].errstring) == 0)
            return xsd_errors[i].errnum;
    return EINVAL;
}

/* Send a request made of iov[0..n) and return the reply's payload (nul-terminated,
 * malloc()ed, length in *len); NULL + errno on failure or an ERROR reply. */
static void *xs_talkv(struct xs_handle *h, xs_transaction_t t, enum xsd_sockmsg_type type,
                      const struct iovec *iov, unsigned int n, unsigned int *len)
{
    struct xsd_sockmsg hdr = { .type = type, .tx_id = t };
    struct iovec v[8];
    struct stored_msg *m;
    unsigned int i, total = 0;
    bool ok = true;
    char *body;
    int err;

    if (n + 1 > XSU_ARRAY_SIZE(v)) {
        errno = E2BIG;
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (iov[i].iov_len > XENSTORE_PAYLOAD_MAX ||
            (total += iov[i].iov_len) > XENSTORE_PAYLOAD_MAX) {
            errno = E2BIG;
            return NULL;
        }
        v[i + 1] = iov[i];
    }
    hdr.len = total;
    v[0].iov_base = &hdr;
    v[0].iov_len = sizeof(hdr);

    pthread_mutex_lock(&h->request_mutex);
    if (h->broken) {
        pthread_mutex_unlock(&h->request_mutex);
        errno = EBADF;
        return NULL;
    }
    hdr.req_id = h->req_id++;
    if (h->is_socket) {
        struct msghdr mh = { .msg_iov = v, .msg_iovlen = n + 1 };
        size_t left = sizeof(hdr) + total;

        while (left) {
            ssize_t w = sendmsg(h->fd, &mh, MSG_NOSIGNAL);

            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                ok = false;
                break;
            }
            left -= w;
            while (w > 0 && mh.msg_iovlen) {
                if ((size_t)w >= mh.msg_iov[0].iov_len) {
                    w -= mh.msg_iov[0].iov_len;
                    mh.msg_iov++;
                    mh.msg_iovlen--;
                } else {
                    mh.msg_iov[0].iov_base = (char *)mh.msg_iov[0].iov_base + w;
                    mh.msg_iov[0].iov_len -= w;
                    w = 0;
                }
            }
        }
    } else {
        /* The xenbus device wants a whole message per write. */
        char *buf = malloc(sizeof(hdr) + total), *p;

        if (!buf) {
            pthread_mutex_unlock(&h->request_mutex);
            return NULL;
        }
        for (i = 0, p = buf; i <= n; p += v[i].iov_len, i++)
            memcpy(p, v[i].iov_base, v[i].iov_len);
        ok = xs_write_all(h->fd, buf, sizeof(hdr) + total);
        free_keep_errno(buf);
    }
    if (!ok) {
        err = errno;
        pthread_mutex_unlock(&h->request_mutex);
        errno = err;
        return NULL;
    }
    m = read_reply(h);
    pthread_mutex_unlock(&h->request_mutex);
    if (!m)
        return NULL;
    body = m->body;
    if (m->hdr.type == XS_ERROR) {
        err = errno_from_string(body);
        free(body);
        free(m);
        errno = err;
        return NULL;
    }
    if (m->hdr.type != type) {
        free(body);
        free(m);
        errno = EBADF;
        return NULL;
    }
    if (len)
        *len = m->hdr.len;
    free(m);
    return body;
}

static void *xs_single(struct xs_handle *h, xs_transaction_t t, enum xsd_sockmsg_type type,
                       const char *s, unsigned int *len)
{
    struct iovec iov = { (void *)s, strlen(s) + 1 };

    return xs_talkv(h, t, type, &iov, 1, len);
}

static bool xs_bool(void *reply)
{
    if (!reply)
        return false;
    free(reply);
    return true;
}

/* ---- the tree ---- */

/* strings[0..len) as an array of pointers followed by the strings, in one block. */
static char **string_array(char *strings, unsigned int len, unsigned int *num)
{
    unsigned int n = xsu_count_strings(strings, len), i;
    char **ret = malloc(n * sizeof(char *) + len + 1), *p;

    if (!ret) {
        free_keep_errno(strings);
        return NULL;
    }
    p = (char *)(ret + n);
    memcpy(p, strings, len);
    p[len] = '\0';
    free(strings);
    for (i = 0; i < n; i++, p += strlen(p) + 1)
        ret[i] = p;
    *num = n;
    return ret;
}

static char **directory_part(struct xs_handle *h, xs_transaction_t t, const char *path,
                             unsigned int *num)
{
    char gen[24] = "", offstr[16], *strings = NULL, *res;
    unsigned int off = 0, rlen;

    for (;;) {
        struct iovec iov[2];
        size_t glen;
        char *ns;

        snprintf(offstr, sizeof(offstr), "%u", off);
        iov[0] = (struct iovec){ (void *)path, strlen(path) + 1 };
        iov[1] = (struct iovec){ offstr, strlen(offstr) + 1 };
        res = xs_talkv(h, t, XS_DIRECTORY_PART, iov, 2, &rlen);
        if (!res) {
            free_keep_errno(strings);
            if (errno == ENOSYS)
                errno = E2BIG;
            return NULL;
        }
        if (off && strcmp(gen, res) != 0) {
            /* The node changed under us: start again. */
            free(res);
            free(strings);
            strings = NULL;
            off = 0;
            gen[0] = '\0';
            continue;
        }
        if (!off)
            snprintf(gen, sizeof(gen), "%s", res);
        glen = strlen(res) + 1;
        rlen -= glen;
        ns = realloc(strings, off + rlen + 1);
        if (!ns) {
            free(res);
            free(strings);
            errno = ENOMEM;
            return NULL;
        }
        strings = ns;
        memcpy(strings + off, res + glen, rlen);
        free(res);
        off += rlen;
        if (off <= 1 || strings[off - 2] == '\0')
            break;
    }
    if (off > 1)
        off--;                /* the empty string that ends the list */
    else
        off = 0;
    return string_array(strings, off, num);
}

XS_API char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
                           unsigned int *num)
{
    unsigned int len;
    char *strings = xs_single(h, t, XS_DIRECTORY, path, &len);

    if (!strings)
        return errno == E2BIG ? directory_part(h, t, path, num) : NULL;
    return string_array(strings, len, num);
}

XS_API void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
    return xs_single(h, t, XS_READ, path, len);
}

XS_API bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
                     const void *data, unsigned int len)
{
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 }, { (void *)data, len } };

    return xs_bool(xs_talkv(h, t, XS_WRITE, iov, 2, NULL));
}

XS_API bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return xs_bool(xs_single(h, t, XS_MKDIR, path, NULL));
}

XS_API bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return xs_bool(xs_single(h, t, XS_RM, path, NULL));
}

XS_API bool xs_restrict(struct xs_handle *h, unsigned domid)
{
    (void)h;
    (void)domid;
    return false;
}

XS_API struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t,
                                                 const char *path, unsigned int *num)
{
    unsigned int len, n;
    char *strings = xs_single(h, t, XS_GET_PERMS, path, &len);
    struct xs_permissions *ret;

    if (!strings)
        return NULL;
    n = xsu_count_strings(strings, len);
    ret = malloc(n * sizeof(*ret) + 1);
    if (!ret) {
        free_keep_errno(strings);
        return NULL;
    }
    if (!xsu_strings_to_perms(ret, n, strings)) {
        free_keep_errno(ret);
        ret = NULL;
    } else {
        *num = n;
    }
    free_keep_errno(strings);
    return ret;
}

XS_API bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                               struct xs_permissions *perms, unsigned int num)
{
    char *buf = malloc((size_t)num * (MAX_STRLEN(unsigned int) + 1) + 1), *p = buf;
    struct iovec iov[2];
    unsigned int i;
    bool ok;

    if (!buf)
        return false;
    for (i = 0; i < num; i++) {
        if (!xsu_perm_to_string(&perms[i], p, MAX_STRLEN(unsigned int) + 1)) {
            free_keep_errno(buf);
            return false;
        }
        p += strlen(p) + 1;
    }
    iov[0] = (struct iovec){ (void *)path, strlen(path) + 1 };
    iov[1] = (struct iovec){ buf, p - buf };
    ok = xs_bool(xs_talkv(h, t, XS_SET_PERMS, iov, 2, NULL));
    free_keep_errno(buf);
    return ok;
}

/* ---- watches ---- */

XS_API int xs_fileno(struct xs_handle *h)
{
    char c = 0;

    pthread_mutex_lock(&h->watch_mutex);
    if (h->watch_pipe[0] == -1 && pipe2(h->watch_pipe, O_CLOEXEC) == 0 && h->watches.head)
        while (write(h->watch_pipe[1], &c, 1) != 1 && errno == EINTR)
            ;
    pthread_mutex_unlock(&h->watch_mutex);
    return h->watch_pipe[0];
}

static int start_reader(struct xs_handle *h)
{
    pthread_attr_t attr;
    sigset_t all, old;
    int ret;

    if (h->reader_running)
        return 0;
    if (pthread_attr_init(&attr))
        return -1;
    pthread_attr_setstacksize(&attr, 256 * 1024);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);     /* the reader takes no signals */
    ret = pthread_create(&h->reader, &attr, reader_thread, h);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (ret) {
        errno = ret;
        return -1;
    }
    h->reader_running = true;
    return 0;
}

XS_API bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 },
                            { (void *)token, strlen(token) + 1 } };

    pthread_mutex_lock(&h->request_mutex);
    if (start_reader(h) < 0) {
        int err = errno;

        pthread_mutex_unlock(&h->request_mutex);
        errno = err;
        return false;
    }
    pthread_mutex_unlock(&h->request_mutex);
    return xs_bool(xs_talkv(h, XBT_NULL, XS_WATCH, iov, 2, NULL));
}

/* Called with watch_mutex held: empty the pipe once no event is left. */
static void clear_watch_pipe(struct xs_handle *h)
{
    char c;

    if (!h->watches.head && h->watch_pipe[0] != -1)
        while (read(h->watch_pipe[0], &c, 1) != 1 && errno == EINTR)
            ;
}

static char **read_watch_internal(struct xs_handle *h, unsigned int *num, bool nonblocking)
{
    struct stored_msg *m;
    char **ret;

    pthread_mutex_lock(&h->watch_mutex);
    while (!h->watches.head && !h->broken) {
        if (nonblocking) {
            pthread_mutex_unlock(&h->watch_mutex);
            errno = EAGAIN;
            return NULL;
        }
        pthread_cond_wait(&h->watch_cond, &h->watch_mutex);
    }
    m = list_pop(&h->watches);
    if (!m) {
        pthread_mutex_unlock(&h->watch_mutex);
        errno = EINVAL;
        return NULL;
    }
    clear_watch_pipe(h);
    pthread_mutex_unlock(&h->watch_mutex);
    ret = string_array(m->body, m->hdr.len, num);
    free(m);
    return ret;
}

XS_API char **xs_check_watch(struct xs_handle *h)
{
    unsigned int num;

    return read_watch_internal(h, &num, true);
}

XS_API char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
    return read_watch_internal(h, num, false);
}

XS_API bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 },
                            { (void *)token, strlen(token) + 1 } };
    struct stored_msg **pp;
    bool ok = xs_bool(xs_talkv(h, XBT_NULL, XS_UNWATCH, iov, 2, NULL));
    int err = errno;

    if (!h->unwatch_filter)
        return ok;
    /* Drop the events of that watch still queued. */
    pthread_mutex_lock(&h->watch_mutex);
    h->watches.tail = NULL;
    for (pp = &h->watches.head; *pp;) {
        struct stored_msg *m = *pp;
        const char *vec[2];
        unsigned int n = 0, off = 0;

        while (off < m->hdr.len && n < 2) {
            vec[n++] = m->body + off;
            off += strlen(m->body + off) + 1;
        }
        if (n == 2 && strcmp(vec[XS_WATCH_TOKEN], token) == 0 &&
            xs_path_is_subpath(path, vec[XS_WATCH_PATH])) {
            *pp = m->next;
            free(m->body);
            free(m);
            continue;
        }
        h->watches.tail = m;
        pp = &m->next;
    }
    clear_watch_pipe(h);
    pthread_mutex_unlock(&h->watch_mutex);
    errno = err;
    return ok;
}

/* ---- transactions ---- */

XS_API xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
    char *id = xs_single(h, XBT_NULL, XS_TRANSACTION_START, "", NULL);
    xs_transaction_t t;

    if (!id)
        return XBT_NULL;
    t = strtoul(id, NULL, 0);
    free(id);
    return t;
}

XS_API bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
    return xs_bool(xs_single(h, t, XS_TRANSACTION_END, abort ? "F" : "T", NULL));
}

/* ---- domains ---- */

XS_API bool xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
                                unsigned int eventchn)
{
    char d[16], m[24], e[16];
    struct iovec iov[3];

    snprintf(d, sizeof(d), "%u", domid);
    snprintf(m, sizeof(m), "%lu", mfn);
    snprintf(e, sizeof(e), "%u", eventchn);
    iov[0] = (struct iovec){ d, strlen(d) + 1 };
    iov[1] = (struct iovec){ m, strlen(m) + 1 };
    iov[2] = (struct iovec){ e, strlen(e) + 1 };
    return xs_bool(xs_talkv(h, XBT_NULL, XS_INTRODUCE, iov, 3, NULL));
}

XS_API bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target)
{
    char d[16], t[16];
    struct iovec iov[2];

    snprintf(d, sizeof(d), "%u", domid);
    snprintf(t, sizeof(t), "%u", target);
    iov[0] = (struct iovec){ d, strlen(d) + 1 };
    iov[1] = (struct iovec){ t, strlen(t) + 1 };
    return xs_bool(xs_talkv(h, XBT_NULL, XS_SET_TARGET, iov, 2, NULL));
}

static void *single_domid(struct xs_handle *h, enum xsd_sockmsg_type type, unsigned int domid)
{
    char d[16];

    snprintf(d, sizeof(d), "%u", domid);
    return xs_single(h, XBT_NULL, type, d, NULL);
}

XS_API bool xs_release_domain(struct xs_handle *h, unsigned int domid)
{
    return xs_bool(single_domid(h, XS_RELEASE, domid));
}

XS_API bool xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
    return xs_bool(single_domid(h, XS_RESUME, domid));
}

XS_API char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
    return single_domid(h, XS_GET_DOMAIN_PATH, domid);
}

XS_API bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
    char *r = single_domid(h, XS_IS_DOMAIN_INTRODUCED, domid);
    bool yes;

    if (!r)
        return false;
    yes = strcmp(r, "F") != 0;
    free(r);
    return yes;
}

XS_API int xs_suspend_evtchn_port(int domid)
{
    char path[128], *s;
    unsigned int len;
    struct xs_handle *h = xs_daemon_open();
    int port = -1;

    if (!h)
        return -1;
    snprintf(path, sizeof(path), "/local/domain/%d/device/suspend/event-channel", domid);
    s = xs_read(h, XBT_NULL, path, &len);
    xs_daemon_close(h);
    if (s && len)
        port = atoi(s);
    free(s);
    return port;
}

XS_API char *xs_control_command(struct xs_handle *h, const char *cmd, void *data,
                                unsigned int len)
{
    struct iovec iov[2] = { { (void *)cmd, strlen(cmd) + 1 }, { data, len } };

    return xs_talkv(h, XBT_NULL, XS_CONTROL, iov, 2, NULL);
}

XS_API char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data,
                              unsigned int len)
{
    return xs_control_command(h, cmd, data, len);
}
