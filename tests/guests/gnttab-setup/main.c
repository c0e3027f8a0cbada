/*
 * gnttab-setup - GNTTABOP_query_size, setup_table, get_version and the hypercall's own errors: a new
 * table has one frame and room for gnttab_max_frames (64 unless the command line says otherwise);
 * setup_table grows it and returns machine frames (the same ones again on a second call), which the
 * guest maps writable; asking for more than the limit is GNTST_general_error; a bad domain is
 * GNTST_bad_domain (a status, while the hypercall returns 0); a frame list the guest cannot write
 * is GNTST_bad_virt_addr, one in the hypervisor's range -EFAULT; count other than 1 is -EINVAL, a
 * negative count -EINVAL, command bits above 12 (only cache_flush may carry them) -EINVAL, an unknown
 * command (dump_table was removed) -ENOSYS.  get_version: 1 for a new table, -ESRCH for a bad domain.
 */
#include "guest.h"
#include "gnttab.h"

const char test_title[] = "grant tables: setup_table, query_size, get_version";

#define HV_ADDR     0xffff830000000000ul        /* the hypervisor's range: never guest memory */
#define UNMAPPED    0x0000100000000000ul        /* canonical, not mapped */

static long query(domid_t dom, struct gnttab_query_size *q)
{
    q->dom = dom;
    q->nr_frames = q->max_nr_frames = 0xdead;
    q->status = 99;
    return hypercall_grant_table_op(GNTTABOP_query_size, q, 1);
}

static long setup(domid_t dom, unsigned int nr, xen_pfn_t *frames, int16_t *status)
{
    struct gnttab_setup_table op = { .dom = dom, .nr_frames = nr, .status = 99 };
    long rc;

    set_xen_guest_handle(op.frame_list, frames);
    rc = hypercall_grant_table_op(GNTTABOP_setup_table, &op, 1);
    *status = op.status;
    return rc;
}

void test_main(start_info_t *si)
{
    static xen_pfn_t frames[80], again[8];
    struct gnttab_query_size q;
    struct gnttab_get_version gv;
    unsigned int max = 64;
    char val[16];
    int16_t st;

    if ( hv_cmdline_option("gnttab_max_frames", val, sizeof(val)) )
        max = parse_size(val, NULL) / 1024;     /* a plain number: parse_size reads it as KiB */
    if ( !gnt_window_init() )
        report_fatal("no window for the grant frames");

    /* A new table. */
    check_rc("query_size(DOMID_SELF)", query(DOMID_SELF, &q), 0);
    check_st("query_size status", q.status, GNTST_okay);
    check_eq("initial nr_frames", q.nr_frames, 1);
    check_eq("max_nr_frames", q.max_nr_frames, max);
    check_rc("query_size(own id)", query(0, &q), 0);
    check_st("query_size(own id) status", q.status, GNTST_okay);
    check_rc("query_size(no such domain)", query(17, &q), 0);
    check_st("query_size(no such domain) status", q.status, GNTST_bad_domain);
    check_rc("query_size count 2", hypercall_grant_table_op(GNTTABOP_query_size, &q, 2), -EINVAL);
    check_rc("query_size count 0", hypercall_grant_table_op(GNTTABOP_query_size, &q, 0), -EINVAL);
    check_rc("query_size in the hypervisor's range", hypercall_grant_table_op(GNTTABOP_query_size,
             (void *)HV_ADDR, 1), -EFAULT);

    gv.dom = DOMID_SELF;
    gv.version = 99;
    check_rc("get_version", hypercall_grant_table_op(GNTTABOP_get_version, &gv, 1), 0);
    check_eq("version of a new table", gv.version, 1);
    gv.dom = 17;
    check_rc("get_version(no such domain)", hypercall_grant_table_op(GNTTABOP_get_version, &gv, 1), -ESRCH);

    /* Growing it. */
    check_rc("setup_table(4)", setup(DOMID_SELF, 4, frames, &st), 0);
    check_st("setup_table(4) status", st, GNTST_okay);
    for ( unsigned int i = 0; i < 4; i++ )
    {
        check(frames[i] && frames[i] != ~0ul, "setup_table: frame %u is %#lx", i, frames[i]);
        for ( unsigned int j = 0; j < i; j++ )
            check(frames[i] != frames[j], "setup_table: frames %u and %u are both %#lx", i, j, frames[i]);
    }
    check_rc("query_size after setup_table(4)", query(DOMID_SELF, &q), 0);
    check_eq("nr_frames after setup_table(4)", q.nr_frames, 4);
    check_rc("setup_table(2)", setup(0, 2, again, &st), 0);
    check_st("setup_table(2) status", st, GNTST_okay);
    check_eq("frame 0 again", again[0], frames[0]);
    check_eq("frame 1 again", again[1], frames[1]);
    check_rc("query_size after setup_table(2)", query(DOMID_SELF, &q), 0);
    check_eq("nr_frames does not shrink", q.nr_frames, 4);

    /* The frames are the guest's to map (read-write) and start zeroed. */
    for ( unsigned int i = 0; i < 4; i++ )
    {
        uint64_t *p;

        check_rc("map a grant frame", gnt_slot_map(i, frames[i], PTE_RW_FLAGS), 0);
        p = gnt_slot(i);
        for ( unsigned int k = 0; k < 512; k++ )
            if ( p[k] )
            {
                report_fail("grant frame %u: word %u is %#lx", i, k, (unsigned long)p[k]);
                break;
            }
        p[0] = 0x1234;
        check_eq("write to a grant frame", p[0], 0x1234);
        p[0] = 0;
    }

    /* The limits. */
    if ( max + 1 <= sizeof(frames) / sizeof(frames[0]) )
    {
        check_rc("setup_table(max + 1)", setup(DOMID_SELF, max + 1, frames, &st), 0);
        check_st("setup_table(max + 1) status", st, GNTST_general_error);
        check_rc("setup_table(max)", setup(DOMID_SELF, max, frames, &st), 0);
        check_st("setup_table(max) status", st, GNTST_okay);
        check_rc("query_size after setup_table(max)", query(DOMID_SELF, &q), 0);
        check_eq("nr_frames after setup_table(max)", q.nr_frames, max);
    }
    check_rc("setup_table(no such domain)", setup(17, 1, frames, &st), 0);
    check_st("setup_table(no such domain) status", st, GNTST_bad_domain);
    check_rc("setup_table(DOMID_IO)", setup(DOMID_IO, 1, frames, &st), 0);
    check_st("setup_table(DOMID_IO) status", st, GNTST_bad_domain);
    check_rc("setup_table into unmapped memory", setup(DOMID_SELF, 2, (xen_pfn_t *)UNMAPPED, &st), 0);
    check_st("setup_table into unmapped memory: status", st, GNTST_bad_virt_addr);
    check_rc("setup_table into the hypervisor's range", setup(DOMID_SELF, 2, (xen_pfn_t *)HV_ADDR, &st),
             -EFAULT);
    /* Xen checks an empty list's address too. */
    check_rc("setup_table(0) into the hypervisor's range", setup(DOMID_SELF, 0, (xen_pfn_t *)HV_ADDR, &st),
             -EFAULT);
    check_rc("setup_table(0)", setup(DOMID_SELF, 0, NULL, &st), 0);
    check_st("setup_table(0) status", st, GNTST_okay);
    {
        struct gnttab_setup_table op[2] = { { .dom = DOMID_SELF, .nr_frames = 1 } };

        check_rc("setup_table count 2", hypercall_grant_table_op(GNTTABOP_setup_table, op, 2), -EINVAL);
    }

    /* The hypercall itself. */
    check_rc("unknown command 13", hypercall_grant_table_op(13, &q, 1), -ENOSYS);
    check_rc("dump_table (removed)", hypercall_grant_table_op(GNTTABOP_dump_table, &q, 1), -ENOSYS);
    check_rc("continuation bits on query_size", hypercall_grant_table_op(GNTTABOP_query_size | (1 << 12), &q, 1),
             -EINVAL);
    check_rc("negative count", hypercall_grant_table_op(GNTTABOP_map_grant_ref, &q, 0x80000000u), -EINVAL);
    check_rc("map of 0 operations", hypercall_grant_table_op(GNTTABOP_map_grant_ref, NULL, 0), 0);
    check_rc("map of 0 operations in the hypervisor's range",
             hypercall_grant_table_op(GNTTABOP_map_grant_ref, (void *)HV_ADDR, 0), -EFAULT);
    check_rc("map array in the hypervisor's range", hypercall_grant_table_op(GNTTABOP_map_grant_ref,
             (void *)HV_ADDR, 1), -EFAULT);
    check_rc("copy array in the hypervisor's range", hypercall_grant_table_op(GNTTABOP_copy, (void *)HV_ADDR, 1),
             -EFAULT);
}
