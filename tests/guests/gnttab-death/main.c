/*
 * gnttab-death - a domain dies holding mappings of another domain's grants: a writable host mapping
 * by linear address, one by PTE address (gntdev's form) and a writable device mapping.  The
 * hypervisor must undo them when it destroys the mapper: the granter then sees its entries idle
 * again (GTF_reading/GTF_writing clear, so it can end access), and the page is free of the writable
 * type references the mappings held (it can be pinned as a page table).
 *
 *   role=granter peer=M: grants a page to M, offers M a port, waits for M's word that it mapped
 *       it, checks the entry is in use and the page cannot be pinned, tells M so, then waits for
 *       M's death.
 *   role=mapper peer=G: maps G's grant three ways, tells G, waits for G's answer, and powers off
 *       without unmapping.
 * Parva only: Xen 4.17 builds no boot-time domUs.
 */
#include "guest.h"
#include "domu.h"
#include "gnttab.h"

const char test_title[] = "grant tables: a mapper dies with its mappings";

#define STEP_NS     (30ull * 1000 * 1000 * 1000)
#define REF         20

static void granter(domid_t peer)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = peer };
    uint64_t *page = alloc_page(), deadline;
    unsigned long mfn = virt_to_mfn(page);

    if ( !gnt_window_init() || gnt_setup(1) )
        report_fatal("grant table setup failed");
    if ( set_page_writable(page, false) )
        report_fatal("cannot remap the page read-only");
    gnt_grant_v1(REF, peer, mfn, false);
    if ( !check_rc("alloc_unbound", hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &a), 0) )
        return;
    if ( !check(domu_wait_port(a.port, STEP_NS), "the mapper did not report within 30 s") )
        return;
    check_eq("flags while mapped", gnt_v1[REF].flags, GTF_permit_access | GTF_reading | GTF_writing);
    check(!gnt_end_v1(REF), "ending access to a mapped grant succeeded");
    check_rc("pin the page the mapper maps writable", mmuext_one(MMUEXT_PIN_L1_TABLE, mfn, 0), -EINVAL);
    /* Only now may the mapper die: its destruction does not wait for an idle CPU. */
    check_rc("tell the mapper it may power off", domu_send(a.port), 0);

    /* The mapper's death: our end of the channel becomes unbound once it is destroyed. */
    for ( deadline = guest_system_time() + STEP_NS; guest_system_time() < deadline; )
    {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = a.port };

        if ( hypercall_event_channel_op(EVTCHNOP_status, &st) || st.status != EVTCHNSTAT_interdomain )
            break;
        domu_wait_port(a.port, 10ull * 1000 * 1000);
    }
    check(guest_system_time() < deadline, "the mapper was not destroyed within 30 s");
    check_eq("flags after the mapper's death", gnt_v1[REF].flags, GTF_permit_access);
    check(gnt_end_v1(REF), "ending access after the mapper's death failed");
    if ( check_rc("pin the page now", mmuext_one(MMUEXT_PIN_L1_TABLE, mfn, 0), 0) )
        check_rc("unpin it", mmuext_one(MMUEXT_UNPIN_TABLE, mfn, 0), 0);
    check_rc("the page writable again", set_page_writable(page, true), 0);
    page[0] = 1;
}

static void mapper(domid_t peer)
{
    evtchn_port_t remote;
    grant_handle_t h;
    long rc;

    if ( !gnt_window_init() )
        report_fatal("no window");
    rc = domu_bind_offered_port(peer, STEP_NS, &remote);
    if ( rc < 0 )
        report_fatal("no port of domain %u would bind: %ld", peer, rc);
    domu_wait_port((evtchn_port_t)rc, 0);       /* a new binding starts pending (as Xen): clear it */
    check_st("host map by address", gnt_map(REF, peer, (uint64_t)gnt_slot(100), GNTMAP_host_map, &h, NULL),
             GNTST_okay);
    check_st("host map by PTE address", gnt_map(REF, peer, gnt_slot_pte_maddr(101), GNTMAP_host_map |
             GNTMAP_contains_pte | GNTMAP_application_map, &h, NULL), GNTST_okay);
    check_st("device map", gnt_map(REF, peer, 0, GNTMAP_device_map, &h, NULL), GNTST_okay);
    *(volatile uint64_t *)gnt_slot(100) = 42;
    check_eq("read through the other mapping", *(volatile uint64_t *)gnt_slot(101), 42);
    check_rc("tell the granter", domu_send((evtchn_port_t)rc), 0);
    check(domu_wait_port((evtchn_port_t)rc, STEP_NS), "the granter did not answer within 30 s");
    printf("mapper: powering off with three mappings in place\n");
}

void test_main(start_info_t *si)
{
    char role[12];
    domid_t peer = (domid_t)guest_cmdline_number("peer", 0);

    if ( guest_is_dom0() )
        report_fatal("this test runs as two boot-time domUs (see its domains file), not as dom0");
    if ( !guest_cmdline_option("role", role, sizeof(role)) || !peer )
        report_fatal("command line \"%s\": needs role=granter|mapper and peer=<domid>", (const char *)si->cmd_line);
    if ( !strcmp(role, "granter") )
        granter(peer);
    else if ( !strcmp(role, "mapper") )
        mapper(peer);
    else
        report_fatal("role=%s", role);
}
