/*
 * bench.c - xenstored throughput and memory, through libxenstore over the Unix socket:
 * requests per second for read, write, directory and transaction commit with 1 and 16
 * concurrent clients (one process each), then the daemon's resident memory for 100,000
 * nodes.   bench [-t SECONDS] [-p XENSTORED_PID]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "xenstore.h"

static double seconds = 2.0;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One client: do op until the deadline; return the count of completed operations. */
static long client(const char *op, int id, double deadline)
{
    struct xs_handle *h = xs_open(0);
    char path[64], val[32];
    unsigned int len, n;
    long count = 0;

    if (!h)
        exit(2);
    snprintf(path, sizeof(path), "/bench/c%d", id);
    xs_write(h, XBT_NULL, path, "0", 1);
    while (now() < deadline) {
        if (!strcmp(op, "read")) {
            free(xs_read(h, XBT_NULL, path, &len));
        } else if (!strcmp(op, "write")) {
            snprintf(val, sizeof(val), "%ld", count);
            xs_write(h, XBT_NULL, path, val, strlen(val));
        } else if (!strcmp(op, "directory")) {
            free(xs_directory(h, XBT_NULL, "/bench/dir", &n));
        } else {
            /* a transaction: read, write, commit (a conflict counts as not done) */
            xs_transaction_t t = xs_transaction_start(h);
            char *v = xs_read(h, t, path, &len);

            free(v);
            snprintf(val, sizeof(val), "%ld", count);
            xs_write(h, t, path, val, strlen(val));
            if (!xs_transaction_end(h, t, false))
                continue;
        }
        count++;
    }
    xs_close(h);
    return count;
}

static double run(const char *op, int nclients)
{
    int fds[2], i;
    long total = 0, c;
    double start, deadline;

    if (pipe(fds))
        exit(2);
    start = now() + 0.2;
    deadline = start + seconds;
    for (i = 0; i < nclients; i++) {
        if (fork() == 0) {
            close(fds[0]);
            while (now() < start)
                ;
            c = client(op, i, deadline);
            if (write(fds[1], &c, sizeof(c)) != sizeof(c))
                _exit(2);
            _exit(0);
        }
    }
    close(fds[1]);
    while (read(fds[0], &c, sizeof(c)) == sizeof(c))
        total += c;
    close(fds[0]);
    while (wait(NULL) > 0)
        ;
    return total / seconds;
}

static long rss_kib(long pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

int main(int argc, char **argv)
{
    static const char *const ops[] = { "read", "write", "directory", "transaction" };
    struct xs_handle *h;
    long pid = 0, before, after;
    unsigned int i, j;
    int opt;
    char path[64];

    while ((opt = getopt(argc, argv, "t:p:")) != -1) {
        if (opt == 't')
            seconds = atof(optarg);
        else if (opt == 'p')
            pid = atol(optarg);
    }
    h = xs_open(0);
    if (!h) {
        perror("xs_open");
        return 1;
    }
    for (i = 0; i < 20; i++) {
        snprintf(path, sizeof(path), "/bench/dir/entry%u", i);
        xs_write(h, XBT_NULL, path, "x", 1);
    }
    printf("xenstored requests per second (%.0f s per figure, Unix socket, libxenstore):\n",
           seconds);
    printf("  %-12s %12s %12s\n", "operation", "1 client", "16 clients");
    for (i = 0; i < 4; i++)
        printf("  %-12s %12.0f %12.0f\n", ops[i], run(ops[i], 1), run(ops[i], 16));
    if (pid) {
        xs_transaction_t t;

        xs_rm(h, XBT_NULL, "/bench");
        sleep(1);
        before = rss_kib(pid);
        for (i = 0; i < 100; i++) {
            do {
                t = xs_transaction_start(h);
                for (j = 0; j < 1000; j++) {
                    snprintf(path, sizeof(path), "/mem/d%03u/node%03u", i, j);
                    xs_write(h, t, path, "value", 5);
                }
            } while (!xs_transaction_end(h, t, false) && errno == EAGAIN);
        }
        after = rss_kib(pid);
        printf("xenstored memory: %ld KiB resident before, %ld KiB with 100,000 more nodes "
               "(/mem/dNNN/nodeNNN = \"value\"): %.1f MiB per 100k nodes, %ld bytes per node\n",
               before, after, (after - before) / 1024.0, (after - before) * 1024 / 100000);
        xs_rm(h, XBT_NULL, "/mem");
    }
    xs_close(h);
    return 0;
}
