/*
 * log.c - logging (syslog, stderr or a file) and Xen's I/O trace file (-T): one line
 * per message, "IN"/"OUT", the connection, the time, the type and the payload with
 * nuls shown as spaces.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "core.h"

bool verbose;
int tracefd = -1;
char *tracefile;
static FILE *logfile;
static bool log_syslog, log_stderr = true;

void log_open(const char *file, bool use_syslog, bool use_stderr)
{
    if (logfile)
        fclose(logfile);
    logfile = NULL;
    if (file) {
        logfile = fopen(file, "a");
        if (logfile)
            setvbuf(logfile, NULL, _IOLBF, 0);
    }
    log_syslog = use_syslog;
    log_stderr = use_stderr;
    if (use_syslog)
        openlog("xenstored", LOG_PID, LOG_DAEMON);
}

void xsd_log(enum log_level l, const char *fmt, ...)
{
    static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
    static const char *const name[] = { "error", "warning", "info", "debug" };
    char buf[1024];
    va_list ap;

    if (l == LOG_DEBUG_L && !verbose)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (log_syslog)
        syslog(prio[l], "%s", buf);
    if (logfile) {
        time_t now = time(NULL);
        char ts[32];

        strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime(&now));
        fprintf(logfile, "%s xenstored %s: %s\n", ts, name[l], buf);
    }
    if (log_stderr && !logfile)
        fprintf(stderr, "xenstored: %s: %s\n", name[l], buf);
}

void trace_open(void)
{
    if (!tracefile)
        return;
    trace_close();
    tracefd = open(tracefile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (tracefd < 0)
        xsd_log(LOG_ERROR_L, "could not open trace file %s: %m", tracefile);
    else if (write(tracefd, "\n***\n", 5) < 0)
        xsd_log(LOG_ERROR_L, "could not write trace file %s: %m", tracefile);
}

void trace_close(void)
{
    if (tracefd >= 0)
        close(tracefd);
    tracefd = -1;
}

void trace_io(const struct conn *c, const char *dir, const struct xsd_sockmsg *hdr,
              const char *body)
{
    char head[160], *line;
    size_t hl;
    time_t now;
    struct tm tm;
    unsigned int i;

    if (tracefd < 0)
        return;
    now = time(NULL);
    localtime_r(&now, &tm);
    hl = snprintf(head, sizeof(head), "%s %p (d%u) %04d%02d%02d %02d:%02d:%02d %s (", dir,
                  (const void *)c, c->id, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, wire_type_name(hdr->type));
    line = malloc(hl + hdr->len + 3);
    if (!line)
        return;
    memcpy(line, head, hl);
    for (i = 0; i < hdr->len; i++)
        line[hl + i] = body[i] ? body[i] : ' ';
    memcpy(line + hl + hdr->len, ")\n", 2);
    if (write(tracefd, line, hl + hdr->len + 2) < 0)
        trace_close();
    free(line);
}
