/*
 * main.c - xenstored's start-up and its poll() loop: options (Xen's, plus a few of
 * Parva's), the Unix sockets, the platform's event channel and the connections.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "core.h"

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t stop_requested;

static void usage(FILE *f)
{
    fprintf(f,
"Usage:\n"
"\n"
"  xenstored <options>\n"
"\n"
"where options may include:\n"
"\n"
"  -F, --pid-file <file>   giving a file for the daemon's pid to be written,\n"
"  -H, --help              to output this message,\n"
"  -N, --no-fork           to request that the daemon does not fork,\n"
"  -P, --output-pid        to request that the pid of the daemon is output,\n"
"  -T, --trace-file <file> giving the file for logging, and\n"
"      --trace-control=+<switch> activate a specific <switch>\n"
"      --trace-control=-<switch> deactivate a specific <switch>\n"
"  -E, --entry-nb <nb>     limit the number of entries per domain,\n"
"  -S, --entry-size <size> limit the size of entry per domain, and\n"
"  -W, --watch-nb <nb>     limit the number of watches per domain,\n"
"  -t, --transaction <nb>  limit the number of transaction allowed per domain,\n"
"  -A, --perm-nb <nb>      limit the number of permissions per node,\n"
"  -M, --path-max <chars>  limit the allowed Xenstore node path length,\n"
"  -Q, --quota <what>=<nb> set the quota <what> to the value <nb>, allowed\n"
"                          quotas are:\n"
"                          transaction-nodes: number of accessed node per\n"
"                                             transaction\n"
"                          memory: total used memory per domain (accepted,\n"
"                                  not enforced)\n"
"                          nodes: number nodes owned by a domain\n"
"                          node-permissions: number of access permissions per\n"
"                                            node\n"
"                          node-size: total size of a node (permissions +\n"
"                                     children names + content)\n"
"                          outstanding: number of outstanding requests\n"
"                          path-length: length of a node path\n"
"                          transactions: number of concurrent transactions\n"
"                                        per domain\n"
"                          watches: number of watches per domain\n"
"  -q, --quota-soft <what>=<nb> set a soft quota <what> to the value <nb>\n"
"                          (memory: accepted, not enforced)\n"
"  -w, --timeout <what>=<seconds>   set the timeout in seconds for <what>\n"
"                          (watch-event: accepted, not enforced)\n"
"  -R, --no-recovery       accepted for compatibility (no effect),\n"
"  -I, --internal-db       accepted for compatibility (the store is in memory),\n"
"  -K, --keep-orphans      don't delete nodes owned by a domain when the\n"
"                          domain is deleted (this is a security risk!)\n"
"  -m, --master-domid <id> the domain xenstored runs in (default 0),\n"
"  -p, --priv-domid <id>   a second privileged domain (default 0),\n"
"  -e, --event <port>      the event channel of the master domain (unused),\n"
"  -V, --verbose           to request verbose execution.\n"
"\n"
"Parva's options:\n"
"  -s, --socket <path>     the read-write socket (default: $XENSTORED_PATH, else\n"
"                          $XENSTORED_RUNDIR/socket, else /var/run/xenstored/socket);\n"
"                          the read-only socket is <path>_ro,\n"
"  -L, --log-file <file>   log to <file> (default: syslog, or stderr with -N),\n"
"      --syslog            log to syslog even with -N,\n"
"      --platform <name>   how domains are reached: xen (a Linux dom0: /dev/xen/evtchn,\n"
"                          xenfs, privcmd), host (tests: --ring-dir), or auto (default:\n"
"                          xen when /dev/xen/evtchn exists, else host),\n"
"      --ring-dir <dir>    where host-side domain rings live (default <rundir>/rings).\n");
}

static unsigned int optval(const char *arg)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(arg, &end, 10);
    if (!*arg || *end || errno || v > INT_MAX) {
        fprintf(stderr, "xenstored: invalid parameter value \"%s\"\n", arg);
        exit(1);
    }
    return v;
}

static void set_quota(const char *arg, struct quota *q)
{
    static const struct { const char *alias; enum quota_item item; } aliases[] = {
        { "path-length", Q_PATHLEN },
    };
    const char *eq = strchr(arg, '=');
    unsigned int i, val;

    if (!eq) {
        fprintf(stderr, "xenstored: quotas must be specified via <what>=<nb>\n");
        exit(1);
    }
    val = optval(eq + 1);
    for (i = 0; i < Q_COUNT; i++)
        if (q[i].name && strlen(q[i].name) == (size_t)(eq - arg) &&
            !strncmp(arg, q[i].name, eq - arg)) {
            q[i].val = val;
            return;
        }
    for (i = 0; q == hard_quotas && i < XSU_ARRAY_SIZE(aliases); i++)
        if (strlen(aliases[i].alias) == (size_t)(eq - arg) &&
            !strncmp(arg, aliases[i].alias, eq - arg)) {
            q[aliases[i].item].val = val;
            return;
        }
    fprintf(stderr, "xenstored: unknown quota \"%s\"\n", arg);
    exit(1);
}

/* ---- socket connections ---- */
static int sock_read(struct conn *c, void *buf, unsigned int len)
{
    ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);

    if (n > 0)
        return n;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    return -1;                 /* EOF or error */
}

static int sock_write(struct conn *c, const void *buf, unsigned int len)
{
    ssize_t n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return -1;
}

static bool sock_can(struct conn *c)
{
    (void)c;
    return true;               /* poll() decides */
}

static void sock_destroy(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
}

static const struct conn_ops sock_ops = {
    .read = sock_read,
    .write = sock_write,
    .can_read = sock_can,
    .can_write = sock_can,
    .destroy = sock_destroy,
};

static void mkdirs(const char *path)
{
    char *p = strdup(path), *s;

    if (!p)
        return;
    for (s = p + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    free(p);
}

static int listen_on(const char *path, mode_t mode)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "xenstored: socket path too long: %s\n", path);
        exit(1);
    }
    strcpy(sa.sun_path, path);
    mkdirs(path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, mode) < 0 ||
        listen(fd, 64) < 0) {
        fprintf(stderr, "xenstored: cannot listen on %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return fd;
}

static void accept_on(int lfd, bool can_write)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0)
            return;
        if (!conn_new(&sock_ops, fd, 0, can_write)) {
            xsd_log(LOG_ERROR_L, "out of memory accepting a connection");
            close(fd);
        }
    }
}

static void on_signal(int sig)
{
    char c = (char)sig;

    if (sig != SIGHUP)
        stop_requested = 1;
    if (write(sig_pipe[1], &c, 1) < 0) {
        /* nothing to do */
    }
}

static void daemonize(bool print_pid)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0) {
        perror("xenstored: fork");
        exit(1);
    }
    if (pid) {
        if (print_pid)
            printf("%ld\n", (long)pid);
        exit(0);
    }
    setsid();
    if (chdir("/") < 0)
        exit(1);
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
}

enum { OPT_TRACE_CONTROL = 256, OPT_SYSLOG, OPT_RING_DIR, OPT_PLATFORM };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "entry-nb", 1, NULL, 'E' }, { "pid-file", 1, NULL, 'F' },
        { "event", 1, NULL, 'e' }, { "master-domid", 1, NULL, 'm' },
        { "help", 0, NULL, 'H' }, { "no-fork", 0, NULL, 'N' },
        { "priv-domid", 1, NULL, 'p' }, { "output-pid", 0, NULL, 'P' },
        { "entry-size", 1, NULL, 'S' }, { "trace-file", 1, NULL, 'T' },
        { "trace-control", 1, NULL, OPT_TRACE_CONTROL }, { "transaction", 1, NULL, 't' },
        { "perm-nb", 1, NULL, 'A' }, { "path-max", 1, NULL, 'M' },
        { "quota", 1, NULL, 'Q' }, { "quota-soft", 1, NULL, 'q' },
        { "timeout", 1, NULL, 'w' }, { "no-recovery", 0, NULL, 'R' },
        { "internal-db", 2, NULL, 'I' }, { "keep-orphans", 0, NULL, 'K' },
        { "watch-nb", 1, NULL, 'W' }, { "verbose", 0, NULL, 'V' },
        { "socket", 1, NULL, 's' }, { "log-file", 1, NULL, 'L' },
        { "syslog", 0, NULL, OPT_SYSLOG }, { "ring-dir", 1, NULL, OPT_RING_DIR },
        { "platform", 1, NULL, OPT_PLATFORM },
        { NULL, 0, NULL, 0 }
    };
    const char *pidfile = NULL, *sockpath = NULL, *logpath = NULL, *platform_name = "auto";
    bool dofork = true, print_pid = false, use_syslog = false;
    int opt, sock, ro_sock, ret;
    long master_port;
    char ro_path[PATH_MAX];
    struct pollfd *pfds = NULL;
    unsigned int pcap = 0;

    while ((opt = getopt_long(argc, argv, "E:F:HI::KNPS:t:A:M:Q:q:T:RVW:w:e:m:p:s:L:", opts,
                              NULL)) != -1) {
        switch (opt) {
        case 'E': hard_quotas[Q_NODES].val = optval(optarg); break;
        case 'F': pidfile = optarg; break;
        case 'H': usage(stdout); return 0;
        case 'N': dofork = false; break;
        case 'P': print_pid = true; break;
        case 'S': hard_quotas[Q_NODESIZE].val = optval(optarg); break;
        case 't': hard_quotas[Q_TRANSACTIONS].val = optval(optarg); break;
        case 'T': tracefile = strdup(optarg); break;
        case OPT_TRACE_CONTROL:
            if ((optarg[0] != '+' && optarg[0] != '-') || !optarg[1]) {
                fprintf(stderr, "xenstored: Illegal trace switch \"%s\"\n", optarg);
                return 1;
            }
            break;
        case 'K': keep_orphans = true; break;
        case 'W': hard_quotas[Q_WATCHES].val = optval(optarg); break;
        case 'A': hard_quotas[Q_PERMS].val = optval(optarg); break;
        case 'M':
            hard_quotas[Q_PATHLEN].val = optval(optarg);
            if (hard_quotas[Q_PATHLEN].val > XENSTORE_REL_PATH_MAX)
                hard_quotas[Q_PATHLEN].val = XENSTORE_REL_PATH_MAX;
            break;
        case 'Q': set_quota(optarg, hard_quotas); break;
        case 'q': set_quota(optarg, soft_quotas); break;
        case 'w':
            if (strncmp(optarg, "watch-event=", 12)) {
                fprintf(stderr, "xenstored: unknown timeout \"%s\"\n", optarg);
                return 1;
            }
            optval(optarg + 12);
            break;
        case 'R': case 'I': case 'e': break;
        case 'm': master_domid = optval(optarg); break;
        case 'p': priv_domid = optval(optarg); break;
        case 'V': verbose = true; break;
        case 's': sockpath = optarg; break;
        case 'L': logpath = optarg; break;
        case OPT_SYSLOG: use_syslog = true; break;
        case OPT_RING_DIR: host_ring_dir = strdup(optarg); break;
        case OPT_PLATFORM: platform_name = optarg; break;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "xenstored: No arguments desired\n");
        return 1;
    }
    if (!strcmp(platform_name, "xen") ||
        (!strcmp(platform_name, "auto") && access("/dev/xen/evtchn", F_OK) == 0))
        platform = &xen_platform;
    else if (!strcmp(platform_name, "host") || !strcmp(platform_name, "auto"))
        platform = &host_platform;
    else {
        fprintf(stderr, "xenstored: unknown platform \"%s\" (xen, host or auto)\n", platform_name);
        return 1;
    }
    if (!sockpath)
        sockpath = xsu_socket_path();
    if (!sockpath || snprintf(ro_path, sizeof(ro_path), "%s_ro", sockpath) >= (int)sizeof(ro_path)) {
        fprintf(stderr, "xenstored: socket path too long\n");
        return 1;
    }

    signal(SIGPIPE, SIG_IGN);
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        perror("xenstored: pipe");
        return 1;
    }
    sock = listen_on(sockpath, 0600);
    ro_sock = listen_on(ro_path, 0660);
    log_open(logpath, use_syslog || (dofork && !logpath), !dofork ? true : false);
    domain_setup();
    if (tree_init()) {
        fprintf(stderr, "xenstored: out of memory\n");
        return 1;
    }
    ret = platform->init();
    if (ret)
        xsd_log(LOG_WARN_L, "%s platform: %s; domains cannot be introduced", platform->name,
                strerror(ret));
    else if (platform->master_port && (master_port = platform->master_port()) > 0) {
        /* Our own domain's ring, which its kernel set up for a local xenstored (Xen's dom0_init). */
        ret = domain_introduce(master_domid, 0, master_port);
        if (ret)
            xsd_log(LOG_WARN_L, "domain %u (ours): ring on port %ld not connected: %s", master_domid,
                    master_port, strerror(ret));
        else
            platform->notify(domain_find(master_domid)->port);
    }
    if (dofork)
        daemonize(print_pid);
    else if (print_pid)
        printf("%ld\n", (long)getpid());
    fflush(stdout);
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");

        if (f) {
            fprintf(f, "%ld\n", (long)getpid());
            fclose(f);
        }
    }
    trace_open();
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGHUP, on_signal);
    xsd_log(LOG_INFO_L, "listening on %s and %s", sockpath, ro_path);

    while (!stop_requested) {
        unsigned int n = 0, nconn = 0, i;
        int timeout = -1, pfd_fd = platform->fd();
        struct conn *c;

        for (c = connections; c; c = c->next)
            nconn++;
        if (pcap < nconn + 4) {
            pcap = nconn + 64;
            free(pfds);
            pfds = calloc(pcap, sizeof(*pfds));
            if (!pfds) {
                xsd_log(LOG_ERROR_L, "out of memory");
                return 1;
            }
        }
        pfds[n++] = (struct pollfd){ sock, POLLIN, 0 };
        pfds[n++] = (struct pollfd){ ro_sock, POLLIN, 0 };
        pfds[n++] = (struct pollfd){ sig_pipe[0], POLLIN, 0 };
        pfds[n++] = (struct pollfd){ pfd_fd, POLLIN, 0 };
        for (c = connections; c; c = c->next) {
            if (c->fd >= 0) {
                short ev = (conn_wants_read(c) ? POLLIN : 0) | (c->out_head ? POLLOUT : 0);

                pfds[n++] = (struct pollfd){ c->fd, ev, 0 };
            } else if (conn_wants_read(c) || (c->out_head && c->ops->can_write(c))) {
                timeout = 0;
            }
        }
        if (poll(pfds, n, timeout) < 0 && errno != EINTR) {
            xsd_log(LOG_ERROR_L, "poll failed: %s", strerror(errno));
            break;
        }
        if (pfds[2].revents) {
            char buf[16];

            while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
                ;
            trace_open();
        }
        if (pfds[3].revents)
            domain_handle_event();
        /* Connections: the pollfds of socket clients follow in list order. */
        i = 4;
        for (c = connections; c; c = c->next) {
            short rev = 0;

            if (i < n && c->fd >= 0 && pfds[i].fd == c->fd)
                rev = pfds[i++].revents;
            else if (c->fd >= 0)
                continue;              /* accepted during this round */
            if (c->dead)
                continue;
            if (c->fd >= 0) {
                if ((rev & (POLLIN | POLLHUP | POLLERR)) && conn_wants_read(c))
                    conn_handle_input(c);
                else if (rev & (POLLHUP | POLLERR))
                    conn_kill(c, "hung up");
            } else if (conn_wants_read(c)) {
                conn_handle_input(c);
            }
            if (!c->dead && c->out_head)
                conn_handle_output(c);
        }
        if (pfds[0].revents)
            accept_on(sock, true);
        if (pfds[1].revents)
            accept_on(ro_sock, false);
        conn_reap();
    }

    xsd_log(LOG_INFO_L, "exiting");
    while (connections)
        conn_free(connections);
    domain_teardown();
    tree_fini();
    free(pfds);
    close(sock);
    close(ro_sock);
    unlink(sockpath);
    unlink(ro_path);
    if (pidfile)
        unlink(pidfile);
    trace_close();
    free(tracefile);
    return 0;
}
