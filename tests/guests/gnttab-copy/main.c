/*
 * gnttab-copy - GNTTABOP_copy, cache_flush, swap_grant_ref and transfer, on the domain's own frames and
 * its grants to itself.  Copy: by frame (DOMID_SELF only: the own id is GNTST_permission_denied) and
 * by reference on either side, offsets and lengths (beyond a page: GNTST_bad_copy_arg), the checks in
 * Xen's order (domains, source, destination, then the bounds), a read-only grant as destination, a
 * page table as destination, bad refs, domains and frames, a batch longer than one invocation, and
 * GTF_reading/GTF_writing clear again afterwards.  cache_flush: argument checks (-EINVAL), a frame
 * nobody owns (-EPERM), clean (0), invalidate alone (-EOPNOTSUPP on x86).  swap_grant_ref: entries
 * swapped, a bad ref GNTST_bad_gntref, a pinned one GNTST_eagain.  transfer: a frame out of range or
 * still mapped is GNTST_bad_page; a free frame given to the domain itself through an accept_transfer
 * grant arrives (GTF_transfer_committed | GTF_transfer_completed, the entry holds the frame, the M2P
 * the frame number the entry named), once the domain has room below its maximum.
 */
#include "guest.h"
#include "gnttab.h"

const char test_title[] = "grant tables: copy, cache_flush, swap_grant_ref, transfer";

#define HV_ADDR     0xffff830000000000ul
#define REF_SRC     20
#define REF_DST     21
#define REF_RO      22
#define REF_PT      23
#define REF_XFER    24
#define REF_OTHER   25

static uint16_t flags_of(grant_ref_t ref)
{
    return __atomic_load_n(&gnt_v1[ref].flags, __ATOMIC_SEQ_CST);
}

static struct gnttab_copy by_frame(unsigned long src, uint16_t soff, unsigned long dst, uint16_t doff,
                                   uint16_t len)
{
    return (struct gnttab_copy){ .source = { .u.gmfn = src, .domid = DOMID_SELF, .offset = soff },
                                 .dest = { .u.gmfn = dst, .domid = DOMID_SELF, .offset = doff },
                                 .len = len, .status = 99 };
}

static int16_t copy1(struct gnttab_copy op)
{
    long rc = hypercall_grant_table_op(GNTTABOP_copy, &op, 1);

    return rc ? (int16_t)rc : op.status;
}

static void fill(uint8_t *p, uint8_t seed)
{
    for ( unsigned int i = 0; i < PAGE_SIZE; i++ )
        p[i] = (uint8_t)(seed + i * 7);
}

static void copies(uint8_t *a, uint8_t *b, unsigned long am, unsigned long bm)
{
    static struct gnttab_copy batch[100];
    struct gnttab_copy op;
    unsigned int i, bad = 0;

    fill(a, 1);
    memset(b, 0, PAGE_SIZE);
    check_st("copy by frame", copy1(by_frame(am, 10, bm, 20, 100)), GNTST_okay);
    check(!memcmp(b + 20, a + 10, 100) && !b[19] && !b[120], "copy by frame: wrong bytes");
    check_st("copy a whole page", copy1(by_frame(am, 0, bm, 0, PAGE_SIZE)), GNTST_okay);
    check(!memcmp(a, b, PAGE_SIZE), "whole-page copy: wrong bytes");
    check_st("copy of 0 bytes", copy1(by_frame(am, 4096 - 1, bm, 0, 0)), GNTST_okay);

    op = by_frame(am, 0, bm, 0, 8);
    op.source.domid = 0;
    check_st("copy by frame naming the own id", copy1(op), GNTST_permission_denied);
    op = by_frame(am, 0, bm, 0, 8);
    op.dest.domid = 0;
    check_st("copy by frame naming the own id (destination)", copy1(op), GNTST_permission_denied);
    check_st("source beyond the page", copy1(by_frame(am, 4000, bm, 0, 100)), GNTST_bad_copy_arg);
    check_st("destination beyond the page", copy1(by_frame(am, 0, bm, 4090, 8)), GNTST_bad_copy_arg);
    check_st("source frame not ours", copy1(by_frame(1, 0, bm, 0, 8)), GNTST_bad_page);
    check_st("destination frame not ours", copy1(by_frame(am, 0, 0xfffffff, 0, 8)), GNTST_bad_page);
    check_st("bad source frame before bad bounds", copy1(by_frame(1, 4000, bm, 0, 200)), GNTST_bad_page);

    /* By reference. */
    gnt_grant_v1(REF_SRC, 0, am, true);
    gnt_grant_v1(REF_DST, 0, bm, false);
    fill(a, 9);
    op = by_frame(0, 100, 0, 200, 300);
    op.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    op.source.u.ref = REF_SRC;
    op.source.domid = 0;
    op.dest.u.ref = REF_DST;
    op.dest.domid = 0;
    check_st("copy grant to grant", copy1(op), GNTST_okay);
    check(!memcmp(b + 200, a + 100, 300), "copy grant to grant: wrong bytes");
    check_eq("source flags after the copy", flags_of(REF_SRC), GTF_permit_access | GTF_readonly);
    check_eq("destination flags after the copy", flags_of(REF_DST), GTF_permit_access);
    op.source.domid = DOMID_SELF;
    op.dest.domid = DOMID_SELF;
    check_st("copy grant to grant, DOMID_SELF", copy1(op), GNTST_okay);
    op.source.domid = 17;
    check_st("copy from a ref of an unknown domain", copy1(op), GNTST_bad_domain);
    op.source.domid = 0;
    op.source.u.ref = gnt_nr_frames * 512;
    check_st("copy from a ref out of range", copy1(op), GNTST_bad_gntref);
    op.source.u.ref = REF_SRC + 100;
    check_st("copy from a ref that is not granted", copy1(op), GNTST_general_error);
    op.source.u.ref = REF_SRC;
    op.dest.u.ref = REF_SRC;
    check_st("copy into a read-only grant", copy1(op), GNTST_general_error);
    op.source.u.ref = REF_SRC + 100;
    check_st("bad source before read-only destination", copy1(op), GNTST_general_error);
    check_eq("source flags after the refusals", flags_of(REF_SRC), GTF_permit_access | GTF_readonly);
    gnt_grant_v1(REF_OTHER, 5, am, false);
    op.source.u.ref = REF_OTHER;
    op.dest.u.ref = REF_DST;
    check_st("copy from a grant to another domain", copy1(op), GNTST_general_error);
    op.source.u.ref = REF_SRC;
    op.source.offset = 4000;
    check_st("grant copy beyond the page", copy1(op), GNTST_bad_copy_arg);
    check_eq("flags after the bad copy", flags_of(REF_DST), GTF_permit_access);

    /* A page table as destination: no writable use. */
    memset(b, 0, PAGE_SIZE);
    if ( !set_page_writable(b, false) && check_rc("pin as L1", mmuext_one(MMUEXT_PIN_L1_TABLE, bm, 0), 0) )
    {
        check_st("copy into a page table", copy1(by_frame(am, 0, bm, 0, 8)), GNTST_general_error);
        gnt_grant_v1(REF_PT, 0, bm, false);
        op = by_frame(am, 0, 0, 0, 8);
        op.flags = GNTCOPY_dest_gref;
        op.dest.u.ref = REF_PT;
        op.dest.domid = 0;
        check_st("copy into a grant of a page table", copy1(op), GNTST_general_error);
        check_eq("its flags after that", flags_of(REF_PT), GTF_permit_access);
        check_st("copy from a page table", copy1(by_frame(bm, 0, am, 0, 8)), GNTST_okay);
        check_rc("unpin", mmuext_one(MMUEXT_UNPIN_TABLE, bm, 0), 0);
    }
    check_rc("writable again", set_page_writable(b, true), 0);

    /* A batch longer than one invocation, and its statuses. */
    fill(a, 3);
    memset(b, 0, PAGE_SIZE);
    for ( i = 0; i < 100; i++ )
    {
        batch[i] = by_frame(am, i * 40, bm, i * 40, 40);
        if ( i % 2 )
        {
            batch[i].flags = GNTCOPY_source_gref;
            batch[i].source.u.ref = REF_SRC;
            batch[i].source.domid = 0;
        }
    }
    batch[50].len = 4000;                       /* one bad operation in the middle */
    check_rc("100 copies in one call", hypercall_grant_table_op(GNTTABOP_copy, batch, 100), 0);
    for ( i = 0; i < 100; i++ )
        bad += batch[i].status != (i == 50 ? GNTST_bad_copy_arg : GNTST_okay);
    check(!bad, "%u statuses of the batch are wrong", bad);
    check(!memcmp(a, b, 50 * 40) && !memcmp(a + 51 * 40, b + 51 * 40, 49 * 40), "batched copies: wrong bytes");
    check_eq("flags after the batch", flags_of(REF_SRC), GTF_permit_access | GTF_readonly);
    check_rc("copy array in unmapped memory", hypercall_grant_table_op(GNTTABOP_copy, (void *)0x100000000000ul, 1),
             -EFAULT);
}

static long flush1(uint64_t bus, uint16_t off, uint16_t len, uint32_t op)
{
    gnttab_cache_flush_t c = { .a.dev_bus_addr = bus, .offset = off, .length = len, .op = op };

    return hypercall_grant_table_op(GNTTABOP_cache_flush, &c, 1);
}

static void cache_flush(unsigned long mfn)
{
    uint64_t bus = (uint64_t)mfn << 12;

    check_rc("cache_flush clean", flush1(bus, 0, 4096, GNTTAB_CACHE_CLEAN), 0);
    check_rc("cache_flush clean+invalidate", flush1(bus, 100, 200, GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL), 0);
    check_rc("cache_flush invalidate only", flush1(bus, 0, 64, GNTTAB_CACHE_INVAL), -EOPNOTSUPP);
    check_rc("cache_flush of nothing", flush1(bus, 0, 0, GNTTAB_CACHE_CLEAN), 0);
    check_rc("cache_flush with no operation", flush1(bus, 0, 64, 0), 0);
    check_rc("cache_flush offset beyond the page", flush1(bus, 4096, 1, GNTTAB_CACHE_CLEAN), -EINVAL);
    check_rc("cache_flush crossing the page end", flush1(bus, 4000, 200, GNTTAB_CACHE_CLEAN), -EINVAL);
    check_rc("cache_flush with an unknown operation", flush1(bus, 0, 64, 4), -EINVAL);
    check_rc("cache_flush by grant reference", flush1(bus, 0, 64, GNTTAB_CACHE_SOURCE_GREF | GNTTAB_CACHE_CLEAN),
             -EINVAL);
    check_rc("cache_flush of a frame beyond memory", flush1(0xfffffffull << 12, 0, 64, GNTTAB_CACHE_CLEAN),
             -EINVAL);
    check_rc("cache_flush of a frame nobody owns", flush1(1ull << 12, 0, 64, GNTTAB_CACHE_CLEAN), -EPERM);
    check_rc("cache_flush array in the hypervisor's range",
             hypercall_grant_table_op(GNTTABOP_cache_flush, (void *)HV_ADDR, 1), -EFAULT);
}

static int16_t swap1(grant_ref_t a, grant_ref_t b)
{
    gnttab_swap_grant_ref_t op = { .ref_a = a, .ref_b = b, .status = 99 };
    long rc = hypercall_grant_table_op(GNTTABOP_swap_grant_ref, &op, 1);

    return rc ? (int16_t)rc : op.status;
}

static void swaps(unsigned long am, unsigned long bm)
{
    grant_handle_t h;

    gnt_grant_v1(30, 0, am, false);
    gnt_grant_v1(31, 7, bm, true);
    check_st("swap", swap1(30, 31), GNTST_okay);
    check(gnt_v1[30].frame == bm && gnt_v1[30].domid == 7 && gnt_v1[30].flags == (GTF_permit_access | GTF_readonly) &&
          gnt_v1[31].frame == am && gnt_v1[31].domid == 0 && gnt_v1[31].flags == GTF_permit_access,
          "swap: entries not swapped");
    check_st("swap with itself", swap1(30, 30), GNTST_okay);
    check_st("swap with a bad ref", swap1(30, gnt_nr_frames * 512), GNTST_bad_gntref);
    check_st("swap a bad ref with itself", swap1(gnt_nr_frames * 512, gnt_nr_frames * 512), GNTST_bad_gntref);
    if ( check_st("map ref 31", gnt_map(31, 0, 0, GNTMAP_device_map, &h, NULL), GNTST_okay) )
    {
        check_st("swap a ref in use", swap1(30, 31), GNTST_eagain);
        check_st("unmap", gnt_unmap(h, 0, (uint64_t)am << 12), GNTST_okay);
    }
    gnt_v1[30].flags = gnt_v1[31].flags = 0;
}

static int16_t transfer1(unsigned long mfn, domid_t domid, grant_ref_t ref)
{
    gnttab_transfer_t op = { .mfn = mfn, .domid = domid, .ref = ref, .status = 99 };
    long rc = hypercall_grant_table_op(GNTTABOP_transfer, &op, 1);

    return rc ? (int16_t)rc : op.status;
}

static void transfers(void)
{
    uint8_t *x = alloc_page(), *spare = alloc_page();
    unsigned long xm = virt_to_mfn(x), sm = virt_to_mfn(spare);
    struct xen_memory_reservation r = { .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF };
    uint64_t pte;

    check_st("transfer a frame beyond memory", transfer1(0xfffffff, 0, REF_XFER), GNTST_bad_page);
    check_st("transfer a frame that is not ours", transfer1(1, 0, REF_XFER), GNTST_bad_page);
    check_st("transfer a frame still mapped", transfer1(xm, 0, REF_XFER), GNTST_bad_page);

    /* Make room below the maximum: give one frame back. */
    if ( hypercall_update_va_mapping((unsigned long)spare, 0, UVMF_INVLPG | UVMF_LOCAL) )
        report_fatal("cannot unmap the spare page");
    set_xen_guest_handle(r.extent_start, &sm);
    if ( hypercall_memory_op(XENMEM_decrease_reservation, &r) != 1 )
        report_fatal("decrease_reservation failed");

    memset(x, 0x77, PAGE_SIZE);
    if ( hypercall_update_va_mapping((unsigned long)x, 0, UVMF_INVLPG | UVMF_LOCAL) )
        report_fatal("cannot unmap the page to transfer");
    gnt_v1[REF_XFER].frame = 0x12345;           /* the frame number the receiver wants it at */
    gnt_v1[REF_XFER].domid = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    gnt_v1[REF_XFER].flags = GTF_accept_transfer;
    if ( !check_st("transfer to ourselves", transfer1(xm, 0, REF_XFER), GNTST_okay) )
        return;
    check_eq("flags after the transfer", flags_of(REF_XFER),
             GTF_accept_transfer | GTF_transfer_committed | GTF_transfer_completed);
    check_eq("frame in the entry", gnt_v1[REF_XFER].frame, xm);
    check_eq("M2P of the frame", mfn_to_pfn(xm), 0x12345);
    /* It is ours again: map it back and find its contents. */
    pte = ((uint64_t)xm << 12) | PTE_RW_FLAGS;
    if ( check_rc("map the transferred frame", hypercall_update_va_mapping((unsigned long)x, pte,
                                                                           UVMF_INVLPG | UVMF_LOCAL), 0) )
        check_eq("its contents", *(volatile uint64_t *)x, 0x7777777777777777ull);
    check_st("transfer through a committed entry", transfer1(xm, 0, REF_XFER), GNTST_bad_page);
}

void test_main(start_info_t *si)
{
    uint8_t *a = alloc_page(), *b = alloc_page();

    if ( !gnt_window_init() )
        report_fatal("no window");
    if ( gnt_setup(1) )
        report_fatal("setup_table(1) failed");
    copies(a, b, virt_to_mfn(a), virt_to_mfn(b));
    cache_flush(virt_to_mfn(a));
    swaps(virt_to_mfn(a), virt_to_mfn(b));
    transfers();
}
