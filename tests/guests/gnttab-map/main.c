/*
 * gnttab-map - GNTTABOP_map_grant_ref, unmap_grant_ref and unmap_and_replace on grants a domain gives
 * itself (Xen allows that: the grantee is named by its id): host mappings by linear address and by
 * PTE address (GNTMAP_contains_pte, gntdev's form), device mappings, read-only grants and mappings,
 * the GTF_reading/GTF_writing bits the granter sees, the L1 entry a mapping makes, the page-type rule
 * (a frame mapped writable through a grant cannot be pinned as a page table, and a page table cannot
 * be mapped writable), batches longer than one invocation (also inside a multicall), and every
 * refusal with its status: GNTST_bad_gntref (no mapping flag, ref out of range), GNTST_bad_domain
 * (DOMID_SELF is not accepted, unknown domain), GNTST_bad_page (a frame the granter does not own),
 * GNTST_bad_handle (unmapping twice), GNTST_general_error (misaligned or non-L1 PTE address, wrong
 * address or bus address at unmap, a PTE the guest replaced itself).
 * A bus address that does not match at unmap is GNTST_bad_dev_addr (for a mapping with a device part).
 */
#include "guest.h"
#include "gnttab.h"

const char test_title[] = "grant tables: map, unmap, unmap_and_replace";

#define HV_ADDR         0xffff830000000000ul
#define UNMAPPED        0x0000100000000000ul
#define REF             10
#define REF_RO          11
#define REF_OTHER       12
#define REF_BAD_FRAME   13
#define REF_STUCK       14
#define REF_PT          15
#define _PAGE_GNTKERNEL (1ull << 52)

static uint16_t flags_of(grant_ref_t ref)
{
    return __atomic_load_n(&gnt_v1[ref].flags, __ATOMIC_SEQ_CST);
}

static unsigned long va(unsigned int slot)
{
    return (unsigned long)gnt_slot(slot);
}

static void basic(unsigned long mfn, volatile uint64_t *page)
{
    grant_handle_t h1 = ~0u, h2 = ~0u;
    uint64_t bus = 0, pte;

    gnt_grant_v1(REF, 0, mfn, false);
    check_st("map RW", gnt_map(REF, 0, va(128), GNTMAP_host_map, &h1, &bus), GNTST_okay);
    check_eq("dev_bus_addr of a host mapping", bus, (uint64_t)mfn << 12);
    check_eq("flags while mapped RW", flags_of(REF), GTF_permit_access | GTF_reading | GTF_writing);
    pte = pte_get(va(128));
    check_eq("mapped frame", PTE_MFN(pte), mfn);
    check((pte & (_PAGE_PRESENT | _PAGE_RW)) == (_PAGE_PRESENT | _PAGE_RW), "RW mapping: pte %#lx", pte);
    check(pte & _PAGE_GNTKERNEL, "kernel grant mapping without the guest-kernel mark: pte %#lx", pte);
    check(pte & _PAGE_NX, "grant mapping without NX: pte %#lx", pte);
    *(volatile uint64_t *)gnt_slot(128) = 0x5a5a0001;
    check_eq("write through the mapping", page[0], 0x5a5a0001);
    check(!gnt_end_v1(REF), "ending access to a mapped grant succeeded");

    check_st("map RO too", gnt_map(REF, 0, va(129), GNTMAP_host_map | GNTMAP_readonly, &h2, NULL), GNTST_okay);
    check(h2 != h1, "two mappings with one handle %#x", h1);
    pte = pte_get(va(129));
    check((pte & (_PAGE_PRESENT | _PAGE_RW)) == _PAGE_PRESENT, "RO mapping: pte %#lx", pte);
    check_eq("read through the RO mapping", *(volatile uint64_t *)gnt_slot(129), 0x5a5a0001);
    check(!write64_safe(gnt_slot(129), 1), "write through a read-only grant mapping did not fault");
    check_eq("page after the refused write", page[0], 0x5a5a0001);

    check_st("unmap the RW mapping", gnt_unmap(h1, va(128), 0), GNTST_okay);
    check_eq("pte after unmap", pte_get(va(128)), 0);
    check_eq("flags with only the RO mapping", flags_of(REF), GTF_permit_access | GTF_reading);
    check_st("unmap it again", gnt_unmap(h1, va(128), 0), GNTST_bad_handle);
    check_st("unmap with another address", gnt_unmap(h2, va(128), 0), GNTST_general_error);
    check_st("unmap an unmapped address", gnt_unmap(h2, UNMAPPED, 0), GNTST_general_error);
    check_st("unmap in the hypervisor's range", gnt_unmap(h2, HV_ADDR, 0), GNTST_general_error);
    check_st("unmap the RO mapping", gnt_unmap(h2, va(129), 0), GNTST_okay);
    check_eq("flags after both unmaps", flags_of(REF), GTF_permit_access);
    check_st("unmap a handle never handed out", gnt_unmap(0x7fffff, va(129), 0), GNTST_bad_handle);
    check(gnt_end_v1(REF), "ending access to an unmapped grant failed");
}

static void refusals(unsigned long mfn)
{
    grant_handle_t h;

    gnt_grant_v1(REF, 0, mfn, false);
    check_st("map without host_map or device_map", gnt_map(REF, 0, va(130), 0, &h, NULL), GNTST_bad_gntref);
    check_st("map with readonly only", gnt_map(REF, 0, va(130), GNTMAP_readonly, &h, NULL), GNTST_bad_gntref);
    check_st("map a ref out of range", gnt_map(gnt_nr_frames * 512, 0, va(130), GNTMAP_host_map, &h, NULL),
             GNTST_bad_gntref);
    check_st("map with DOMID_SELF", gnt_map(REF, DOMID_SELF, va(130), GNTMAP_host_map, &h, NULL),
             GNTST_bad_domain);
    check_st("map from an unknown domain", gnt_map(REF, 17, va(130), GNTMAP_host_map, &h, NULL),
             GNTST_bad_domain);
    check_st("map a ref that is not granted", gnt_map(REF + 100, 0, va(130), GNTMAP_host_map, &h, NULL),
             GNTST_general_error);
    gnt_grant_v1(REF_OTHER, 5, mfn, false);
    check_st("map a ref granted to another domain", gnt_map(REF_OTHER, 0, va(130), GNTMAP_host_map, &h, NULL),
             GNTST_general_error);
    check_eq("flags of the other domain's grant", flags_of(REF_OTHER), GTF_permit_access);
    gnt_grant_v1(REF_RO, 0, mfn, true);
    check_st("map a read-only grant writable", gnt_map(REF_RO, 0, va(130), GNTMAP_host_map, &h, NULL),
             GNTST_general_error);
    check_eq("flags after the refusal", flags_of(REF_RO), GTF_permit_access | GTF_readonly);
    if ( check_st("map a read-only grant read-only",
                  gnt_map(REF_RO, 0, va(130), GNTMAP_host_map | GNTMAP_readonly, &h, NULL), GNTST_okay) )
    {
        check_eq("flags of the read-only grant mapped", flags_of(REF_RO),
                 GTF_permit_access | GTF_readonly | GTF_reading);
        check_st("unmap it", gnt_unmap(h, va(130), 0), GNTST_okay);
    }
    gnt_grant_v1(REF_BAD_FRAME, 0, 1, false);
    check_st("map a frame the granter does not own", gnt_map(REF_BAD_FRAME, 0, va(130), GNTMAP_host_map, &h,
             NULL), GNTST_bad_page);
    check_eq("flags after the bad frame", flags_of(REF_BAD_FRAME), GTF_permit_access);
    gnt_grant_v1(REF_BAD_FRAME, 0, 0xfffffff, false);
    check_st("map a frame beyond memory", gnt_map(REF_BAD_FRAME, 0, va(130), GNTMAP_host_map, &h, NULL),
             GNTST_bad_page);
    check_st("map at an address without an L1 table", gnt_map(REF, 0, UNMAPPED, GNTMAP_host_map, &h, NULL),
             GNTST_general_error);
    check_st("map at an address in the hypervisor's range", gnt_map(REF, 0, HV_ADDR, GNTMAP_host_map, &h, NULL),
             GNTST_general_error);
    check_eq("flags after the refused mappings", flags_of(REF), GTF_permit_access);
}

static void device_and_pte(unsigned long mfn, void *other)
{
    grant_handle_t h;
    uint64_t bus = 0, pte, maddr = gnt_slot_pte_maddr(200);

    gnt_grant_v1(REF, 0, mfn, false);
    /* A device mapping alone. */
    check_st("device map", gnt_map(REF, 0, 0, GNTMAP_device_map, &h, &bus), GNTST_okay);
    check_eq("dev_bus_addr", bus, (uint64_t)mfn << 12);
    check_eq("flags while device-mapped", flags_of(REF), GTF_permit_access | GTF_reading | GTF_writing);
    check_st("unmap with another bus address", gnt_unmap(h, 0, bus + 4096), GNTST_bad_dev_addr);
    check_st("unmap with neither address (does nothing)", gnt_unmap(h, 0, 0), GNTST_okay);
    check_eq("flags after the empty unmap", flags_of(REF), GTF_permit_access | GTF_reading | GTF_writing);
    check_st("unmap the device mapping", gnt_unmap(h, 0, bus), GNTST_okay);
    check_st("unmap it again", gnt_unmap(h, 0, bus), GNTST_bad_handle);
    check_eq("flags after the device unmap", flags_of(REF), GTF_permit_access);

    /* Both at once, undone in two steps. */
    check_st("host and device map", gnt_map(REF, 0, va(131), GNTMAP_host_map | GNTMAP_device_map, &h, &bus),
             GNTST_okay);
    check_st("unmap the host part", gnt_unmap(h, va(131), 0), GNTST_okay);
    check_eq("pte after the host part", pte_get(va(131)), 0);
    check_eq("flags with the device part left", flags_of(REF), GTF_permit_access | GTF_reading | GTF_writing);
    check_st("unmap the device part", gnt_unmap(h, 0, bus), GNTST_okay);
    check_eq("flags after both parts", flags_of(REF), GTF_permit_access);

    /* By PTE address, as gntdev does, and the user-visible form with guest-available bits. */
    check_st("map by PTE address", gnt_map(REF, 0, maddr, GNTMAP_host_map | GNTMAP_contains_pte |
             GNTMAP_application_map | (5u << _GNTMAP_guest_avail0), &h, NULL), GNTST_okay);
    pte = pte_get(va(200));
    check_eq("frame mapped by PTE address", PTE_MFN(pte), mfn);
    check((pte & (_PAGE_USER | _PAGE_RW)) == (_PAGE_USER | _PAGE_RW) && !(pte & _PAGE_GNTKERNEL),
          "application mapping: pte %#lx", pte);
    check_eq("guest_avail bits in the pte", (pte >> 9) & 7, 5);
    check_st("unmap by PTE address", gnt_unmap(h, maddr, 0), GNTST_okay);
    check_eq("pte after unmap by PTE address", pte_get(va(200)), 0);
    check_st("map by a misaligned PTE address", gnt_map(REF, 0, maddr + 4, GNTMAP_host_map | GNTMAP_contains_pte,
             &h, NULL), GNTST_general_error);
    check_st("map by the address of a page that is not an L1 table", gnt_map(REF, 0, virt_to_maddr(other),
             GNTMAP_host_map | GNTMAP_contains_pte, &h, NULL), GNTST_general_error);
    check_eq("flags after the refused PTE maps", flags_of(REF), GTF_permit_access);
}

static void page_types(unsigned long mfn, void *page)
{
    grant_handle_t h;
    uint64_t bus;

    /* The page's own mapping read-only, so that only the grant makes it writable. */
    if ( set_page_writable(page, false) )
        report_fatal("cannot remap a page read-only");
    gnt_grant_v1(REF, 0, mfn, false);
    check_st("map RW", gnt_map(REF, 0, va(132), GNTMAP_host_map, &h, NULL), GNTST_okay);
    check_rc("pin it as an L1 table while mapped writable", mmuext_one(MMUEXT_PIN_L1_TABLE, mfn, 0), -EINVAL);
    check_st("unmap", gnt_unmap(h, va(132), 0), GNTST_okay);
    check_st("device map RW", gnt_map(REF, 0, 0, GNTMAP_device_map, &h, &bus), GNTST_okay);
    check_rc("pin it while device-mapped writable", mmuext_one(MMUEXT_PIN_L1_TABLE, mfn, 0), -EINVAL);
    check_st("device unmap", gnt_unmap(h, 0, bus), GNTST_okay);
    if ( check_rc("pin it once unmapped", mmuext_one(MMUEXT_PIN_L1_TABLE, mfn, 0), 0) )
    {
        gnt_grant_v1(REF_PT, 0, mfn, false);
        check_st("map a page table writable", gnt_map(REF_PT, 0, va(133), GNTMAP_host_map, &h, NULL),
                 GNTST_general_error);
        check_eq("flags after that", flags_of(REF_PT), GTF_permit_access);
        if ( check_st("map a page table read-only", gnt_map(REF_PT, 0, va(133),
                      GNTMAP_host_map | GNTMAP_readonly, &h, NULL), GNTST_okay) )
            check_st("unmap it", gnt_unmap(h, va(133), 0), GNTST_okay);
        check_rc("unpin", mmuext_one(MMUEXT_UNPIN_TABLE, mfn, 0), 0);
    }
    check_rc("page writable again", set_page_writable(page, true), 0);
}

static void replace(unsigned long mfn, void *other)
{
    struct gnttab_unmap_and_replace op;
    grant_handle_t h;

    gnt_grant_v1(REF, 0, mfn, false);
    *(volatile uint64_t *)other = 0x0dd0beef;
    check_rc("map the other page", gnt_slot_map(300, virt_to_mfn(other), PTE_RW_FLAGS), 0);
    check_st("map", gnt_map(REF, 0, va(301), GNTMAP_host_map, &h, NULL), GNTST_okay);
    op = (struct gnttab_unmap_and_replace){ .host_addr = va(301), .new_addr = va(300), .handle = h, .status = 99 };
    check_rc("unmap_and_replace", hypercall_grant_table_op(GNTTABOP_unmap_and_replace, &op, 1), 0);
    check_st("unmap_and_replace status", op.status, GNTST_okay);
    check_eq("the mapping's address now maps the other page", PTE_MFN(pte_get(va(301))), virt_to_mfn(other));
    check_eq("read through it", *(volatile uint64_t *)gnt_slot(301), 0x0dd0beef);
    check_eq("the other address is empty", pte_get(va(300)), 0);
    check_eq("flags after unmap_and_replace", flags_of(REF), GTF_permit_access);
    check_rc("clear the moved entry", gnt_slot_map(301, 0, 0), 0);

    check_st("map again", gnt_map(REF, 0, va(302), GNTMAP_host_map, &h, NULL), GNTST_okay);
    op = (struct gnttab_unmap_and_replace){ .host_addr = va(302), .new_addr = UNMAPPED, .handle = h, .status = 99 };
    check_rc("unmap_and_replace from nowhere", hypercall_grant_table_op(GNTTABOP_unmap_and_replace, &op, 1), 0);
    check_st("unmap_and_replace from nowhere: status", op.status, GNTST_general_error);
    op = (struct gnttab_unmap_and_replace){ .host_addr = va(302), .new_addr = 0, .handle = h, .status = 99 };
    check_rc("unmap_and_replace with no new address", hypercall_grant_table_op(GNTTABOP_unmap_and_replace, &op, 1),
             0);
    check_st("... status", op.status, GNTST_okay);
    check_eq("pte after it", pte_get(va(302)), 0);

    check_st("map by PTE address", gnt_map(REF, 0, gnt_slot_pte_maddr(303), GNTMAP_host_map | GNTMAP_contains_pte,
             &h, NULL), GNTST_okay);
    check_rc("map the other page again", gnt_slot_map(300, virt_to_mfn(other), PTE_RW_FLAGS), 0);
    op = (struct gnttab_unmap_and_replace){ .host_addr = gnt_slot_pte_maddr(303), .new_addr = va(300),
                                            .handle = h, .status = 99 };
    check_rc("unmap_and_replace of a PTE-address mapping", hypercall_grant_table_op(GNTTABOP_unmap_and_replace,
             &op, 1), 0);
    check_st("... status", op.status, GNTST_general_error);
    check_st("unmap it", gnt_unmap(h, gnt_slot_pte_maddr(303), 0), GNTST_okay);
    check_rc("unmap the other page", gnt_slot_map(300, 0, 0), 0);
    check_eq("flags at the end", flags_of(REF), GTF_permit_access);
}

static void batches(unsigned long mfn)
{
    static struct gnttab_map_grant_ref map[129];
    static struct gnttab_unmap_grant_ref unmap[129];
    static multicall_entry_t mc[2];
    unsigned int i, bad = 0;

    gnt_grant_v1(REF, 0, mfn, true);
    for ( i = 0; i < 100; i++ )
        map[i] = (struct gnttab_map_grant_ref){ .host_addr = va(128 + i), .flags = GNTMAP_host_map | GNTMAP_readonly,
                                                .ref = REF, .dom = 0, .status = 99 };
    check_rc("map 100 in one call", hypercall_grant_table_op(GNTTABOP_map_grant_ref, map, 100), 0);
    for ( i = 0; i < 100; i++ )
    {
        bad += map[i].status != GNTST_okay || PTE_MFN(pte_get(va(128 + i))) != mfn;
        unmap[i] = (struct gnttab_unmap_grant_ref){ .host_addr = va(128 + i), .handle = map[i].handle,
                                                    .status = 99 };
    }
    check(!bad, "%u of 100 batched maps failed", bad);
    check_rc("unmap 100 in one call", hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, unmap, 100), 0);
    for ( i = 0, bad = 0; i < 100; i++ )
        bad += unmap[i].status != GNTST_okay || pte_get(va(128 + i));
    check(!bad, "%u of 100 batched unmaps failed", bad);
    check_eq("flags after the batch", flags_of(REF), GTF_permit_access | GTF_readonly);

    /* The same inside a multicall. */
    for ( i = 0; i < 100; i++ )
        map[i].status = 99;
    mc[0] = (multicall_entry_t){ .op = __HYPERVISOR_grant_table_op,
                                 .args = { GNTTABOP_map_grant_ref, (unsigned long)map, 100 } };
    mc[1] = (multicall_entry_t){ .op = __HYPERVISOR_grant_table_op,
                                 .args = { GNTTABOP_unmap_grant_ref, (unsigned long)unmap, 100 } };
    check_rc("multicall: map 100", hypercall_multicall(mc, 1), 0);
    check_rc("multicall: map result", mc[0].result, 0);
    for ( i = 0, bad = 0; i < 100; i++ )
    {
        bad += map[i].status != GNTST_okay;
        unmap[i].handle = map[i].handle;
        unmap[i].status = 99;
    }
    check(!bad, "%u of 100 maps in a multicall failed", bad);
    check_rc("multicall: unmap 100", hypercall_multicall(&mc[1], 1), 0);
    check_rc("multicall: unmap result", mc[1].result, 0);
    for ( i = 0, bad = 0; i < 100; i++ )
        bad += unmap[i].status != GNTST_okay;
    check(!bad, "%u of 100 unmaps in a multicall failed", bad);
    check_eq("flags after the multicall", flags_of(REF), GTF_permit_access | GTF_readonly);

    /* A pin counter holds 128 mappings of one kind: the 129th read-only mapping is refused. */
    for ( i = 0; i < 129; i++ )
        map[i] = (struct gnttab_map_grant_ref){ .host_addr = va(128 + i), .flags = GNTMAP_host_map | GNTMAP_readonly,
                                                .ref = REF, .dom = 0, .status = 99 };
    check_rc("map 129 of one ref", hypercall_grant_table_op(GNTTABOP_map_grant_ref, map, 129), 0);
    for ( i = 0, bad = 0; i < 128; i++ )
    {
        bad += map[i].status != GNTST_okay;
        unmap[i] = (struct gnttab_unmap_grant_ref){ .host_addr = va(128 + i), .handle = map[i].handle,
                                                    .status = 99 };
    }
    check(!bad, "%u of the first 128 maps of one ref failed", bad);
    check_st("the 129th map of one ref", map[128].status, GNTST_general_error);
    check_rc("unmap the 128", hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, unmap, 128), 0);
    for ( i = 0, bad = 0; i < 128; i++ )
        bad += unmap[i].status != GNTST_okay;
    check(!bad, "%u of 128 unmaps failed", bad);
    check_eq("flags after the 128", flags_of(REF), GTF_permit_access | GTF_readonly);
}

/* The guest clears a grant PTE itself (Xen allows it): the grant stays mapped for good. */
static void implicit_unmap(unsigned long mfn)
{
    grant_handle_t h;

    gnt_grant_v1(REF_STUCK, 0, mfn, false);
    if ( !check_st("map", gnt_map(REF_STUCK, 0, va(400), GNTMAP_host_map, &h, NULL), GNTST_okay) )
        return;
    check_rc("clear the grant PTE with mmu_update", mmu_update_one(gnt_slot_pte_maddr(400), 0), 0);
    invlpg_local(va(400));
    check_eq("pte after mmu_update", pte_get(va(400)), 0);
    check_st("unmap by handle after that", gnt_unmap(h, va(400), 0), GNTST_general_error);
    check_eq("flags: still in use", flags_of(REF_STUCK), GTF_permit_access | GTF_reading | GTF_writing);
}

void test_main(start_info_t *si)
{
    void *page = alloc_page(), *other = alloc_page();
    unsigned long mfn = virt_to_mfn(page);

    if ( !gnt_window_init() )
        report_fatal("no window for the grant mappings");
    if ( gnt_setup(1) )
        report_fatal("setup_table(1) failed");
    basic(mfn, page);
    refusals(mfn);
    device_and_pte(mfn, other);
    page_types(mfn, page);
    replace(mfn, other);
    batches(mfn);
    implicit_unmap(virt_to_mfn(alloc_page()));
}
