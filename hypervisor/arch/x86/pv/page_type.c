/*
 * page_type.c (pv) - page types and type reference counts of frames, and linear page-table references.
 *
 * Design (as Xen's _get_page_type/_put_page_type): type_info holds the
 * type, PGT_validated, PGT_pinned, two linear-entry marks and the type
 * count, and changes only by compare-and-swap.  The type may change only
 * when the count is zero.  Taking the first reference of a page-table or
 * descriptor type leaves the frame unvalidated with count 1; the taker
 * validates it (validate.c) and then sets PGT_validated, or on failure
 * returns the frame to type none with count 0.  Dropping the last reference
 * of a validated page table first clears PGT_validated (count still 1),
 * un-validates it, then drops the count.  Anyone who finds a frame of the
 * wanted type with a count but not validated waits for the outcome; that
 * only happens to descriptor pages (page-table types of a domain's frames
 * change only under its mm_lock, and validation descends strictly in level,
 * so it never waits for itself).  Writable pages are validated at once.
 *
 * Bounded recursion: validation descends L4 -> L3 -> L2 -> L1 -> data
 * frames and takes only already-validated tables through linear entries,
 * so it nests at most 4 deep.  Un-validation follows the same references;
 * a linear entry adds at most one same-level hop per level because a table
 * holding linear entries can never be the target of one (PGT_has_linear /
 * PGT_linear_target), so it nests at most 8 deep.  Neither is preemptible
 * yet (Xen's PGT_partial): see asm/pv_mm.h.
 *
 * Locking: see asm/pv_mm.h.  Page-table types need the owner's mm_lock
 * (asserted); the counts themselves are lock-free.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/pv_mm.h>
#include <asm/system.h>
#include "mm_internal.h"

#define PGT_linear_marks    (PGT_has_linear | PGT_linear_target)

BUILD_BUG_ON(PGT_linear_marks & (PGT_count_mask | PGT_validated | PGT_pinned | PGT_type_mask));

static unsigned long load_type(const struct page_info *pg)
{
    return __atomic_load_n(&pg->u.inuse.type_info, __ATOMIC_ACQUIRE);
}

static bool cas_type(struct page_info *pg, unsigned long *x, unsigned long nx)
{
    return __atomic_compare_exchange_n(&pg->u.inuse.type_info, x, nx, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

static bool owner_locked(const struct page_info *pg)
{
    const struct domain *d = page_get_owner(pg);

    return d && spin_is_locked(&d->arch.mm_lock);
}

/* Validate a frame whose first reference of `type` we just took (count 1, not validated). */
static bool validate(struct page_info *pg, unsigned long type)
{
    if ( pv_validate_page(pg, type) == 0 )
    {
        __atomic_fetch_or(&pg->u.inuse.type_info, PGT_validated, __ATOMIC_RELEASE);
        return true;
    }
    /* Nobody else changes type_info meanwhile (they wait or fail): give the type and our count up. */
    __atomic_store_n(&pg->u.inuse.type_info, 0, __ATOMIC_RELEASE);
    return false;
}

bool get_page_type(struct page_info *pg, unsigned long type)
{
    unsigned long x = load_type(pg), nx;
    struct domain *owner = page_get_owner(pg);

    BUG_ON(type != PGT_writable_page && type != PGT_seg_desc_page && !pv_is_pt_type(type));
    ASSERT(!pv_is_pt_type(type) || owner_locked(pg));

    for ( ; ; )
    {
        nx = x + 1;
        if ( !(nx & PGT_count_mask) )
        {
            pv_mm_log("type count overflow on mfn %lx\n", page_to_mfn(pg));
            return false;
        }
        if ( !(x & PGT_count_mask) )
        {
            if ( (x & PGT_type_mask) != type )
            {
                /* The hypervisor writes its pages shared with guests: never a table or descriptors. */
                if ( type != PGT_writable_page && (pg->count_info & PGC_xen_heap) )
                    return false;
                /*
                 * No CPU may keep a translation that the old role allowed (a writable
                 * mapping of a future page table, or a cached walk through a former
                 * one).  Type none never had either.
                 */
                if ( (x & PGT_type_mask) != PGT_none && owner )
                    pv_flush_tlb_domain(owner);
                nx = (nx & ~(PGT_type_mask | PGT_validated | PGT_linear_marks)) | type;
                if ( type == PGT_writable_page )
                    nx |= PGT_validated;
            }
        }
        else if ( (x & PGT_type_mask) != type )
            return false;
        else if ( !(x & PGT_validated) )
        {
            /* Being validated or un-validated by another CPU: wait for the outcome. */
            cpu_relax();
            x = load_type(pg);
            continue;
        }
        if ( cas_type(pg, &x, nx) )
            break;
    }
    if ( !(nx & PGT_validated) )
        return validate(pg, type);
    return true;
}

void put_page_type(struct page_info *pg)
{
    unsigned long x = load_type(pg), nx;

    for ( ; ; )
    {
        BUG_ON(!(x & PGT_count_mask) || !(x & PGT_validated));
        nx = x - 1;
        if ( !(nx & PGT_count_mask) && pv_is_pt_type(x) )
        {
            /* The last reference to a page table: un-validate it while still holding the count. */
            nx = x & ~(PGT_validated | PGT_linear_marks);
            if ( !cas_type(pg, &x, nx) )
                continue;
            ASSERT(owner_locked(pg));
            pv_devalidate_page(pg, x & PGT_type_mask);
            __atomic_fetch_sub(&pg->u.inuse.type_info, 1, __ATOMIC_RELEASE);
            return;
        }
        if ( cas_type(pg, &x, nx) )
            return;
    }
}

bool get_page_and_type(struct page_info *pg, const struct domain *d, unsigned long type)
{
    if ( !get_page(pg, d) )
        return false;
    if ( !get_page_type(pg, type) )
    {
        put_page(pg);
        return false;
    }
    return true;
}

void put_page_and_type(struct page_info *pg)
{
    put_page_type(pg);
    put_page(pg);
}

/* Mark table pg as holding linear entries, unless it is itself a linear target. */
static bool mark_has_linear(struct page_info *pg)
{
    unsigned long x = load_type(pg);

    do {
        if ( x & PGT_linear_target )
            return false;
        if ( x & PGT_has_linear )
            return true;
    } while ( !cas_type(pg, &x, x | PGT_has_linear) );
    return true;
}

/*
 * Xen's get_lN_linear_pagetable: an entry of table table_mfn (owned by d,
 * of level `type`) that points at a table of the same level.  It must be
 * read-only (else the guest could write its own entries).  Pointing at
 * itself needs no reference (and lets a table be validated while it maps
 * itself); another table must already be validated (never wait for a
 * validation in progress), belong to d and hold no linear entries itself.
 */
bool pv_get_linear_pagetable(uint64_t e, unsigned long table_mfn, struct domain *d, unsigned long type)
{
    unsigned long mfn = pte_mfn(e), x;
    struct page_info *pg;

    if ( e & _PAGE_RW )
    {
        pv_mm_log("d%u: writable linear entry to mfn %lx refused\n", d->domain_id, mfn);
        return false;
    }
    if ( mfn == table_mfn )
        return true;
    if ( page_get_owner(mfn_to_page(table_mfn)) != d || !mfn_valid(mfn) )
        return false;
    pg = mfn_to_page(mfn);
    if ( !get_page(pg, d) )
        return false;
    if ( !mark_has_linear(mfn_to_page(table_mfn)) )
        goto fail;
    x = load_type(pg);
    do {
        if ( (x & PGT_count_mask) == PGT_count_mask || (x & PGT_has_linear) ||
             (x & (PGT_type_mask | PGT_validated)) != (type | PGT_validated) )
            goto fail;
    } while ( !cas_type(pg, &x, (x + 1) | PGT_linear_target) );
    return true;

 fail:
    put_page(pg);
    return false;
}
