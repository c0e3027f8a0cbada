/*
 * xl.h - Parva's xl: Xen's command-line toolstack, its commands and their output formats.
 *
 * Design: xl.c parses the command line and dispatches (one table of commands); each command
 * lives in a file of its kind (xl_list.c: list, vcpu-list; xl_info.c: info, dmesg; xl_domain.c:
 * pause, unpause, destroy, domid, domname; xl_sched.c: sched-credit, vcpu-pin); xl_format.c
 * holds the pure formatting and parsing (lines of xl list and vcpu-list, CPU lists), which the
 * unit tests check against Xen 4.17's formats.  The hypervisor is reached through xc
 * (privcmd), domain names through xenstore (/local/domain/<id>/name), as libxl does.
 *
 * Exit status, as Xen's xl: 0 on success, 1 (EXIT_FAILURE) when the command fails, 2 for bad
 * usage, with the reason on stderr.
 */
#ifndef XL_H
#define XL_H

#include <stdbool.h>
#include <stddef.h>
#include "xc.h"

struct xs_handle;

struct xl {
    struct xc xc;
    struct xs_handle *xs;           /* NULL if xenstored is not running: names are "(null)" */
};

/* ---- xl_format.c (no hypercalls) ---- */

/* "-rscw"[reason] for a shut-down domain (else '-'); '?' for an unknown reason. */
char xl_shutdown_letter(const struct xen_domctl_getdomaininfo *i);
/* One line of `xl list` (with its newline) for a domain with that name (NULL: "(null)"). */
int xl_format_list_line(char *buf, size_t len, const struct xen_domctl_getdomaininfo *i, const char *name);
/* A CPU mask as xl prints it over nr_cpus CPUs: "all", "none", or ranges "0-2,5". */
int xl_format_cpumap(char *buf, size_t len, uint64_t mask, unsigned int nr_cpus);
/* One line of `xl vcpu-list` (with its newline). */
int xl_format_vcpu_line(char *buf, size_t len, const char *name, domid_t dom, uint32_t vcpu,
                        const struct xen_domctl_getvcpuinfo *vi, const char *hard, const char *soft);
/* Parse a CPU list of xl vcpu-pin ("all", "3", "0-2,5", "^1" to leave out): 0, or -1 if bad. */
int xl_parse_cpulist(const char *s, unsigned int nr_cpus, uint64_t *mask);
/* The name of a XEN_SCHEDULER_* id ("credit", "credit2", ...; "unknown"). */
const char *xl_scheduler_name(uint32_t id);

/* ---- xl.c: shared helpers ---- */

/* The domain's name from xenstore (malloc'ed), or NULL. */
char *xl_domname(struct xl *xl, domid_t dom);
/* A domain given by id or name: 0, or 1 with a message on stderr. */
int xl_find_domain(struct xl *xl, const char *arg, domid_t *dom);

/* ---- the commands: argc/argv after the command's name; the exit status ---- */
int xl_cmd_list(struct xl *xl, int argc, char **argv);
int xl_cmd_vcpu_list(struct xl *xl, int argc, char **argv);
int xl_cmd_info(struct xl *xl, int argc, char **argv);
int xl_cmd_dmesg(struct xl *xl, int argc, char **argv);
int xl_cmd_debug_keys(struct xl *xl, int argc, char **argv);
int xl_cmd_pause(struct xl *xl, int argc, char **argv);
int xl_cmd_unpause(struct xl *xl, int argc, char **argv);
int xl_cmd_destroy(struct xl *xl, int argc, char **argv);
int xl_cmd_domid(struct xl *xl, int argc, char **argv);
int xl_cmd_domname(struct xl *xl, int argc, char **argv);
int xl_cmd_sched_credit(struct xl *xl, int argc, char **argv);
int xl_cmd_vcpu_pin(struct xl *xl, int argc, char **argv);

#endif /* XL_H */
