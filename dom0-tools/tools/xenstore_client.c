/*
 * xenstore_client.c - the xenstore tools in one binary: "xenstore <mode> ..." or a link
 * named xenstore-<mode> (read, write, ls, list, rm, exists, chmod, watch).  Options,
 * output and exit codes follow Xen's tools; every mode but ls and watch runs in one
 * transaction, retried when it conflicts, and prints only once it has committed.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "xs_util.h"

enum mode { MODE_unknown, MODE_chmod, MODE_exists, MODE_list, MODE_ls, MODE_read, MODE_rm,
            MODE_write, MODE_watch };

#define STRING_MAX (XENSTORE_ABS_PATH_MAX + 1024)
#define TAG " = \"...\""
#define TAG_LEN ((int)strlen(TAG))

static char *output_buf;
static size_t output_pos, output_size;
static int max_width = 80, desired_width = 60, show_whole_path;

static void output_raw(const char *data, size_t len)
{
    if (output_pos + len + 1 > output_size) {
        output_size = output_pos + len + 1024;
        output_buf = realloc(output_buf, output_size);
        if (!output_buf)
            err(1, "malloc");
    }
    memcpy(output_buf + output_pos, data, len);
    output_pos += len;
    output_buf[output_pos] = '\0';
}

static void output(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void output(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int len;

    va_start(ap, fmt);
    len = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (len < 0)
        err(1, "output");
    output_raw(s, len);
    free(s);
}

static void usage(enum mode mode, int incl_mode, const char *progname)
{
    const char *m = NULL;

    switch (mode) {
    case MODE_unknown:
        errx(1, "Usage: %s <mode> [-h] [...]", progname);
    case MODE_read:
        errx(1, "Usage: %s %s[-h] [-p] [-s] [-R] key [...]", progname, incl_mode ? "read " : "");
    case MODE_write:
        errx(1, "Usage: %s %s[-h] [-s] [-R] key value [...]", progname, incl_mode ? "write " : "");
    case MODE_rm:
        errx(1, "Usage: %s %s[-h] [-s] [-t] key [...]", progname, incl_mode ? "rm " : "");
    case MODE_exists:
        m = incl_mode ? "exists " : "";
        /* fall through */
    case MODE_list:
        m = m ? m : incl_mode ? "list " : "";
        errx(1, "Usage: %s %s[-h] [-p] [-s] key [...]", progname, m);
    case MODE_ls:
        errx(1, "Usage: %s %s[-h] [-f] [-p] [-s] [path]", progname, incl_mode ? "ls " : "");
    case MODE_chmod:
        errx(1, "Usage: %s %s[-h] [-u] [-r] [-s] key <mode [modes...]>", progname,
             incl_mode ? "chmod " : "");
    case MODE_watch:
        errx(1, "Usage: %s %s[-h] [-n NR] key", progname, incl_mode ? "watch " : "");
    }
    exit(1);
}

static void do_ls(struct xs_handle *h, const char *path, int depth, int show_perms)
{
    char **e, *newpath = malloc(STRING_MAX);
    unsigned int num, len, i;

    if (!newpath)
        err(1, "malloc in do_ls");
    e = xs_directory(h, XBT_NULL, path, &num);
    if (!e) {
        if (depth && (errno == ENOENT || errno == EACCES)) {
            free(newpath);          /* a node vanished while we listed: move on */
            return;
        }
        err(1, "xs_directory (%s)", path);
    }
    for (i = 0; i < num; i++) {
        char buf[MAX_STRLEN(unsigned int) + 1], *val, *san;
        struct xs_permissions *perms;
        unsigned int nperms, j;
        int linewid = 0;

        if (snprintf(newpath, STRING_MAX, "%s%s%s", path,
                     path[strlen(path) - 1] == '/' ? "" : "/", e[i]) >= STRING_MAX)
            errx(1, "path too long");
        if (show_whole_path) {
            fputs(newpath, stdout);
        } else {
            for (; linewid < depth; linewid++)
                putchar(' ');
            linewid += printf("%.*s", max_width - TAG_LEN - linewid, e[i]);
        }
        val = xs_read(h, XBT_NULL, newpath, &len);
        if (!val) {
            printf(":\n");
        } else {
            san = xsu_sanitise(val, len);
            if (!san)
                err(1, "malloc");
            if (max_width < linewid + (int)len + TAG_LEN) {
                printf(" = \"%.*s\\...\"", max_width - TAG_LEN - linewid, san);
            } else {
                linewid += printf(" = \"%s\"", san);
                if (show_perms) {
                    putchar(' ');
                    for (linewid++; linewid < (desired_width < max_width ? desired_width : max_width);
                         linewid++)
                        putchar(linewid & 1 ? '.' : ' ');
                }
            }
            free(san);
        }
        free(val);
        if (show_perms) {
            perms = xs_get_permissions(h, XBT_NULL, newpath, &nperms);
            if (!perms) {
                warn("\ncould not access permissions for %s", e[i]);
            } else {
                fputs("  (", stdout);
                for (j = 0; j < nperms; j++) {
                    if (j)
                        putchar(',');
                    xsu_perm_to_string(&perms[j], buf, sizeof(buf));
                    fputs(buf, stdout);
                }
                putchar(')');
                free(perms);
            }
        }
        putchar('\n');
        do_ls(h, newpath, depth + 1, show_perms);
    }
    free(e);
    free(newpath);
}

static void do_chmod(char *path, struct xs_permissions *perms, int nperms, int upto,
                     int recurse, struct xs_handle *h, xs_transaction_t t)
{
    if (!path[0])
        return;
    if (!xs_set_permissions(h, t, path, perms, nperms))
        err(1, "Error occurred setting permissions on '%s'", path);
    if (upto) {
        char *sep = strrchr(path, '/');

        if (!sep)
            errx(1, "Unable to locate path separator '/' in '%s'", path);
        *sep = '\0';
        do_chmod(path, perms, nperms, 1, 0, h, t);
        *sep = '/';
    }
    if (recurse) {
        char buf[XENSTORE_ABS_PATH_MAX + 1];
        unsigned int num, i;
        char **list = xs_directory(h, t, path, &num);

        if (list) {
            for (i = 0; i < num; i++) {
                snprintf(buf, sizeof(buf), "%s/%s", path, list[i]);
                do_chmod(buf, perms, nperms, 0, 1, h, t);
            }
            free(list);
        }
    }
}

static void do_watch(struct xs_handle *h, int max_events)
{
    int count;

    for (count = 0; max_events == -1 || count < max_events; count++) {
        unsigned int num;
        char **vec = xs_read_watch(h, &num);

        if (!vec) {
            if (errno == EINVAL || errno == EBADF)
                errx(1, "lost the connection to xenstored");
            continue;
        }
        printf("%s\n", vec[XS_WATCH_PATH]);
        fflush(stdout);
        free(vec);
    }
}

static int do_rm(const char *path, struct xs_handle *h, xs_transaction_t t)
{
    if (xs_rm(h, t, path))
        return 0;
    warnx("could not remove path %s", path);
    return 1;
}

static int perform(enum mode mode, int optind, int argc, char **argv, struct xs_handle *h,
                   xs_transaction_t t, int prefix, int tidy, int upto, int recurse,
                   int nr_watches, int raw)
{
    switch (mode) {
    case MODE_ls:
        do_ls(h, argv[optind], 0, prefix);
        return 0;
    case MODE_watch:
        do_watch(h, nr_watches);
        return 0;
    default:
        break;
    }
    while (optind < argc) {
        switch (mode) {
        case MODE_read: {
            unsigned int len;
            char *val = xs_read(h, t, argv[optind], &len), *san;

            if (!val) {
                warnx("couldn't read path %s", argv[optind]);
                return 1;
            }
            if (prefix)
                output("%s: ", argv[optind]);
            if (raw) {
                output_raw(val, len);       /* as it is: no escapes, no newline */
            } else {
                san = xsu_sanitise(val, len);
                if (!san)
                    err(1, "malloc");
                output("%s\n", san);
                free(san);
            }
            free(val);
            optind++;
            break;
        }
        case MODE_write: {
            const char *spec = argv[optind + 1];
            char *buf = NULL;
            const char *val = spec;
            unsigned int len = strlen(spec);

            if (!raw) {
                buf = malloc(strlen(spec) + 1);
                if (!buf)
                    err(1, "malloc");
                xsu_unsanitise(buf, &len, spec);
                val = buf;
            }
            if (!xs_write(h, t, argv[optind], val, len)) {
                warnx("could not write path %s", argv[optind]);
                free(buf);
                return 1;
            }
            free(buf);
            optind += 2;
            break;
        }
        case MODE_rm: {
            char *path = argv[optind];

            if (tidy) {
                /* Also remove each parent left empty and without a value. */
                char *p = strdup(path), *slash;

                if (!p)
                    err(1, "malloc");
                for (;;) {
                    char *val;
                    unsigned int len, num;
                    bool again = false;

                    if (do_rm(p, h, t)) {
                        free(p);
                        return 1;
                    }
                    slash = strrchr(p, '/');
                    if (!slash)
                        break;
                    *slash = '\0';
                    val = xs_read(h, t, p, &len);
                    if (val && len == 0) {
                        char **list = xs_directory(h, t, p, &num);

                        if (list) {
                            free(list);
                            again = num == 0;
                        }
                    }
                    free(val);
                    if (!again)
                        break;
                }
                free(p);
            } else if (do_rm(path, h, t)) {
                return 1;
            }
            optind++;
            break;
        }
        case MODE_exists: {
            char *val = xs_read(h, t, argv[optind], NULL);

            if (!val)
                return 1;
            free(val);
            optind++;
            break;
        }
        case MODE_list: {
            unsigned int i, num;
            char **list = xs_directory(h, t, argv[optind], &num);

            if (!list) {
                warnx("could not list path %s", argv[optind]);
                return 1;
            }
            for (i = 0; i < num; i++) {
                if (prefix)
                    output("%s/", argv[optind]);
                output("%s\n", list[i]);
            }
            free(list);
            optind++;
            break;
        }
        case MODE_chmod: {
            char *path = argv[optind++];
            int nperms = argc - optind, i;
            struct xs_permissions *perms = calloc(nperms ? nperms : 1, sizeof(*perms));

            if (!perms)
                err(1, "malloc");
            for (i = 0; optind < argc; optind++, i++) {
                perms[i].id = atoi(argv[optind] + 1);
                switch (argv[optind][0]) {
                case 'n': perms[i].perms = XS_PERM_NONE; break;
                case 'r': perms[i].perms = XS_PERM_READ; break;
                case 'w': perms[i].perms = XS_PERM_WRITE; break;
                case 'b': perms[i].perms = XS_PERM_READ | XS_PERM_WRITE; break;
                default:
                    errx(1, "Invalid permission specification: '%c'", argv[optind][0]);
                }
            }
            do_chmod(path, perms, nperms, upto, recurse, h, t);
            free(perms);
            break;
        }
        default:
            errx(1, "Invalid mode %d", mode);
        }
    }
    return 0;
}

static enum mode lookup_mode(const char *m)
{
    static const struct { const char *name; enum mode mode; } modes[] = {
        { "chmod", MODE_chmod }, { "exists", MODE_exists }, { "list", MODE_list },
        { "ls", MODE_ls }, { "read", MODE_read }, { "rm", MODE_rm }, { "write", MODE_write },
        { "watch", MODE_watch },
    };
    unsigned int i;

    for (i = 0; i < XSU_ARRAY_SIZE(modes); i++)
        if (!strcmp(m, modes[i].name))
            return modes[i].mode;
    errx(1, "unknown mode %s\n", m);
}

int main(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", 0, 0, 'h' }, { "flat", 0, 0, 'f' }, { "socket", 0, 0, 's' },
        { "prefix", 0, 0, 'p' }, { "tidy", 0, 0, 't' }, { "upto", 0, 0, 'u' },
        { "recurse", 0, 0, 'r' }, { "number", 1, 0, 'n' }, { "raw", 0, 0, 'R' },
        { 0, 0, 0, 0 }
    };
    int ret = 0, socket = 0, prefix = 0, tidy = 0, upto = 0, recurse = 0, nr_watches = -1;
    int raw = 0, transaction, switch_argv = 0, c;
    char *cmd = strdup(argv[0]), *base;
    static char root[] = "/";
    static char *ls_argv[] = { root, NULL };
    struct xs_handle *h;
    xs_transaction_t t = XBT_NULL;
    enum mode mode;

    if (!cmd)
        err(1, "strdup");
    base = basename(cmd);
    if (!strncmp(base, "xenstore-", 9)) {
        mode = lookup_mode(base + 9);
    } else {
        if (argc < 2)
            usage(MODE_unknown, 0, argv[0]);
        mode = lookup_mode(argv[1]);
        switch_argv = 1;
    }
    while ((c = getopt_long(argc - switch_argv, argv + switch_argv, "hfspturn:R", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(mode, switch_argv, argv[0]);
            break;
        case 'f':
            if (mode != MODE_ls)
                usage(mode, switch_argv, argv[0]);
            max_width = INT_MAX / 2;
            desired_width = 0;
            show_whole_path = 1;
            break;
        case 's':
            socket = 1;
            break;
        case 'p':
            if (mode != MODE_read && mode != MODE_list && mode != MODE_ls)
                usage(mode, switch_argv, argv[0]);
            prefix = 1;
            break;
        case 't':
            if (mode != MODE_rm)
                usage(mode, switch_argv, argv[0]);
            tidy = 1;
            break;
        case 'u':
            if (mode != MODE_chmod)
                usage(mode, switch_argv, argv[0]);
            upto = 1;
            break;
        case 'r':
            if (mode != MODE_chmod)
                usage(mode, switch_argv, argv[0]);
            recurse = 1;
            break;
        case 'n':
            if (mode != MODE_watch)
                usage(mode, switch_argv, argv[0]);
            nr_watches = atoi(optarg);
            break;
        case 'R':
            if (mode != MODE_read && mode != MODE_write)
                usage(mode, switch_argv, argv[0]);
            raw = 1;
            break;
        default:
            break;              /* getopt said why; carry on, as Xen's tools do */
        }
    }
    argc -= switch_argv;
    argv += switch_argv;
    switch (mode) {
    case MODE_ls:
        break;
    case MODE_write:
        if ((argc - optind) % 2 == 1)
            usage(mode, switch_argv, argv[-switch_argv]);
        /* fall through */
    default:
        if (optind == argc)
            usage(mode, switch_argv, argv[-switch_argv]);
    }
    if (mode == MODE_ls) {
        struct winsize ws;

        if (optind == argc) {
            optind = 0;
            argc = 1;
            argv = ls_argv;
        }
        if (!show_whole_path && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 2)
            max_width = ws.ws_col - 2;
    }
    transaction = mode != MODE_ls && mode != MODE_watch;

    h = xs_open(socket ? XS_OPEN_SOCKETONLY : 0);
    if (!h)
        err(1, "xs_open");
    if (mode == MODE_watch) {
        for (; optind < argc; optind++)
            if (!xs_watch(h, argv[optind], argv[optind]))
                errx(1, "Unable to add watch on %s\n", argv[optind]);
    }
again:
    if (transaction) {
        t = xs_transaction_start(h);
        if (t == XBT_NULL)
            errx(1, "couldn't start transaction");
    }
    ret = perform(mode, optind, argc, argv, h, t, prefix, tidy, upto, recurse, nr_watches, raw);
    if (transaction && !xs_transaction_end(h, t, ret)) {
        if (ret == 0 && errno == EAGAIN) {
            output_pos = 0;
            goto again;
        }
        errx(1, "couldn't end transaction");
    }
    if (output_pos)
        fwrite(output_buf, 1, output_pos, stdout);
    free(output_buf);
    free(cmd);
    xs_close(h);
    return ret;
}
