/*
 * xenstore.h - the public API of libxenstore.so.4 (Parva's implementation).
 *
 * Source- and binary-compatible with the library of Xen 4.17 as Debian 12 ships it
 * (package libxenstore4): the same types, constants and functions, every function
 * exported with symbol version VERS_4.0.  Conventions: a call that fails returns
 * false, NULL or XBT_NULL and sets errno; results are malloc()ed and the caller
 * free()s them (one free() for arrays of strings).  A handle may be used from several
 * threads: requests are serialised, and once xs_watch() has been called a reader thread
 * collects watch events for xs_read_watch()/xs_check_watch()/xs_fileno().
 */
#ifndef PARVA_XENSTORE_H
#define PARVA_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <errno.h>
#include <xen/io/xs_wire.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XBT_NULL 0

/* xs_open() flags. */
#define XS_OPEN_READONLY   (1UL << 0)   /* use the read-only socket when there is one */
#define XS_OPEN_SOCKETONLY (1UL << 1)   /* never fall back to the xenbus device */
#define XS_UNWATCH_FILTER  (1UL << 2)   /* xs_unwatch() drops queued events of that watch */

struct xs_handle;
typedef uint32_t xs_transaction_t;

/* One permission: a domain and what it may do. The first entry of a node's list names
 * its owner; its perms are what every domain not listed may do. */
struct xs_permissions {
    unsigned int id;
    unsigned int perms;
#define XS_PERM_NONE      0x00
#define XS_PERM_READ      0x01
#define XS_PERM_WRITE     0x02
    /* internal to the daemon */
#define XS_PERM_ENOENT_OK 0x04
#define XS_PERM_OWNER     0x08
#define XS_PERM_IGNORE    0x10
};

/* Characters needed to print an integer of x's type in decimal, with sign and nul. */
#define MAX_STRLEN(x) ((sizeof(x) * CHAR_BIT + CHAR_BIT - 1) / 10 * 3 + 2)

/* Where the daemon listens: $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else
 * /var/run/xenstored/socket; the read-only socket is that path with "_ro" appended. */
const char *xs_daemon_rundir(void);
const char *xs_daemon_socket(void);
const char *xs_daemon_socket_ro(void);

/* write(2) until everything is written; false on error. */
bool xs_write_all(int fd, const void *data, unsigned int len);
/* Parse num nul-separated permission strings ("r0", "b5", ...); false and EINVAL if bad. */
bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings);

/* Connections. */
struct xs_handle *xs_open(unsigned long flags);
void xs_close(struct xs_handle *xsh);              /* NULL is fine */
struct xs_handle *xs_daemon_open(void);            /* = xs_open(0) */
struct xs_handle *xs_domain_open(void);            /* = xs_open(0) */
struct xs_handle *xs_daemon_open_readonly(void);   /* = xs_open(0) */
void xs_daemon_close(struct xs_handle *);
void xs_daemon_destroy_postfork(struct xs_handle *);  /* in a forked child: free, no threads */

/* The tree. */
char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num);
void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len);
bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
              unsigned int len);
bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path);
bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path);
bool xs_restrict(struct xs_handle *h, unsigned domid);   /* removed in Xen 4.9: always false */
struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t,
                                          const char *path, unsigned int *num);
bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                        struct xs_permissions *perms, unsigned int num_perms);

/* Watches. xs_read_watch()/xs_check_watch() return {path, token} (XS_WATCH_PATH,
 * XS_WATCH_TOKEN), freed with one free(). */
bool xs_watch(struct xs_handle *h, const char *path, const char *token);
int xs_fileno(struct xs_handle *h);
char **xs_check_watch(struct xs_handle *h);
char **xs_read_watch(struct xs_handle *h, unsigned int *num);
bool xs_unwatch(struct xs_handle *h, const char *path, const char *token);

/* Transactions: xs_transaction_end() fails with EAGAIN when the transaction conflicted. */
xs_transaction_t xs_transaction_start(struct xs_handle *h);
bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort);

/* Domains (privileged callers). */
bool xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
                         unsigned int eventchn);
bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target);
bool xs_resume_domain(struct xs_handle *h, unsigned int domid);
bool xs_release_domain(struct xs_handle *h, unsigned int domid);
char *xs_get_domain_path(struct xs_handle *h, unsigned int domid);
bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid);

/* Is child equal to parent or below it? */
bool xs_path_is_subpath(const char *parent, const char *child);

/* CONTROL requests; xs_debug_command is the old name. */
char *xs_control_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);
char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);

/* The port in /local/domain/<domid>/device/suspend/event-channel, or -1. */
int xs_suspend_evtchn_port(int domid);

#ifdef __cplusplus
}
#endif
#endif /* PARVA_XENSTORE_H */
