/*
 * grant_private.h - what the grant-table files share: the table, its active entries, the maptrack,
 * and the entry state machine.  Not for use outside common/grant_*.c.
 *
 * Files:
 *   grant_entry.c      the state machine of one shared entry (GTF_* protocol, v1 and v2): pure
 *   grant_maptrack.c   a domain's maptrack: handle allocation and the life of a mapping record
 *   grant_table.c      tables, versions, frames, setup/query/status ops, swap, the hypercall
 *   grant_map.c        map_grant_ref, unmap_grant_ref, unmap_and_replace, release at destruction
 *   grant_copy.c       copy, cache_flush
 *   grant_transfer.c   transfer
 */
#ifndef COMMON_GRANT_PRIVATE_H
#define COMMON_GRANT_PRIVATE_H

#include <parva/grant_table.h>
#include <parva/mm.h>
#include <parva/public.h>
#include <parva/spinlock.h>
#include <xen/grant_table.h>

#define SHGNT_PER_PAGE_V1   (PAGE_SIZE / sizeof(grant_entry_v1_t))     /* 512 */
#define SHGNT_PER_PAGE_V2   (PAGE_SIZE / sizeof(grant_entry_v2_t))     /* 256 */
#define STGNT_PER_PAGE      (PAGE_SIZE / sizeof(grant_status_t))       /* 2048 */

/* Pin counts of an active entry (Xen's GNTPIN_*): 8 bits each, a set top bit refuses more pins. */
#define GNTPIN_hstw_inc     (1U << 0)
#define GNTPIN_hstw_mask    (0xffU << 0)
#define GNTPIN_hstr_inc     (1U << 8)
#define GNTPIN_hstr_mask    (0xffU << 8)
#define GNTPIN_devw_inc     (1U << 16)
#define GNTPIN_devw_mask    (0xffU << 16)
#define GNTPIN_devr_inc     (1U << 24)
#define GNTPIN_devr_mask    (0xffU << 24)
/* Does pin hold at least the counts inc (GNTPIN_*_inc values) takes away? */
static inline bool gnttab_pin_covers(uint32_t pin, uint32_t inc)
{
    unsigned int shift;

    for ( shift = 0; shift < 32; shift += 8 )
        if ( ((pin >> shift) & 0xff) < ((inc >> shift) & 0xff) )
            return false;
    return true;
}
/* The counters an increment touches that are about to overflow (Xen's GNTPIN_incr2oflow_mask). */
#define GNTPIN_overflow_of(inc) ((inc) << 7)
#define GNTPIN_writers      (GNTPIN_hstw_mask | GNTPIN_devw_mask)

/* ---- The entry state machine (grant_entry.c) ---- */

/*
 * One entry as the hypervisor sees it: hdr is the {flags, domid} word the guest writes (the first
 * word of a v1 entry, the header of a v2 entry); status is where GTF_reading/GTF_writing live (v1:
 * the flags in hdr; v2: the entry's word in the status frames).
 */
struct grant_entry_view {
    uint32_t *hdr;
    uint16_t *status;
    unsigned int version;
};

/* What an entry grants, read once from the shared entry. */
struct grant_target {
    uint64_t frame;             /* the guest's frame number (an MFN for PV) */
    uint16_t start, length;     /* the bytes granted: [start, start + length) */
    bool sub_page;              /* v2 GTF_sub_page */
    bool transitive;            /* v2 GTF_transitive: trans_domid's grant trans_gref */
    domid_t trans_domid;
    grant_ref_t trans_gref;
};

static inline uint16_t gnttab_hdr_flags(uint32_t hdr) { return (uint16_t)hdr; }
static inline domid_t gnttab_hdr_domid(uint32_t hdr) { return (domid_t)(hdr >> 16); }

/*
 * Mark the entry in use by ldomid (Xen's _set_status): GTF_reading, and GTF_writing unless
 * readonly.  When the entry is not pinned yet it must be a GTF_permit_access grant (v2: or
 * GTF_transitive, for copies) to ldomid; a mapping (map) also refuses GTF_sub_page and transitive
 * grants.  A writable use of a GTF_readonly grant is refused.  v1 changes the shared word with
 * compare-and-swap and gives up after 5 attempts if the guest keeps changing it; v2 sets the status
 * bits, then re-reads the header and backs out if it changed.  GNTST_okay or GNTST_general_error.
 */
int gnttab_entry_pin(const struct grant_entry_view *e, bool pinned, bool readonly, bool map, domid_t ldomid);
/*
 * After a use ends (readonly: it was a read-only one), with pin the entry's remaining pin count:
 * the GTF_writing / GTF_reading bits that go (GTF_writing when no writer is left after a writable
 * use, GTF_reading when nothing is left at all).
 */
unsigned int gnttab_unpin_flags(uint32_t pin, bool readonly);
/* Clear those bits in the status word (atomically: the guest writes the other bits). */
void gnttab_entry_clear(const struct grant_entry_view *e, unsigned int flags);
/* What a pinned entry grants; shared is the v1 or v2 entry. */
void gnttab_entry_target(const void *shared, unsigned int version, struct grant_target *t);
/*
 * GNTTABOP_transfer, in the receiver's entry: it must be exactly GTF_accept_transfer for domain
 * from; it becomes GTF_transfer_committed (compare-and-swap, 5 attempts).  True if it did.
 */
bool gnttab_entry_commit_transfer(uint32_t *hdr, domid_t from);
/* Then: the new frame in the entry, and GTF_transfer_completed once the frame is visible. */
void gnttab_entry_complete_transfer(void *shared, unsigned int version, unsigned long mfn);
/*
 * Switching versions keeps the first GNTTAB_NR_RESERVED_ENTRIES entries (the toolstack's console
 * and xenstore grants).  v2 -> v1 needs them representable in v1 (no transitive grant, frames below
 * 2^32): -ERANGE otherwise.  The save functions fill v1-shaped copies, GTF_reading/writing included.
 */
int gnttab_reserved_v1_representable(const grant_entry_v2_t *v2);
void gnttab_reserved_save_v1(const grant_entry_v1_t *v1, grant_entry_v1_t *saved);
void gnttab_reserved_save_v2(const grant_entry_v2_t *v2, const grant_status_t *status, grant_entry_v1_t *saved);
void gnttab_reserved_restore_v1(grant_entry_v1_t *v1, const grant_entry_v1_t *saved);
void gnttab_reserved_restore_v2(grant_entry_v2_t *v2, grant_status_t *status, const grant_entry_v1_t *saved);

/* ---- The maptrack (grant_maptrack.c) ---- */

struct grant_table;

/*
 * One mapping a domain holds of a grant: 16 bytes, 256 per frame (as Xen's struct grant_mapping).
 * flags are the GNTMAP_* parts still mapped (device_map, host_map) with readonly,
 * application_map and contains_pte; 0 means free, MAPTRACK_BUSY that the record is reserved (being
 * created) or claimed (being torn down) and no one else may use it.  A free record's ref is the
 * next free handle.
 */
struct grant_mapping {
    grant_ref_t ref;
    uint16_t flags;
    domid_t domid;                      /* the granting domain */
    struct grant_table *rgt;            /* its table: the record holds a reference on it */
};
#define MAPTRACK_BUSY       0x8000U
#define MAPTRACK_PER_PAGE   (PAGE_SIZE / sizeof(struct grant_mapping))
#define MAPTRACK_NONE       (~0U)

/*
 * Handles are indexes into frames of records, allocated one frame at a time up to max_frames.  Free
 * records form one FIFO list (taken at the head, returned at the tail), so a handle just given
 * back is the last to be handed out again, as in Xen.
 *
 * Locking: lock protects the list, the frame array, limit and every record's flags/ref/domid/rgt
 * (a record is read and changed under it).  A leaf lock.
 */
struct maptrack {
    spinlock_t lock;
    unsigned int limit;                 /* handles [0, limit) exist */
    unsigned int max_frames;
    unsigned int head, tail;            /* free list, MAPTRACK_NONE when empty */
    unsigned int in_use;                /* records not free */
    struct grant_mapping **frames;      /* [max_frames] */
};

int maptrack_init(struct maptrack *mt, unsigned int max_frames);
/* Free the frames; every record must be free (BUG otherwise: a mapping would leak). */
void maptrack_destroy(struct maptrack *mt);
/* A free handle, reserved (MAPTRACK_BUSY); grows by one frame when none is free; MAPTRACK_NONE when full. */
unsigned int maptrack_get(struct maptrack *mt);
/* Give back a reserved handle that was never published. */
void maptrack_put(struct maptrack *mt, unsigned int h);
/* Make a reserved handle a mapping: flags must hold device_map or host_map. */
void maptrack_publish(struct maptrack *mt, unsigned int h, grant_ref_t ref, domid_t domid,
                      struct grant_table *rgt, uint16_t flags);
/*
 * Take a mapping for teardown: false (bad handle) when h does not exist, is free, or is busy;
 * otherwise it becomes busy and *m a copy of it.
 */
bool maptrack_claim(struct maptrack *mt, unsigned int h, struct grant_mapping *m);
/* End a claim: the parts in remaining stay mapped; with none left the handle is free again. */
void maptrack_unclaim(struct maptrack *mt, unsigned int h, uint16_t remaining);
/* Claim the next mapping at or after *h (for destruction and dumps); false when there is none. */
bool maptrack_claim_next(struct maptrack *mt, unsigned int *h, struct grant_mapping *m);

/* ---- Tables (grant_table.c) ---- */

/* What the hypervisor keeps for each entry of a table. */
struct active_grant_entry {
    uint32_t pin;                       /* GNTPIN_* counts; 0: not in use */
    domid_t domid;                      /* who pinned it (while pin != 0) */
    uint16_t start, length;             /* the bytes it grants (sub-page grants: copies only) */
    bool is_sub_page;                   /* also set for transitive grants: never mapped */
    unsigned long mfn;                  /* the frame (while pin != 0) */
};
#define ACGNT_PER_PAGE      (PAGE_SIZE / sizeof(struct active_grant_entry))

/*
 * A domain's grant table, and its maptrack (the mappings the domain holds of grants).
 *
 * Lifetime: the domain holds one reference, and so does every maptrack record (in any domain,
 * this one included) naming the table.  When the domain is destroyed the table is detached
 * (domain == NULL) and its shared frames are given up; it lives on, with its active entries,
 * until the last mapping of one of its grants is gone.
 *
 * Locking: lock (not irq-safe: taken in hypercalls only) protects version, the frame counts and
 * arrays, every active entry, the hypervisor's writes to the shared and status frames, and
 * domain.  At most one table lock is held at a time; it is taken inside no other grant lock and
 * nests outside maptrack locks, page_alloc_lock and the heap's locks.  It is never held across a
 * TLB flush or a page-table change (the owner's mm_lock).
 */
struct grant_table {
    spinlock_t lock;
    unsigned int refcnt;                /* atomic */
    struct domain *domain;              /* the owner; NULL once it was destroyed */
    bool outlived;                      /* mappings of its grants remained when its domain died */
    domid_t domid;
    unsigned int version;               /* 1 or 2 */
    unsigned int nr_grant_frames;
    unsigned int max_grant_frames;
    unsigned int nr_status_frames;      /* v2 only */
    unsigned int nr_active_frames;
    void **shared_raw;                  /* [max_grant_frames] */
    grant_status_t **status;            /* [grant_to_status_frames(max_grant_frames)] */
    struct active_grant_entry **active; /* [active frames for max_grant_frames] */
    struct maptrack maptrack;
    struct grant_table *next;           /* on the list of all tables (grant_table.c: gt_list_lock) */
};

static inline unsigned int grant_to_status_frames(unsigned int grant_frames)
{
    return (grant_frames * SHGNT_PER_PAGE_V2 + STGNT_PER_PAGE - 1) / STGNT_PER_PAGE;
}

/* Entries in use: caller holds gt->lock. */
unsigned int gnttab_nr_entries(const struct grant_table *gt);
/* The active entry of ref < gnttab_nr_entries(gt); caller holds gt->lock. */
struct active_grant_entry *gnttab_active(struct grant_table *gt, grant_ref_t ref);
/* The shared v1/v2 entry and the view of ref; caller holds gt->lock (and gt->domain != NULL). */
void *gnttab_shared_entry(struct grant_table *gt, grant_ref_t ref);
void gnttab_entry_view(struct grant_table *gt, grant_ref_t ref, struct grant_entry_view *v);
/* A use of ref ended: clear the status bits its pin no longer needs (nothing once detached). */
void gnttab_unpin_update(struct grant_table *gt, grant_ref_t ref, const struct active_grant_entry *act,
                         bool readonly);
/* References on a table (a maptrack record's). */
void gnttab_get_table(struct grant_table *gt);
void gnttab_put_table(struct grant_table *gt);
/* The domain a domid names for a grant op: DOMID_SELF (if self_ok) or an id; NULL if none. A reference is held. */
struct domain *gnttab_lookup_domain(domid_t id, bool self_ok);
/* May current's domain act on d's table (itself, or a privileged caller)? */
bool gnttab_may_control(const struct domain *d);

/* gnttab=transitive=<bool> (grant_table.c): may copies follow v2 transitive grants? */
extern bool gnttab_opt_transitive;

/* Refusals a guest can cause: debug level (the console ring, not the serial line), as Xen's gdprintk. */
#define gnttab_log(fmt, ...) printk(XENLOG_DEBUG "gnttab: " fmt, ##__VA_ARGS__)

/* ---- The operations (grant_map.c, grant_copy.c, grant_transfer.c) ---- */

/* Batches: how many operations one hypercall invocation handles before it continues. */
#define GNTTAB_MAP_BATCH        64
#define GNTTAB_UNMAP_BATCH      32      /* also: unmaps per TLB flush (Xen's GNTTAB_UNMAP_BATCH_SIZE) */
#define GNTTAB_COPY_BATCH       64
#define GNTTAB_TRANSFER_BATCH   16

/*
 * Each does at most its batch of the count operations at uop (a guest address whose whole range
 * was checked), writing each one's status back; returns 0 when all are done, the number of
 * operations left when it stopped early (the caller continues the hypercall with them), or -EFAULT
 * when the guest memory could not be read or written.
 */
long gnttab_map_batch(unsigned long uop, unsigned int count);
long gnttab_unmap_batch(unsigned long uop, unsigned int count);
long gnttab_unmap_and_replace_batch(unsigned long uop, unsigned int count);
long gnttab_copy_batch(unsigned long uop, unsigned int count);
long gnttab_transfer_batch(unsigned long uop, unsigned int count);
/*
 * cache_flush: *cur_ref is the progress through the granter's entries (kept in the command's upper
 * bits across continuations).  Returns the number of operations left when it must continue (the
 * first of them possibly part-done), 0 when all are done, or an -errno (cache_flush reports errors
 * as the hypercall's value, as Xen).
 */
long gnttab_cache_flush_batch(unsigned long uop, unsigned int count, unsigned int *cur_ref);
/* Destruction: undo every mapping d holds. */
void gnttab_release_mappings(struct domain *d);

#endif /* COMMON_GRANT_PRIVATE_H */
