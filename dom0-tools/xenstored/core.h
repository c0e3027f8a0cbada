/*
 * core.h - xenstored's types and its internal interfaces, grouped by the file that
 * defines them.
 *
 * Design: one thread, one poll() loop (main.c).  Every client is a struct conn with an
 * input state machine (conn.c) and a queue of replies and watch events; a socket client
 * is privileged (domain 0), a domain client (ring.c) is unprivileged unless it is the
 * privileged domain.  A complete request goes to xsd_process() (request.c), which checks
 * everything first and then acts on the tree (tree.c) through a view that is either the
 * global store or a transaction's private copy (txn.c).  Changes fire watches (watch.c);
 * per-domain counters enforce the quotas (domain.c).  Nothing blocks: a client that stops
 * reading is throttled and, past a limit, dropped.
 *
 * Locking: none; the daemon is single-threaded.  Handlers must not keep a struct node
 * pointer across a call that changes the tree (the store replaces nodes on write).
 */
#ifndef XSD_CORE_H
#define XSD_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "xenstore.h"
#include "xs_util.h"

#define NO_GENERATION   (~(uint64_t)0)
#define DOMID_LIMIT     0x7ff0u          /* DOMID_FIRST_RESERVED */
#define XSD_NODE_HDR    24u              /* Xen's record header, counted in node-size */

/* ---- store.c: the node store (a hash table of path -> node) ---- */
struct node {
    struct node *hnext;          /* hash chain */
    uint64_t generation;
    uint32_t hash;
    unsigned int nperms, datalen, childlen;
    struct xs_permissions *perms;   /* points into blob */
    char *data;                     /* points into blob */
    char *children;                 /* points into blob: nul-separated leaf names */
    void *blob;
    char name[];
};

struct store {
    struct node **buckets;
    unsigned int nbuckets, count;
    size_t bytes;                /* memory held by nodes (for memreport) */
};

int store_init(struct store *s, unsigned int nbuckets);
void store_destroy(struct store *s);
struct node *store_get(const struct store *s, const char *name);
/* Insert or replace (the replaced node is freed). */
void store_put(struct store *s, struct node *n);
/* Remove and free; false if absent. */
bool store_del(struct store *s, const char *name);
/* Call fn for every node; stops when fn returns non-zero. */
int store_iterate(struct store *s, int (*fn)(struct node *, void *), void *arg);

/* A fresh node; data/children/perms are copied. NULL + ENOMEM on failure. */
struct node *node_new(const char *name, const struct xs_permissions *perms, unsigned int nperms,
                      const void *data, unsigned int datalen,
                      const char *children, unsigned int childlen);
struct node *node_clone(const struct node *n);
void node_free(struct node *n);
/* Replace parts of a node (each NULL/-1 keeps the old part); the node is rebuilt. */
int node_set_data(struct node *n, const void *data, unsigned int len);
int node_set_perms(struct node *n, const struct xs_permissions *p, unsigned int num);
int node_add_child(struct node *n, const char *base);
int node_del_child(struct node *n, const char *base);
/* Size counted against the node-size quota: header + perms + data + children. */
unsigned int node_acc_size(const struct node *n);

/* ---- domain.c: domains, accounting, quotas, the platform ---- */
enum quota_item {
    Q_NODES, Q_WATCHES, Q_OUTSTANDING, Q_MEMORY, Q_TRANSACTIONS, Q_TRANS_NODES,
    Q_PERMS, Q_PATHLEN, Q_NODESIZE, Q_COUNT
};
struct quota {
    const char *name;
    const char *descr;
    unsigned int val;           /* 0: unlimited */
};
extern struct quota hard_quotas[Q_COUNT], soft_quotas[Q_COUNT];

struct conn;
struct domain {
    unsigned int domid;
    uint64_t generation;        /* store generation when the domain became known */
    bool introduced, shutdown;
    struct conn *conn;          /* its ring connection, when introduced */
    unsigned int port;          /* local event-channel port */
    void *interface;            /* mapped struct xenstore_domain_interface */
    unsigned int nodes;         /* nodes it owns */
    unsigned int max_nodes, max_watches, max_trans;   /* high-water marks (quota <domid>) */
};

/* How xenstored reaches domains: a ring page and an event channel.  host_ring.c
 * implements it on an ordinary host (shared files and datagram sockets); xen_linux.c in a
 * Linux dom0, over /dev/xen/evtchn, xenfs and privcmd.  main.c picks one (--platform). */
struct platform_ops {
    const char *name;
    int (*init)(void);
    int (*fd)(void);                                  /* polled for events, or -1 */
    /* Returns the pending port, PLATFORM_VIRQ for "domain state changed", -1 for none. */
    long (*pending)(void);
    /* The port of the master domain's own ring (mapped with map(master_domid, 0)), which
     * xenstored introduces at start; -1: none.  NULL where there is no such ring. */
    long (*master_port)(void);
    void *(*map)(unsigned int domid, unsigned long mfn);
    void (*unmap)(unsigned int domid, void *intf);
    long (*bind)(unsigned int domid, unsigned int remote_port);   /* local port or -1 */
    void (*unbind)(unsigned int port);
    void (*notify)(unsigned int port);
    /* 0: running, 1: shut down, 2: dying or gone. */
    int (*domain_state)(unsigned int domid);
};
#define PLATFORM_VIRQ (-2L)
extern const struct platform_ops *platform;        /* the one in use (default: host) */
extern const struct platform_ops host_platform, xen_platform;
extern char *host_ring_dir;        /* host_ring.c: --ring-dir */
extern unsigned int priv_domid;
extern unsigned int master_domid;  /* the domain xenstored runs in (-m) */
extern bool keep_orphans;

void domain_setup(void);
void domain_teardown(void);
struct domain *domain_find(unsigned int domid);
struct domain *domain_find_or_alloc(unsigned int domid);
bool domain_is_unprivileged(const struct conn *c);
/* Is a quota exceeded by val for this connection (unprivileged only)? */
bool quota_exceeded(const struct conn *c, enum quota_item q, unsigned int val);
void domain_nodes_add(unsigned int domid, int delta);
unsigned int domain_nodes(unsigned int domid);
int domain_introduce(unsigned int domid, unsigned long mfn, unsigned int port);
int domain_release(unsigned int domid);
int domain_resume(unsigned int domid);
int domain_set_target(unsigned int domid, unsigned int tdomid);
bool domain_is_introduced(unsigned int domid);
void domain_check_all(void);              /* after PLATFORM_VIRQ */
void domain_handle_event(void);
void domain_conn_closed(struct conn *c);
/* Does a permission entry for domid count for a node of this generation? */
bool domain_perm_valid(unsigned int domid, uint64_t node_gen);
char *domain_quota_report(unsigned int domid);   /* malloc()ed, NULL + errno */

/* ---- txn.c: transactions ---- */
struct txn;
struct txn *txn_lookup(struct conn *c, uint32_t id);
int txn_start(struct conn *c, uint32_t *id);
int txn_end(struct conn *c, struct txn *t, bool commit);
void txn_destroy_all(struct conn *c);
/* The view used by tree.c: */
struct node *txn_get(struct conn *c, struct txn *t, const char *name);
int txn_put(struct conn *c, struct txn *t, struct node *n);
int txn_del(struct conn *c, struct txn *t, const char *name);
void txn_queue_watch(struct txn *t, const char *name, bool exact);
void txn_account(struct txn *t, unsigned int domid, int delta, bool created);
int txn_delta(struct txn *t, unsigned int domid);     /* node-count change so far */

/* ---- tree.c: the tree, seen by a connection (inside its transaction, if any) ---- */
extern struct store global_store;
extern uint64_t generation;
int tree_init(void);
void tree_fini(void);
/* Canonical absolute path (relative paths are below the domain's home) or NULL + EINVAL. */
char *tree_canonicalize(struct conn *c, const char *path, bool allow_special);
/* What may c do with a node with these perms? XS_PERM_READ|WRITE|OWNER. */
unsigned int perm_for_conn(const struct conn *c, const struct xs_permissions *p,
                           unsigned int n, uint64_t gen);
/* Node (transaction-aware) if c has perm on it; NULL + errno (masked by the parents). */
const struct node *tree_get(struct conn *c, const char *name, unsigned int perm);
const struct node *tree_read(struct conn *c, const char *name);   /* no permission check */
int tree_write(struct conn *c, const char *name, const void *data, unsigned int len);
int tree_mkdir(struct conn *c, const char *name);
int tree_rm(struct conn *c, const char *name);
int tree_set_perms(struct conn *c, const char *name, struct xs_permissions *p, unsigned int n);
/* Remove (or give to the privileged domain) every node owned by domid. */
void tree_remove_domain_nodes(unsigned int domid);

/* ---- watch.c ---- */
struct watch;
int watch_add(struct conn *c, const char *path, const char *token);
int watch_remove(struct conn *c, const char *path, const char *token);
void watch_initial_event(struct conn *c);
void watch_remove_all(struct conn *c);
unsigned int watch_count(const struct conn *c);
/* A node changed: queue events (inside a transaction: remember them for the commit). */
void fire_watches(struct conn *c, const char *name, bool exact,
                  const struct xs_permissions *oldp, unsigned int oldn);
/* Commit-time and special events (no transaction). */
void fire_watches_now(const char *name, bool exact,
                      const struct xs_permissions *oldp, unsigned int oldn);

/* ---- conn.c: connections ---- */
struct msg {
    struct msg *next;
    unsigned int used;           /* bytes of hdr+body already written */
    bool event;
    struct xsd_sockmsg hdr;      /* hdr and body are contiguous: written as one */
    char body[];
};

struct conn_ops {
    /* Return bytes moved, 0 if it would block, -1 if the connection is dead. */
    int (*read)(struct conn *c, void *buf, unsigned int len);
    int (*write)(struct conn *c, const void *buf, unsigned int len);
    bool (*can_read)(struct conn *c);
    bool (*can_write)(struct conn *c);
    void (*destroy)(struct conn *c);
};

struct conn {
    struct conn *next, *prev;
    const struct conn_ops *ops;
    int fd;
    unsigned int id;             /* domid */
    bool can_write;              /* false on the read-only socket */
    bool dead;                   /* to be freed by the main loop */
    bool ignored;                /* a domain that broke the protocol: kept, not served */
    struct domain *domain;       /* ring connections */
    struct conn *target;         /* SET_TARGET */
    void *priv;                  /* transport data */
    /* input */
    struct xsd_sockmsg in_hdr;
    unsigned int in_used;
    bool in_body;
    char *in_buf;
    /* output */
    struct msg *out_head, *out_tail;
    size_t out_bytes;
    unsigned int out_replies;    /* replies queued (outstanding requests) */
    /* state */
    struct watch *watches;
    unsigned int nwatches;
    struct txn *txns;
    unsigned int ntxns;
    uint32_t next_txn_id;
    struct txn *cur_txn;         /* transaction of the request being processed */
    unsigned long requests;
};

extern struct conn *connections;
extern const struct conn_ops mem_conn_ops;   /* in-memory transport (tests, fuzzer) */
#define IN_QUEUE_PAUSE   (256u * 1024)       /* stop reading a client with this much unread */
#define OUT_QUEUE_LIMIT  (16u * 1024 * 1024)  /* drop a client with this much unread */

struct conn *conn_new(const struct conn_ops *ops, int fd, unsigned int id, bool can_write);
void conn_free(struct conn *c);
/* Mark for closing (freed by conn_reap from the main loop). */
void conn_kill(struct conn *c, const char *why);
void conn_reap(void);
/* Read what is there and process complete requests; write queued output. */
void conn_handle_input(struct conn *c);
void conn_handle_output(struct conn *c);
bool conn_wants_read(struct conn *c);
/* Feed raw bytes (tests, fuzzer): like reading them from the transport. */
int conn_feed(struct conn *c, const void *data, size_t len);
void send_reply(struct conn *c, const struct xsd_sockmsg *req, enum xsd_sockmsg_type type,
                const void *data, unsigned int len);
void send_error(struct conn *c, const struct xsd_sockmsg *req, int err);
void send_event(struct conn *c, const char *path, const char *token);
/* Pop the first queued message (tests); caller frees. */
struct msg *conn_pop(struct conn *c);

/* ---- wire.c: payload parsing ---- */
/* The payload as one string (exactly one nul, at the end), or NULL. */
const char *wire_onearg(const char *body, unsigned int len);
/* Up to max strings; returns the number of nul-terminated strings in the payload. */
unsigned int wire_strings(const char *body, unsigned int len, const char **vec, unsigned int max);
const char *wire_type_name(uint32_t type);
const char *wire_errno_name(int err);
/* "123" -> 123 like atoi, for domids. */
unsigned int wire_domid(const char *s);

/* ---- request.c ---- */
/* Process one complete request (body has hdr->len bytes + a guard nul). */
void xsd_process(struct conn *c, const struct xsd_sockmsg *hdr, char *body);

/* ---- control.c ---- */
int do_control(struct conn *c, const struct xsd_sockmsg *hdr, const char *body);

/* ---- log.c ---- */
enum log_level { LOG_ERROR_L, LOG_WARN_L, LOG_INFO_L, LOG_DEBUG_L };
extern bool verbose;
extern int tracefd;
extern char *tracefile;
void log_open(const char *file, bool use_syslog, bool use_stderr);
void xsd_log(enum log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void trace_open(void);
void trace_close(void);
void trace_io(const struct conn *c, const char *dir, const struct xsd_sockmsg *hdr,
              const char *body);

#endif
