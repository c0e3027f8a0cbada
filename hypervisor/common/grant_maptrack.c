/*
 * grant_maptrack.c - a domain's maptrack: the records of the grant mappings it holds, and the
 * handles (record numbers) that name them.
 *
 * Design: records live in frames of MAPTRACK_PER_PAGE, allocated one at a time when no record is
 * free, up to max_frames (Xen's gnttab_max_maptrack_frames; 0 means the domain may map nothing).
 * Free records are chained through their ref field into one FIFO list: a handle is taken from the
 * head and returned at the tail, so a handle just unmapped is reused as late as possible (a stale
 * second unmap then finds it free and fails with GNTST_bad_handle, as in Xen).  Xen keeps one list
 * per vCPU to avoid contention; one list per domain keeps this simple.
 *
 * A record's life: free (flags 0) -> reserved by maptrack_get (MAPTRACK_BUSY) -> published with
 * its GNTMAP_* flags by maptrack_publish, or returned by maptrack_put -> claimed for teardown by
 * maptrack_claim (MAPTRACK_BUSY again, so a concurrent unmap of the same handle is refused) ->
 * unclaimed with the parts still mapped, or freed.  Every change happens under the lock, and the
 * lock is never held while anything else is done, so the record of a mapping being made or torn
 * down can never be used twice.
 *
 * Unit tests: tests/unit/test_grant_maptrack.c.
 */
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/errno.h>
#include <parva/printk.h>
#include "grant_private.h"

static struct grant_mapping *record(struct maptrack *mt, unsigned int h)
{
    return &mt->frames[h / MAPTRACK_PER_PAGE][h % MAPTRACK_PER_PAGE];
}

int maptrack_init(struct maptrack *mt, unsigned int max_frames)
{
    spin_lock_init(&mt->lock);
    mt->limit = 0;
    mt->in_use = 0;
    mt->head = mt->tail = MAPTRACK_NONE;
    mt->max_frames = max_frames;
    mt->frames = xzalloc_array(struct grant_mapping *, max_frames ? max_frames : 1);
    return mt->frames ? 0 : -ENOMEM;
}

void maptrack_destroy(struct maptrack *mt)
{
    unsigned int i;

    if ( !mt->frames )
        return;
    BUG_ON(mt->in_use);
    for ( i = 0; i < mt->limit / MAPTRACK_PER_PAGE; i++ )
        free_xenheap_pages(mt->frames[i], 0);
    xfree(mt->frames);
    mt->frames = NULL;
    mt->limit = 0;
    mt->head = mt->tail = MAPTRACK_NONE;
}

static void push_tail(struct maptrack *mt, unsigned int h)
{
    record(mt, h)->flags = 0;
    record(mt, h)->ref = MAPTRACK_NONE;
    if ( mt->tail == MAPTRACK_NONE )
        mt->head = h;
    else
        record(mt, mt->tail)->ref = h;
    mt->tail = h;
}

/* Add a frame of free records (under the lock; the frame was allocated outside it). */
static void add_frame(struct maptrack *mt, struct grant_mapping *frame)
{
    unsigned int i, first = mt->limit;

    mt->frames[first / MAPTRACK_PER_PAGE] = frame;
    mt->limit += MAPTRACK_PER_PAGE;
    for ( i = 0; i < MAPTRACK_PER_PAGE; i++ )
        push_tail(mt, first + i);
}

unsigned int maptrack_get(struct maptrack *mt)
{
    struct grant_mapping *frame = NULL;
    unsigned int h;

    for ( ; ; )
    {
        spin_lock(&mt->lock);
        if ( frame && mt->head == MAPTRACK_NONE && mt->limit / MAPTRACK_PER_PAGE < mt->max_frames )
        {
            add_frame(mt, frame);
            frame = NULL;
        }
        if ( (h = mt->head) != MAPTRACK_NONE )
        {
            struct grant_mapping *m = record(mt, h);

            mt->head = m->ref;
            if ( mt->head == MAPTRACK_NONE )
                mt->tail = MAPTRACK_NONE;
            m->flags = MAPTRACK_BUSY;
            m->ref = 0;
            m->rgt = NULL;
            mt->in_use++;
            spin_unlock(&mt->lock);
            break;
        }
        if ( mt->limit / MAPTRACK_PER_PAGE >= mt->max_frames )
        {
            spin_unlock(&mt->lock);
            break;                      /* h is MAPTRACK_NONE */
        }
        spin_unlock(&mt->lock);
        /* Allocate outside the lock, then try again (another CPU may have grown it meanwhile). */
        if ( frame || !(frame = alloc_xenheap_pages(0)) )
            break;
    }
    if ( frame )
        free_xenheap_pages(frame, 0);
    return h;
}

void maptrack_put(struct maptrack *mt, unsigned int h)
{
    spin_lock(&mt->lock);
    BUG_ON(h >= mt->limit);
    BUG_ON(record(mt, h)->flags != MAPTRACK_BUSY);
    push_tail(mt, h);
    mt->in_use--;
    spin_unlock(&mt->lock);
}

void maptrack_publish(struct maptrack *mt, unsigned int h, grant_ref_t ref, domid_t domid,
                      struct grant_table *rgt, uint16_t flags)
{
    struct grant_mapping *m;

    BUG_ON(!(flags & (GNTMAP_device_map | GNTMAP_host_map)) || (flags & MAPTRACK_BUSY));
    spin_lock(&mt->lock);
    BUG_ON(h >= mt->limit);
    m = record(mt, h);
    BUG_ON(m->flags != MAPTRACK_BUSY);
    m->ref = ref;
    m->domid = domid;
    m->rgt = rgt;
    m->flags = flags;
    spin_unlock(&mt->lock);
}

bool maptrack_claim(struct maptrack *mt, unsigned int h, struct grant_mapping *m)
{
    bool ok = false;

    spin_lock(&mt->lock);
    if ( h < mt->limit )
    {
        struct grant_mapping *r = record(mt, h);

        if ( r->flags && !(r->flags & MAPTRACK_BUSY) )
        {
            *m = *r;
            r->flags |= MAPTRACK_BUSY;
            ok = true;
        }
    }
    spin_unlock(&mt->lock);
    return ok;
}

void maptrack_unclaim(struct maptrack *mt, unsigned int h, uint16_t remaining)
{
    struct grant_mapping *r;

    spin_lock(&mt->lock);
    BUG_ON(h >= mt->limit);
    r = record(mt, h);
    BUG_ON(!(r->flags & MAPTRACK_BUSY));
    if ( remaining & (GNTMAP_device_map | GNTMAP_host_map) )
        r->flags = remaining & ~MAPTRACK_BUSY;
    else
    {
        r->rgt = NULL;
        push_tail(mt, h);
        mt->in_use--;
    }
    spin_unlock(&mt->lock);
}

bool maptrack_claim_next(struct maptrack *mt, unsigned int *h, struct grant_mapping *m)
{
    bool ok = false;

    spin_lock(&mt->lock);
    for ( ; *h < mt->limit; ++*h )
    {
        struct grant_mapping *r = record(mt, *h);

        if ( r->flags && !(r->flags & MAPTRACK_BUSY) )
        {
            *m = *r;
            r->flags |= MAPTRACK_BUSY;
            ok = true;
            break;
        }
    }
    spin_unlock(&mt->lock);
    return ok;
}
