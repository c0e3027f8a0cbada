/* gnttab.c - grant-table helpers for the test kernels (see gnttab.h). */
#include "guest.h"
#include "gnttab.h"

unsigned long gnt_window_va;
const volatile uint64_t *gnt_l1;
grant_entry_v1_t *gnt_v1;
grant_entry_v2_t *gnt_v2;
grant_status_t *gnt_status;
unsigned int gnt_nr_frames;

bool gnt_window_init(void)
{
    unsigned long va = pt_free_2m_va();

    if ( !va || !(gnt_l1 = pt_hook_l1(va)) )
        return false;
    gnt_window_va = va;
    return true;
}

uint64_t gnt_slot_pte_maddr(unsigned int i)
{
    return virt_to_maddr((const void *)&gnt_l1[i]);
}

long gnt_slot_map(unsigned int i, unsigned long mfn, uint64_t flags)
{
    long rc = mmu_update_one(gnt_slot_pte_maddr(i), mfn ? ((uint64_t)mfn << 12) | flags : 0);

    invlpg_local((unsigned long)gnt_slot(i));
    return rc;
}

long gnt_setup(unsigned int nr)
{
    static xen_pfn_t frames[64];
    struct gnttab_setup_table op = { .dom = DOMID_SELF, .nr_frames = nr };
    long rc;

    if ( nr > 64 )
        return -EINVAL;
    set_xen_guest_handle(op.frame_list, frames);
    rc = hypercall_grant_table_op(GNTTABOP_setup_table, &op, 1);
    if ( rc )
        return rc;
    if ( op.status )
        return op.status;
    for ( unsigned int i = 0; i < nr; i++ )
        if ( (rc = gnt_slot_map(GNT_TABLE_SLOT + i, frames[i], PTE_RW_FLAGS)) )
            return rc;
    gnt_nr_frames = nr;
    gnt_v1 = gnt_slot(GNT_TABLE_SLOT);
    gnt_v2 = gnt_slot(GNT_TABLE_SLOT);
    return 0;
}

long gnt_map_status(unsigned int nr)
{
    static uint64_t frames[8];
    struct gnttab_get_status_frames op = { .dom = DOMID_SELF, .nr_frames = nr };
    long rc;

    if ( nr > 8 )
        return -EINVAL;
    set_xen_guest_handle(op.frame_list, frames);
    rc = hypercall_grant_table_op(GNTTABOP_get_status_frames, &op, 1);
    if ( rc )
        return rc;
    if ( op.status )
        return op.status;
    for ( unsigned int i = 0; i < nr; i++ )
        if ( (rc = gnt_slot_map(GNT_STATUS_SLOT + i, frames[i], PTE_RO_FLAGS)) )
            return rc;
    gnt_status = gnt_slot(GNT_STATUS_SLOT);
    return 0;
}

long gnt_unmap_status(unsigned int nr)
{
    long rc = 0;

    for ( unsigned int i = 0; i < nr; i++ )
        rc |= gnt_slot_map(GNT_STATUS_SLOT + i, 0, 0);
    return rc;
}

void gnt_grant_v1(grant_ref_t ref, domid_t domid, unsigned long mfn, bool readonly)
{
    gnt_v1[ref].frame = mfn;
    gnt_v1[ref].domid = domid;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    gnt_v1[ref].flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
}

bool gnt_end_v1(grant_ref_t ref)
{
    uint16_t flags = __atomic_load_n(&gnt_v1[ref].flags, __ATOMIC_SEQ_CST);

    do {
        if ( flags & (GTF_reading | GTF_writing) )
            return false;
    } while ( !__atomic_compare_exchange_n(&gnt_v1[ref].flags, &flags, 0, false, __ATOMIC_SEQ_CST,
                                           __ATOMIC_SEQ_CST) );
    return true;
}

int16_t gnt_map(grant_ref_t ref, domid_t dom, uint64_t host_addr, uint32_t flags, grant_handle_t *handle,
                uint64_t *bus)
{
    struct gnttab_map_grant_ref op = { .host_addr = host_addr, .flags = flags, .ref = ref, .dom = dom,
                                       .handle = ~0u, .dev_bus_addr = 0 };
    long rc = hypercall_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);

    if ( rc )
        return (int16_t)rc;
    if ( handle )
        *handle = op.handle;
    if ( bus )
        *bus = op.dev_bus_addr;
    return op.status;
}

int16_t gnt_unmap(grant_handle_t handle, uint64_t host_addr, uint64_t bus)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = host_addr, .dev_bus_addr = bus, .handle = handle,
                                         .status = 99 };
    long rc = hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

    return rc ? (int16_t)rc : op.status;
}

const char *gntst_name(long st)
{
    static const char *const names[] = GNTTABOP_error_msgs;

    if ( st <= 0 && st > -(long)(sizeof(names) / sizeof(names[0])) )
        return names[-st];
    return st > 0 ? "positive" : "?";
}
