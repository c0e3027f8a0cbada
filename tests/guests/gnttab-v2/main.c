/*
 * gnttab-v2 - grant table version 2: set_version and get_version, the status frames
 * (get_status_frames: limits, statuses), GTF_reading/GTF_writing in the status frame instead of the
 * entry, sub-page grants (copies inside the window only, never mapped), transitive grants that name
 * their own domain (refused), and the switch rules: entries in use (other than the 8 reserved ones)
 * refuse a switch with -EBUSY, so does a v2 -> v1 switch while a status frame is still mapped; a
 * reserved entry v1 cannot represent refuses it with -ERANGE; the reserved entries survive a switch,
 * every other entry is cleared; an unknown version is -EINVAL and the current one is written back.
 */
#include "guest.h"
#include "gnttab.h"

const char test_title[] = "grant tables: version 2, status frames, switching versions";

#define REF         20
#define REF_SUB     21
#define REF_TRANS   22

static long set_version(unsigned int v, uint32_t *out)
{
    struct gnttab_set_version op = { .version = v };
    long rc = hypercall_grant_table_op(GNTTABOP_set_version, &op, 1);

    *out = op.version;
    return rc;
}

static uint32_t get_version(void)
{
    struct gnttab_get_version op = { .dom = DOMID_SELF, .version = 99 };

    if ( hypercall_grant_table_op(GNTTABOP_get_version, &op, 1) )
        return 99;
    return op.version;
}

static int16_t status_frames(unsigned int nr, domid_t dom, uint64_t *frames)
{
    struct gnttab_get_status_frames op = { .nr_frames = nr, .dom = dom, .status = 99 };
    long rc;

    set_xen_guest_handle(op.frame_list, frames);
    rc = hypercall_grant_table_op(GNTTABOP_get_status_frames, &op, 1);
    return rc ? (int16_t)rc : op.status;
}

static void grant_v2(grant_ref_t ref, domid_t domid, uint64_t frame, uint16_t flags)
{
    gnt_v2[ref].full_page.frame = frame;
    gnt_v2[ref].hdr.domid = domid;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    gnt_v2[ref].hdr.flags = flags;
}

static int16_t copy_from_ref(grant_ref_t ref, uint16_t off, unsigned long dst_mfn, uint16_t len)
{
    struct gnttab_copy op = { .source = { .u.ref = ref, .domid = 0, .offset = off },
                              .dest = { .u.gmfn = dst_mfn, .domid = DOMID_SELF, .offset = off },
                              .len = len, .flags = GNTCOPY_source_gref, .status = 99 };
    long rc = hypercall_grant_table_op(GNTTABOP_copy, &op, 1);

    return rc ? (int16_t)rc : op.status;
}

void test_main(start_info_t *si)
{
    static uint64_t sframes[4];
    uint8_t *page = alloc_page(), *dst = alloc_page();
    unsigned long mfn = virt_to_mfn(page), dmfn = virt_to_mfn(dst);
    grant_handle_t h;
    uint32_t ver;

    if ( !gnt_window_init() || gnt_setup(1) )
        report_fatal("grant table setup failed");
    check_eq("version at start", get_version(), 1);
    check_eq("status frames in v1 (none)", status_frames(1, DOMID_SELF, sframes), GNTST_general_error);
    check_eq("zero status frames in v1", status_frames(0, DOMID_SELF, sframes), GNTST_okay);

    /* The reserved entries survive the switch; the others are cleared. */
    gnt_grant_v1(1, 5, 0x1234, true);
    gnt_grant_v1(REF, 5, 0x5678, false);
    check_rc("set_version(2)", set_version(2, &ver), 0);
    check_eq("version written back", ver, 2);
    check_eq("get_version", get_version(), 2);
    check(gnt_v2[1].hdr.flags == (GTF_permit_access | GTF_readonly) && gnt_v2[1].hdr.domid == 5 &&
          gnt_v2[1].full_page.frame == 0x1234, "reserved entry 1 after v1 -> v2: %#x %u %#lx", gnt_v2[1].hdr.flags,
          gnt_v2[1].hdr.domid, (unsigned long)gnt_v2[1].full_page.frame);
    check(!gnt_v2[REF].hdr.flags && !gnt_v2[REF].full_page.frame, "entry %u not cleared by the switch", REF);
    check_rc("set_version(2) again", set_version(2, &ver), 0);
    check_rc("set_version(3)", set_version(3, &ver), -EINVAL);
    check_eq("version written back after -EINVAL", ver, 2);
    check_rc("set_version(0)", set_version(0, &ver), -EINVAL);

    /* Status frames. */
    check_eq("get_status_frames(2) with 1", status_frames(2, DOMID_SELF, sframes), GNTST_general_error);
    check_eq("get_status_frames(1) for an unknown domain", status_frames(1, 17, sframes), GNTST_bad_domain);
    check_eq("get_status_frames(1) into unmapped memory", status_frames(1, DOMID_SELF,
             (uint64_t *)0x100000000000ul), GNTST_bad_virt_addr);
    check_rc("get_status_frames count 2", hypercall_grant_table_op(GNTTABOP_get_status_frames, sframes, 2), -EINVAL);
    if ( check_rc("map the status frame", gnt_map_status(1), 0) )
    {
        check_eq("reserved entry 1's status", gnt_status[1], 0);

        /* v2 grants: the status bits go to the status frame. */
        grant_v2(REF, 0, mfn, GTF_permit_access);
        if ( check_st("map a v2 grant", gnt_map(REF, 0, (uint64_t)gnt_slot(300), GNTMAP_host_map, &h, NULL),
                      GNTST_okay) )
        {
            check_eq("status while mapped", gnt_status[REF], GTF_reading | GTF_writing);
            check_eq("header while mapped", gnt_v2[REF].hdr.flags, GTF_permit_access);
            check_rc("set_version(1) with a grant in use", set_version(1, &ver), -EBUSY);
            check_eq("version after -EBUSY", get_version(), 2);
            check_st("unmap", gnt_unmap(h, (uint64_t)gnt_slot(300), 0), GNTST_okay);
            check_eq("status after unmap", gnt_status[REF], 0);
        }
        grant_v2(REF, 0, mfn, GTF_permit_access | GTF_readonly);
        check_st("map a v2 read-only grant writable", gnt_map(REF, 0, (uint64_t)gnt_slot(300), GNTMAP_host_map, &h,
                 NULL), GNTST_general_error);
        check_eq("status after the refusal", gnt_status[REF], 0);

        /* Sub-page grants: copies inside the window only; never mapped. */
        memset(page, 0xab, PAGE_SIZE);
        gnt_v2[REF_SUB].sub_page.frame = mfn;
        gnt_v2[REF_SUB].sub_page.page_off = 100;
        gnt_v2[REF_SUB].sub_page.length = 50;
        gnt_v2[REF_SUB].hdr.domid = 0;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        gnt_v2[REF_SUB].hdr.flags = GTF_permit_access | GTF_sub_page;
        check_st("copy inside a sub-page grant", copy_from_ref(REF_SUB, 110, dmfn, 40), GNTST_okay);
        check_eq("copied byte", dst[110], 0xab);
        check_st("copy crossing the window's end", copy_from_ref(REF_SUB, 110, dmfn, 41), GNTST_general_error);
        check_st("copy before the window", copy_from_ref(REF_SUB, 99, dmfn, 10), GNTST_general_error);
        check_eq("sub-page status after the copies", gnt_status[REF_SUB], 0);
        check_st("map a sub-page grant", gnt_map(REF_SUB, 0, (uint64_t)gnt_slot(300), GNTMAP_host_map, &h, NULL),
                 GNTST_general_error);

        /* A transitive grant through ourselves is refused. */
        gnt_v2[REF_TRANS].transitive.trans_domid = 0;
        gnt_v2[REF_TRANS].transitive.gref = REF;
        gnt_v2[REF_TRANS].hdr.domid = 0;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        gnt_v2[REF_TRANS].hdr.flags = GTF_transitive;
        check_st("copy through a self-referential transitive grant", copy_from_ref(REF_TRANS, 0, dmfn, 8),
                 GNTST_general_error);
        check_eq("its status after that", gnt_status[REF_TRANS], 0);
        check_st("map a transitive grant", gnt_map(REF_TRANS, 0, (uint64_t)gnt_slot(300), GNTMAP_host_map, &h,
                 NULL), GNTST_general_error);

        /* Back to v1: refused while the status frame is mapped. */
        check_rc("set_version(1) with the status frame mapped", set_version(1, &ver), -EBUSY);
        check_eq("version written back", ver, 2);
        check_rc("unmap the status frame", gnt_unmap_status(1), 0);
    }

    /* A reserved entry v1 cannot hold refuses the switch. */
    gnt_v2[2].full_page.frame = 1ull << 32;
    gnt_v2[2].hdr.domid = 5;
    gnt_v2[2].hdr.flags = GTF_permit_access;
    check_rc("set_version(1) with a 64-bit frame in a reserved entry", set_version(1, &ver), -ERANGE);
    gnt_v2[2].hdr.flags = 0;
    gnt_v2[3].hdr.flags = GTF_transitive;
    check_rc("set_version(1) with a transitive reserved entry", set_version(1, &ver), -ERANGE);
    gnt_v2[3].hdr.flags = 0;
    check_rc("set_version(1)", set_version(1, &ver), 0);
    check_eq("version after the switch back", get_version(), 1);
    check(gnt_v1[1].flags == (GTF_permit_access | GTF_readonly) && gnt_v1[1].domid == 5 && gnt_v1[1].frame == 0x1234,
          "reserved entry 1 after v2 -> v1: %#x %u %#x", gnt_v1[1].flags, gnt_v1[1].domid, gnt_v1[1].frame);
    check(!gnt_v1[REF].flags && !gnt_v1[REF_SUB].flags, "entries not cleared by the switch back");
    check_eq("status frames in v1 again", status_frames(1, DOMID_SELF, sframes), GNTST_general_error);

    /* And to v2 once more: the status frames come back. */
    check_rc("set_version(2) again", set_version(2, &ver), 0);
    check_eq("get_status_frames(1) after the second switch", status_frames(1, DOMID_SELF, sframes), GNTST_okay);
    check_rc("set_version(1) once more", set_version(1, &ver), 0);
}
