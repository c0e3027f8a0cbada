/*
 * grant_entry.c - the state machine of one grant entry: the GTF_* protocol between the granting
 * guest and the hypervisor, for versions 1 and 2 (Xen 4.17's _set_status_v1/_v2,
 * gnttab_clear_flags, gnttab_prepare_for_transfer and the reserved-entry copies of set_version).
 *
 * Design: the guest owns the entry and may rewrite it at any time, so every decision is taken on a
 * value read once, and every change of a word the guest also writes is a compare-and-swap (v1's
 * {flags, domid} word) or an atomic bit operation (the status bits).  An entry grants when its type
 * is GTF_permit_access (v2 also GTF_transitive) and its domid is the user's; the hypervisor marks
 * it GTF_reading (and GTF_writing for writable uses) while it is in use, which is what the guest
 * checks before it revokes the grant.  A guest that keeps changing the word while the hypervisor
 * tries to pin it (a livelock attempt) is refused after 5 attempts (GNTST_general_error), as Xen.
 * The checks apply only to the first use of an entry ("pinned" false); further uses of a pinned
 * entry only add GTF_writing.
 *
 * Pure code: no locks (the caller holds the table's lock), no allocation.  Unit tests:
 * tests/unit/test_grant_entry.c.
 */
#include <parva/lib.h>
#include <parva/errno.h>
#include "grant_private.h"

#define PIN_ATTEMPTS    5

static uint32_t load_word(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static bool cas_word(uint32_t *p, uint32_t *expected, uint32_t new)
{
    return __atomic_compare_exchange_n(p, expected, new, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static uint32_t make_hdr(uint16_t flags, domid_t domid)
{
    return (uint32_t)flags | ((uint32_t)domid << 16);
}

/* Does a not-yet-pinned entry grant access to ldomid, as this use needs? */
static bool grants_to(uint32_t hdr, unsigned int version, bool map, domid_t ldomid)
{
    uint16_t flags = gnttab_hdr_flags(hdr);
    uint16_t type = flags & GTF_type_mask;

    if ( gnttab_hdr_domid(hdr) != ldomid )
        return false;
    /* A mapping needs a whole page: no sub-page grant (v1 has the bit too, and refuses it alike). */
    if ( map && (flags & GTF_sub_page) )
        return false;
    if ( type == GTF_permit_access )
        return true;
    /* Transitive grants exist in v2, for copies only. */
    return version == 2 && type == GTF_transitive && !map;
}

static int pin_v1(const struct grant_entry_view *e, bool pinned, bool readonly, bool map, domid_t ldomid)
{
    uint32_t old = load_word(e->hdr);
    unsigned int attempt;

    for ( attempt = 0; attempt < PIN_ATTEMPTS; attempt++ )
    {
        uint16_t flags = gnttab_hdr_flags(old);
        uint16_t nflags = flags | GTF_reading;

        if ( !pinned && !grants_to(old, 1, map, ldomid) )
            return GNTST_general_error;
        if ( !readonly )
        {
            if ( flags & GTF_readonly )
                return GNTST_general_error;
            nflags |= GTF_writing;
        }
        if ( cas_word(e->hdr, &old, make_hdr(nflags, gnttab_hdr_domid(old))) )
            return GNTST_okay;
        /* The guest changed the entry meanwhile: old now holds what it wrote; decide again. */
    }
    return GNTST_general_error;
}

static int pin_v2(const struct grant_entry_view *e, bool pinned, bool readonly, bool map, domid_t ldomid)
{
    uint32_t hdr = load_word(e->hdr);
    uint16_t bits = readonly ? GTF_reading : GTF_reading | GTF_writing;

    if ( !pinned && !grants_to(hdr, 2, map, ldomid) )
        return GNTST_general_error;
    if ( !readonly && (gnttab_hdr_flags(hdr) & GTF_readonly) )
        return GNTST_general_error;
    __atomic_fetch_or(e->status, bits, __ATOMIC_SEQ_CST);

    /*
     * The guest revokes a v2 grant by clearing its header and then checking the status word: after
     * our bits are visible, look again, and back out if the grant changed under us.
     */
    hdr = load_word(e->hdr);
    if ( !pinned )
    {
        if ( !grants_to(hdr, 2, map, ldomid) || (!readonly && (gnttab_hdr_flags(hdr) & GTF_readonly)) )
        {
            __atomic_fetch_and(e->status, (uint16_t)~(GTF_reading | GTF_writing), __ATOMIC_SEQ_CST);
            return GNTST_general_error;
        }
    }
    else if ( !readonly && (gnttab_hdr_flags(hdr) & GTF_readonly) )
    {
        /* Pinned already (reading stays needed); a writable use of what became read-only is not. */
        __atomic_fetch_and(e->status, (uint16_t)~GTF_writing, __ATOMIC_SEQ_CST);
        return GNTST_general_error;
    }
    return GNTST_okay;
}

int gnttab_entry_pin(const struct grant_entry_view *e, bool pinned, bool readonly, bool map, domid_t ldomid)
{
    return e->version == 1 ? pin_v1(e, pinned, readonly, map, ldomid)
                           : pin_v2(e, pinned, readonly, map, ldomid);
}

unsigned int gnttab_unpin_flags(uint32_t pin, bool readonly)
{
    unsigned int clear = 0;

    if ( !readonly && !(pin & GNTPIN_writers) )
        clear |= GTF_writing;
    if ( !pin )
        clear |= GTF_reading;
    return clear;
}

void gnttab_entry_clear(const struct grant_entry_view *e, unsigned int flags)
{
    if ( flags )
        __atomic_fetch_and(e->status, (uint16_t)~flags, __ATOMIC_SEQ_CST);
}

void gnttab_entry_target(const void *shared, unsigned int version, struct grant_target *t)
{
    memset(t, 0, sizeof(*t));
    t->length = PAGE_SIZE;
    if ( version == 1 )
    {
        const grant_entry_v1_t *v1 = shared;

        t->frame = READ_ONCE(v1->frame);
        return;
    }
    else
    {
        const grant_entry_v2_t *v2 = shared;
        uint16_t flags = READ_ONCE(v2->hdr.flags);

        if ( (flags & GTF_type_mask) == GTF_transitive )
        {
            t->transitive = true;
            t->trans_domid = READ_ONCE(v2->transitive.trans_domid);
            t->trans_gref = READ_ONCE(v2->transitive.gref);
        }
        else if ( flags & GTF_sub_page )
        {
            t->sub_page = true;
            t->frame = READ_ONCE(v2->sub_page.frame);
            t->start = READ_ONCE(v2->sub_page.page_off);
            t->length = READ_ONCE(v2->sub_page.length);
        }
        else
            t->frame = READ_ONCE(v2->full_page.frame);
    }
}

bool gnttab_entry_commit_transfer(uint32_t *hdr, domid_t from)
{
    uint32_t old = load_word(hdr);
    unsigned int attempt;

    for ( attempt = 0; attempt < PIN_ATTEMPTS; attempt++ )
    {
        if ( gnttab_hdr_flags(old) != GTF_accept_transfer || gnttab_hdr_domid(old) != from )
            return false;
        if ( cas_word(hdr, &old, make_hdr(GTF_accept_transfer | GTF_transfer_committed, from)) )
            return true;
    }
    return false;
}

void gnttab_entry_complete_transfer(void *shared, unsigned int version, unsigned long mfn)
{
    uint16_t *flags;

    if ( version == 1 )
    {
        grant_entry_v1_t *v1 = shared;

        WRITE_ONCE(v1->frame, (uint32_t)mfn);
        flags = &v1->flags;
    }
    else
    {
        grant_entry_v2_t *v2 = shared;

        WRITE_ONCE(v2->full_page.frame, (uint64_t)mfn);
        flags = &v2->hdr.flags;
    }
    /* The guest reads the frame once it sees GTF_transfer_completed. */
    __atomic_fetch_or(flags, GTF_transfer_completed, __ATOMIC_SEQ_CST);
}

int gnttab_reserved_v1_representable(const grant_entry_v2_t *v2)
{
    unsigned int i;

    for ( i = 0; i < GNTTAB_NR_RESERVED_ENTRIES; i++ )
        switch ( v2[i].hdr.flags & GTF_type_mask )
        {
        case GTF_permit_access:
            if ( v2[i].full_page.frame >> 32 )
                return -ERANGE;
            break;
        case GTF_transitive:
            return -ERANGE;
        }
    return 0;
}

void gnttab_reserved_save_v1(const grant_entry_v1_t *v1, grant_entry_v1_t *saved)
{
    memcpy(saved, v1, GNTTAB_NR_RESERVED_ENTRIES * sizeof(*saved));
}

void gnttab_reserved_save_v2(const grant_entry_v2_t *v2, const grant_status_t *status, grant_entry_v1_t *saved)
{
    unsigned int i;

    for ( i = 0; i < GNTTAB_NR_RESERVED_ENTRIES; i++ )
    {
        uint16_t flags = v2[i].hdr.flags;

        /* Only plain full-page grants survive; anything else becomes an invalid entry (as Xen). */
        if ( (flags & GTF_type_mask) == GTF_permit_access )
        {
            saved[i].flags = flags | status[i];
            saved[i].domid = v2[i].hdr.domid;
            saved[i].frame = (uint32_t)v2[i].full_page.frame;
        }
        else
            memset(&saved[i], 0, sizeof(saved[i]));
    }
}

void gnttab_reserved_restore_v1(grant_entry_v1_t *v1, const grant_entry_v1_t *saved)
{
    memcpy(v1, saved, GNTTAB_NR_RESERVED_ENTRIES * sizeof(*saved));
}

void gnttab_reserved_restore_v2(grant_entry_v2_t *v2, grant_status_t *status, const grant_entry_v1_t *saved)
{
    unsigned int i;

    for ( i = 0; i < GNTTAB_NR_RESERVED_ENTRIES; i++ )
    {
        status[i] = saved[i].flags & (GTF_reading | GTF_writing);
        v2[i].hdr.flags = saved[i].flags & ~(GTF_reading | GTF_writing);
        v2[i].hdr.domid = saved[i].domid;
        v2[i].full_page.frame = saved[i].frame;
    }
}
