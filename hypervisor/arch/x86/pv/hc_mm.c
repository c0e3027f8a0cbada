/*
 * hc_mm.c (pv) - the PV MMU hypercalls: mmu_update, update_va_mapping and mmuext_op.
 *
 * These copy the guest's requests in one at a time, decode the domains they
 * name, and call the MMU cores (mm_ops.c), which validate every change.
 * Batches stop after a bounded number of requests and continue in a
 * re-issued hypercall: the count carries MMU_UPDATE_PREEMPTED and the
 * progress so far is kept in *pdone (Xen's convention).  TLB flushing follows
 * the guest's request (UVMF_*, MMUEXT_*_FLUSH); guest user mappings are
 * global, so a "local TLB flush" is a full one.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

#define MMU_UPDATE_PREEMPTED    (~(~0U >> 1))
#define OPS_PER_CALL            256

/* The domain foreigndom names: DOMID_SELF/own id/DOMID_IO -> own; another only for the privileged. */
static struct domain *get_pg_owner(domid_t id)
{
    struct domain *d = current->domain;

    if ( id == DOMID_SELF || id == d->domain_id || id == DOMID_IO )
        return get_domain(d) ? d : NULL;
    if ( !d->is_privileged )
        return NULL;
    return domain_lookup(id);
}

static long batch_start(unsigned long *count, unsigned long pdone, unsigned long *done)
{
    *done = 0;
    if ( *count & MMU_UPDATE_PREEMPTED )
    {
        unsigned int d32 = 0;

        *count &= ~MMU_UPDATE_PREEMPTED;
        if ( pdone && copy_from_guest_va(&d32, pdone, sizeof(d32)) )
            return -EFAULT;
        *done = d32;
    }
    return 0;
}

static long batch_end(unsigned long pdone, unsigned long done, long rc)
{
    unsigned int d32 = done;

    if ( pdone && copy_to_guest_va(pdone, &d32, sizeof(d32)) )
        return -EFAULT;
    return rc;
}

long do_mmu_update(unsigned long ureqs, unsigned long count, unsigned long pdone, unsigned long foreigndom)
{
    struct vcpu *v = current;
    struct domain *pg_owner, *pt_owner;
    unsigned long done, i;
    long rc = 0;

    if ( (rc = batch_start(&count, pdone, &done)) )
        return rc;
    if ( !(pg_owner = get_pg_owner(foreigndom & 0xffff)) )
        return -ESRCH;
    /* foreigndom[31:16] - 1 owns the page tables (privileged callers only); 0 means the caller. */
    if ( foreigndom >> 16 )
        pt_owner = v->domain->is_privileged ? domain_lookup((foreigndom >> 16) - 1) : NULL;
    else
        pt_owner = get_domain(v->domain) ? v->domain : NULL;
    if ( !pt_owner )
    {
        put_domain(pg_owner);
        return v->domain->is_privileged ? -ESRCH : -EPERM;
    }

    for ( i = 0; i < count; i++ )
    {
        struct mmu_update req;

        if ( i == OPS_PER_CALL )
        {
            rc = hypercall_create_continuation(__HYPERVISOR_mmu_update, ureqs + i * sizeof(req),
                                               (count - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom, 0);
            break;
        }
        if ( copy_from_guest_va(&req, ureqs + i * sizeof(req), sizeof(req)) )
        {
            rc = -EFAULT;
            break;
        }
        if ( (rc = pv_mmu_update_one(v, req.ptr, req.val, pt_owner, pg_owner)) )
            break;
        done++;
    }
    put_domain(pt_owner);
    put_domain(pg_owner);
    return batch_end(pdone, done, rc);
}

static void do_flush(struct vcpu *v, unsigned long flags, unsigned long va)
{
    switch ( flags & UVMF_FLUSHTYPE_MASK )
    {
    case UVMF_TLB_FLUSH:
        if ( flags & ~UVMF_FLUSHTYPE_MASK )     /* UVMF_ALL, or a vCPU mask: everywhere the domain ran */
            pv_flush_tlb_domain(v->domain);
        else
            flush_tlb_local_global();
        break;
    case UVMF_INVLPG:
        if ( flags & ~UVMF_FLUSHTYPE_MASK )
            pv_flush_tlb_domain(v->domain);
        else
            invlpg((void *)va);
        break;
    default:
        break;
    }
}

long do_update_va_mapping(unsigned long va, unsigned long val, unsigned long flags)
{
    struct vcpu *v = current;
    int rc = pv_update_va_mapping(v, va, val, NULL);

    if ( !rc )
        do_flush(v, flags, va);
    return rc;
}

/* A frame of the caller's domain it may write (CLEAR_PAGE, COPY_PAGE destination). */
static int with_writable_frame(struct domain *d, unsigned long mfn, struct page_info **pg)
{
    if ( !mfn_valid(mfn) || !get_page_and_type(mfn_to_page(mfn), d, PGT_writable_page) )
        return -EINVAL;
    *pg = mfn_to_page(mfn);
    return 0;
}

static int mmuext_one(struct vcpu *v, const struct mmuext_op *op, struct domain *pg_owner)
{
    struct domain *d = v->domain;
    struct page_info *dst, *src;
    int rc;

    switch ( op->cmd )
    {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pv_pin_table(v, op->arg1.mfn, op->cmd - MMUEXT_PIN_L1_TABLE + 1, pg_owner);
    case MMUEXT_UNPIN_TABLE:
        return pv_unpin_table(v, op->arg1.mfn, pg_owner);
    case MMUEXT_NEW_BASEPTR:
        return pg_owner != d ? -EPERM : pv_new_baseptr(v, op->arg1.mfn);
    case MMUEXT_NEW_USER_BASEPTR:
        return pg_owner != d ? -EPERM : pv_new_user_baseptr(v, op->arg1.mfn);
    case MMUEXT_TLB_FLUSH_LOCAL:
        flush_tlb_local_global();
        return 0;
    case MMUEXT_INVLPG_LOCAL:
        if ( guest_range_ok(op->arg1.linear_addr, 1) )
            invlpg((void *)op->arg1.linear_addr);
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
    case MMUEXT_INVLPG_ALL:
        pv_flush_tlb_domain(d);
        return 0;
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        if ( !d->is_privileged )
            return -EPERM;
        __asm__ __volatile__("wbinvd" ::: "memory");
        return 0;
    case MMUEXT_SET_LDT:
        return pv_set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);
    case MMUEXT_CLEAR_PAGE:
        if ( (rc = with_writable_frame(pg_owner, op->arg1.mfn, &dst)) )
            return rc;
        memset(mfn_to_virt(op->arg1.mfn), 0, PAGE_SIZE);
        put_page_and_type(dst);
        return 0;
    case MMUEXT_COPY_PAGE:
        if ( !mfn_valid(op->arg2.src_mfn) || !get_page(src = mfn_to_page(op->arg2.src_mfn), pg_owner) )
            return -EINVAL;
        if ( (rc = with_writable_frame(pg_owner, op->arg1.mfn, &dst)) )
        {
            put_page(src);
            return rc;
        }
        memcpy(mfn_to_virt(op->arg1.mfn), mfn_to_virt(op->arg2.src_mfn), PAGE_SIZE);
        put_page_and_type(dst);
        put_page(src);
        return 0;
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        return -EOPNOTSUPP;
    default:
        return -ENOSYS;
    }
}

long do_mmuext_op(unsigned long uops, unsigned long count, unsigned long pdone, unsigned long foreigndom)
{
    struct vcpu *v = current;
    struct domain *pg_owner;
    unsigned long done, i;
    long rc;

    if ( (rc = batch_start(&count, pdone, &done)) )
        return rc;
    if ( !(pg_owner = get_pg_owner(foreigndom)) )
        return -ESRCH;
    for ( i = 0; i < count; i++ )
    {
        struct mmuext_op op;

        if ( i == OPS_PER_CALL )
        {
            rc = hypercall_create_continuation(__HYPERVISOR_mmuext_op, uops + i * sizeof(op),
                                               (count - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom, 0);
            break;
        }
        if ( copy_from_guest_va(&op, uops + i * sizeof(op), sizeof(op)) )
        {
            rc = -EFAULT;
            break;
        }
        if ( (rc = mmuext_one(v, &op, pg_owner)) )
            break;
        done++;
    }
    put_domain(pg_owner);
    return batch_end(pdone, done, rc);
}
