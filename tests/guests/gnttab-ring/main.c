/*
 * gnttab-ring - two boot-time domUs share memory through grants, the way split drivers do: a shared
 * ring in the style of Xen's io/ring.h (the public header's macros) on a page the frontend grants,
 * an interdomain event channel for notifications, and data pages granted read-only.
 *
 *   role=front peer=B mib=N: grants the ring and 32 data pages to B, offers B a port, then streams
 *       N MiB twice: once for B to map (GNTTABOP_map_grant_ref, 32 per hypercall) and once for B
 *       to copy (GNTTABOP_copy, 32 per hypercall); every page holds a pattern of its sequence
 *       number and B answers each with the sum of what it read, which must be the sum written.
 *       Then the cross-domain rules (see below), and at last it powers off while B still maps two
 *       of its pages.
 *   role=back peer=A mib=N: maps A's ring, serves the requests, runs the refusal checks on A's
 *       grants, and after A's death checks that the pages it still maps kept their contents and
 *       unmap normally, and that A's grants can no longer be mapped.
 *
 * Cross-domain checks: a ref granted to another domain, a ref beyond the granter's table, an
 * unknown granter and DOMID_SELF, unmapping twice, a misaligned PTE address: refused with Xen's
 * statuses; a read-only grant mapped writable is refused and mapped read-only faults on writes; the
 * granter cannot unmap the backend's handle (handles are per domain: GNTST_bad_handle) and cannot
 * pin a page the backend maps writable as a page table (-EINVAL) until it is unmapped; a write
 * through a writable mapping reaches the granter; the granter cannot switch to grant table v2
 * while a non-reserved grant is mapped (-EBUSY), and can with only the reserved ring entry (ref 7)
 * mapped, which keeps working across the switch.  Parva only: Xen 4.17 builds no boot-time domUs.
 */
#include "guest.h"
#include "domu.h"
#include "gnttab.h"

#define xen_mb()    __sync_synchronize()
#define xen_rmb()   __asm__ __volatile__("" ::: "memory")
#define xen_wmb()   __asm__ __volatile__("" ::: "memory")
#include <xen/io/ring.h>

const char test_title[] = "grant tables between two domains: a shared ring, map and copy";

#define STEP_NS         (30ull * 1000 * 1000 * 1000)
#define BATCH           32                  /* data pages in flight, and per hypercall */
#define RING_REF        7                   /* reserved range: survives a version switch */
#define DATA_REF        16                  /* DATA_REF .. DATA_REF + BATCH - 1 */
#define REF_OTHER       60                  /* granted to another domain */
#define REF_RO          61                  /* read-only grant */
#define REF_WRITE       62                  /* writable grant written by the backend */
#define REF_PIN         63                  /* held writable while the frontend tries to pin it */
#define REF_DEATH       64                  /* held over the frontend's death */
#define SLOT_RING       100
#define SLOT_DATA       200                 /* backend: 200 .. 231 */
#define SLOT_HOLD       300
#define SLOT_DEATH      301
#define SLOT_ERR        302

enum { OP_MAP = 1, OP_COPY, OP_WRITE, OP_ERRORS, OP_HOLD, OP_RELEASE, OP_PING, OP_HOLD_DEATH };

struct gring_req {
    uint32_t op, id;
    uint32_t gref;
    uint32_t pad;
    uint64_t seq;
};

struct gring_rsp {
    uint32_t id;
    int32_t status;
    uint64_t sum;
    uint64_t arg;
};

DEFINE_RING_TYPES(gring, struct gring_req, struct gring_rsp);

static evtchn_port_t port;
static domid_t peer;

static uint64_t pattern(uint64_t seq, unsigned int i)
{
    return (seq << 32) ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull) ^ 0x5555;
}

static uint64_t fill_page(uint64_t *p, uint64_t seq)
{
    uint64_t sum = 0;

    for ( unsigned int i = 0; i < 512; i++ )
        sum += (p[i] = pattern(seq, i));
    return sum;
}

/* Sum of a page, and whether it holds exactly the pattern of seq. */
static uint64_t check_page(const volatile uint64_t *p, uint64_t seq, bool *ok)
{
    uint64_t sum = 0;

    *ok = true;
    for ( unsigned int i = 0; i < 512; i++ )
    {
        uint64_t v = p[i];

        sum += v;
        if ( v != pattern(seq, i) )
            *ok = false;
    }
    return sum;
}

/* ---- frontend ---- */

static gring_front_ring_t fr;
static uint64_t *data[BATCH];
static uint64_t expect_sum[BATCH];

static void front_push(const struct gring_req *r)
{
    int notify;

    *RING_GET_REQUEST(&fr, fr.req_prod_pvt) = *r;
    fr.req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
    if ( notify )
        domu_send(port);
}

/* The next response, waiting for it; false (reported) on timeout. */
static bool front_response(struct gring_rsp *rsp)
{
    for ( ;; )
    {
        int more;

        if ( RING_HAS_UNCONSUMED_RESPONSES(&fr) )
        {
            *rsp = *RING_GET_RESPONSE(&fr, fr.rsp_cons);
            fr.rsp_cons++;
            return true;
        }
        RING_FINAL_CHECK_FOR_RESPONSES(&fr, more);
        if ( more )
            continue;
        if ( !domu_wait_port(port, STEP_NS) )
        {
            report_fail("no response from the backend within 30 s");
            return false;
        }
    }
}

/* One request, one response. */
static bool front_call(uint32_t op, uint32_t gref, uint64_t seq, struct gring_rsp *rsp)
{
    struct gring_req r = { .op = op, .id = 0xffff, .gref = gref, .seq = seq };

    front_push(&r);
    return front_response(rsp) && rsp->id == 0xffff;
}

/* Stream `pages` pages through the backend with op (OP_MAP or OP_COPY). */
static void front_stream(uint32_t op, unsigned long pages, const char *what)
{
    unsigned long sent = 0, done = 0, bad = 0;
    uint64_t t0 = guest_system_time();
    unsigned int free_ids[BATCH], nfree = BATCH;

    for ( unsigned int i = 0; i < BATCH; i++ )
        free_ids[i] = i;
    while ( done < pages )
    {
        struct gring_rsp rsp;

        while ( nfree && sent < pages )
        {
            unsigned int id = free_ids[--nfree];
            struct gring_req r = { .op = op, .id = id, .gref = DATA_REF + id, .seq = sent };

            expect_sum[id] = fill_page(data[id], sent);
            *RING_GET_REQUEST(&fr, fr.req_prod_pvt) = r;
            fr.req_prod_pvt++;
            sent++;
        }
        {
            int notify;

            RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
            if ( notify )
                domu_send(port);
        }
        if ( !front_response(&rsp) )
            return;
        for ( ;; )
        {
            if ( rsp.id >= BATCH )
            {
                report_fail("%s: response with id %u", what, rsp.id);
                return;
            }
            if ( rsp.status || rsp.sum != expect_sum[rsp.id] )
                bad++;
            /* The backend is done with the page: the grant is idle again. */
            if ( gnt_v1[DATA_REF + rsp.id].flags & (GTF_reading | GTF_writing) )
                bad++;
            free_ids[nfree++] = rsp.id;
            done++;
            if ( !RING_HAS_UNCONSUMED_RESPONSES(&fr) )
                break;
            rsp = *RING_GET_RESPONSE(&fr, fr.rsp_cons);
            fr.rsp_cons++;
        }
    }
    check(!bad, "%s: %lu of %lu pages came back wrong", what, bad, pages);
    printf("%s: %lu MiB checked end to end in %lu ms\n", what, pages / 256,
           (unsigned long)((guest_system_time() - t0) / 1000000));
}

static void front(unsigned long mib)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = peer };
    void *ring = alloc_page(), *w = alloc_page(), *pin = alloc_page(), *death = alloc_page();
    struct gnttab_set_version sv;
    struct gring_rsp rsp;

    if ( !gnt_window_init() || gnt_setup(1) )
        report_fatal("grant table setup failed");
    SHARED_RING_INIT((gring_sring_t *)ring);
    FRONT_RING_INIT(&fr, (gring_sring_t *)ring, PAGE_SIZE);
    gnt_grant_v1(RING_REF, peer, virt_to_mfn(ring), false);
    for ( unsigned int i = 0; i < BATCH; i++ )
    {
        data[i] = alloc_page();
        gnt_grant_v1(DATA_REF + i, peer, virt_to_mfn(data[i]), true);
    }
    if ( !check_rc("alloc_unbound for the backend", hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &a), 0) )
        return;
    port = a.port;

    front_stream(OP_MAP, mib * 256, "grant map");
    front_stream(OP_COPY, mib * 256, "grant copy");

    /* A write through a writable mapping reaches us. */
    gnt_grant_v1(REF_WRITE, peer, virt_to_mfn(w), false);
    if ( front_call(OP_WRITE, REF_WRITE, 77, &rsp) && check_eq("OP_WRITE status", rsp.status, 0) )
    {
        bool ok;

        check_page(w, 77, &ok);
        check(ok, "the backend's write through its mapping did not arrive");
        check(gnt_end_v1(REF_WRITE), "the written grant is still in use");
    }

    /* The backend's refusal checks, on grants we prepare. */
    gnt_grant_v1(REF_OTHER, peer + 10, virt_to_mfn(w), false);
    gnt_grant_v1(REF_RO, peer, virt_to_mfn(w), true);
    if ( front_call(OP_ERRORS, 0, 0, &rsp) )
        check_eq("failures in the backend's refusal checks", rsp.status, 0);

    /* A page the backend maps writable: not ours to unmap, not to pin as a page table. */
    memset(pin, 0, PAGE_SIZE);
    if ( set_page_writable(pin, false) )
        report_fatal("cannot remap a page read-only");
    gnt_grant_v1(REF_PIN, peer, virt_to_mfn(pin), false);
    if ( front_call(OP_HOLD, REF_PIN, 0, &rsp) && check_eq("OP_HOLD status", rsp.status, 0) )
    {
        check_st("unmap the backend's handle", gnt_unmap((grant_handle_t)rsp.arg, (uint64_t)gnt_slot(SLOT_HOLD), 0),
                 GNTST_bad_handle);
        check_rc("pin a page the backend maps writable", mmuext_one(MMUEXT_PIN_L1_TABLE, virt_to_mfn(pin), 0),
                 -EINVAL);
        check_eq("its grant while mapped", gnt_v1[REF_PIN].flags, GTF_permit_access | GTF_reading | GTF_writing);
        /* Nor can we switch to v2 while it is mapped. */
        sv.version = 2;
        check_rc("set_version(2) with a grant mapped by the backend",
                 hypercall_grant_table_op(GNTTABOP_set_version, &sv, 1), -EBUSY);
        if ( front_call(OP_RELEASE, REF_PIN, 0, &rsp) )
            check_eq("OP_RELEASE status", rsp.status, 0);
        if ( check_rc("pin it once unmapped", mmuext_one(MMUEXT_PIN_L1_TABLE, virt_to_mfn(pin), 0), 0) )
            check_rc("unpin", mmuext_one(MMUEXT_UNPIN_TABLE, virt_to_mfn(pin), 0), 0);
    }

    /* Version 2 and back, with only the reserved ring entry mapped: the ring keeps working. */
    sv.version = 2;
    if ( check_rc("set_version(2) with the ring mapped", hypercall_grant_table_op(GNTTABOP_set_version, &sv, 1), 0) )
    {
        check(gnt_v2[RING_REF].hdr.flags == GTF_permit_access && gnt_v2[RING_REF].hdr.domid == peer &&
              gnt_v2[RING_REF].full_page.frame == virt_to_mfn(ring), "the ring's grant did not survive the switch");
        if ( front_call(OP_PING, 0, 1, &rsp) )
            check_eq("ping over the ring in v2", rsp.sum, 2);
        sv.version = 1;
        check_rc("set_version(1)", hypercall_grant_table_op(GNTTABOP_set_version, &sv, 1), 0);
        check(gnt_v1[RING_REF].flags == (GTF_permit_access | GTF_reading | GTF_writing) &&
              gnt_v1[RING_REF].frame == virt_to_mfn(ring), "the ring's grant after v2 -> v1: %#x",
              gnt_v1[RING_REF].flags);
        if ( front_call(OP_PING, 0, 2, &rsp) )
            check_eq("ping over the ring in v1 again", rsp.sum, 3);
    }

    /* Last: the backend keeps a writable mapping of this page while we die. */
    fill_page(death, 0xdead);
    gnt_grant_v1(REF_DEATH, peer, virt_to_mfn(death), false);
    if ( front_call(OP_HOLD_DEATH, REF_DEATH, 0xdead, &rsp) )
        check_eq("OP_HOLD_DEATH status", rsp.status, 0);
    printf("frontend: powering off with two pages still mapped by the backend\n");
}

/* ---- backend ---- */

static gring_back_ring_t br;
static uint64_t *buf[BATCH];

static void back_respond(const struct gring_rsp *rsp)
{
    int notify;

    *RING_GET_RESPONSE(&br, br.rsp_prod_pvt) = *rsp;
    br.rsp_prod_pvt++;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&br, notify);
    if ( notify )
        domu_send(port);
}

/* Map (or copy) a batch of data requests and check every page. */
static void back_data(const struct gring_req *reqs, unsigned int n)
{
    static struct gnttab_map_grant_ref map[BATCH];
    static struct gnttab_unmap_grant_ref unmap[BATCH];
    static struct gnttab_copy copy[BATCH];
    struct gring_rsp rsp[BATCH];
    unsigned int i;

    for ( i = 0; i < n; i++ )
        rsp[i] = (struct gring_rsp){ .id = reqs[i].id, .status = -1 };
    if ( reqs[0].op == OP_MAP )
    {
        for ( i = 0; i < n; i++ )
            map[i] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)gnt_slot(SLOT_DATA + i),
                                                    .flags = GNTMAP_host_map | GNTMAP_readonly,
                                                    .ref = reqs[i].gref, .dom = peer };
        if ( hypercall_grant_table_op(GNTTABOP_map_grant_ref, map, n) )
            report_fail("map_grant_ref batch failed");
        for ( i = 0; i < n; i++ )
        {
            bool ok = false;

            if ( map[i].status == GNTST_okay )
            {
                rsp[i].sum = check_page(gnt_slot(SLOT_DATA + i), reqs[i].seq, &ok);
                rsp[i].status = ok ? 0 : 1;
            }
            else
                rsp[i].status = map[i].status;
            unmap[i] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)gnt_slot(SLOT_DATA + i),
                                                        .handle = map[i].handle };
        }
        if ( hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, unmap, n) )
            report_fail("unmap_grant_ref batch failed");
        for ( i = 0; i < n; i++ )
            if ( map[i].status == GNTST_okay && unmap[i].status != GNTST_okay )
                rsp[i].status = unmap[i].status;
    }
    else
    {
        for ( i = 0; i < n; i++ )
            copy[i] = (struct gnttab_copy){ .source = { .u.ref = reqs[i].gref, .domid = peer },
                                            .dest = { .u.gmfn = virt_to_mfn(buf[i]), .domid = DOMID_SELF },
                                            .len = PAGE_SIZE, .flags = GNTCOPY_source_gref };
        if ( hypercall_grant_table_op(GNTTABOP_copy, copy, n) )
            report_fail("copy batch failed");
        for ( i = 0; i < n; i++ )
        {
            bool ok = false;

            if ( copy[i].status == GNTST_okay )
            {
                rsp[i].sum = check_page(buf[i], reqs[i].seq, &ok);
                rsp[i].status = ok ? 0 : 1;
            }
            else
                rsp[i].status = copy[i].status;
        }
    }
    for ( i = 0; i < n; i++ )
        back_respond(&rsp[i]);
}

static int back_errors(void)
{
    unsigned int fails = 0;
    grant_handle_t h;
    uint64_t va = (uint64_t)gnt_slot(SLOT_ERR);

#define EXPECT(what, got, want) do { if ( !check_st(what, got, want) ) fails++; } while ( 0 )
    EXPECT("map a ref granted to another domain", gnt_map(REF_OTHER, peer, va, GNTMAP_host_map, &h, NULL),
           GNTST_general_error);
    EXPECT("map a ref not granted at all", gnt_map(REF_OTHER + 50, peer, va, GNTMAP_host_map, &h, NULL),
           GNTST_general_error);
    EXPECT("map a ref beyond the granter's table", gnt_map(512 * 64, peer, va, GNTMAP_host_map, &h, NULL),
           GNTST_bad_gntref);
    EXPECT("map from a domain that does not exist", gnt_map(REF_RO, 7, va, GNTMAP_host_map, &h, NULL),
           GNTST_bad_domain);
    EXPECT("map from DOMID_SELF", gnt_map(REF_RO, DOMID_SELF, va, GNTMAP_host_map, &h, NULL), GNTST_bad_domain);
    EXPECT("map a read-only grant writable", gnt_map(REF_RO, peer, va, GNTMAP_host_map, &h, NULL),
           GNTST_general_error);
    EXPECT("map at a misaligned PTE address", gnt_map(REF_RO, peer, gnt_slot_pte_maddr(SLOT_ERR) + 2,
           GNTMAP_host_map | GNTMAP_contains_pte | GNTMAP_readonly, &h, NULL), GNTST_general_error);
    if ( gnt_map(REF_RO, peer, va, GNTMAP_host_map | GNTMAP_readonly, &h, NULL) == GNTST_okay )
    {
        if ( !check(!write64_safe(gnt_slot(SLOT_ERR), 1), "a write through a read-only grant mapping worked") )
            fails++;
        EXPECT("unmap", gnt_unmap(h, va, 0), GNTST_okay);
        EXPECT("unmap twice", gnt_unmap(h, va, 0), GNTST_bad_handle);
    }
    else
        fails++, report_fail("map a read-only grant read-only failed");
#undef EXPECT
    return (int)fails;
}

static bool back_wait_for_death(void)
{
    uint64_t deadline = guest_system_time() + STEP_NS;

    /* The frontend's end of our channel goes when it is destroyed: ours becomes unbound. */
    while ( guest_system_time() < deadline )
    {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

        if ( hypercall_event_channel_op(EVTCHNOP_status, &st) || st.status != EVTCHNSTAT_interdomain )
            return true;
        /* Block a while (not yield): the hypervisor destroys domains when a CPU has nothing to run. */
        domu_wait_port(port, 10ull * 1000 * 1000);
    }
    return false;
}

static void back(void)
{
    evtchn_port_t remote;
    grant_handle_t ring_h = ~0u, hold_h = ~0u, death_h = ~0u;
    long rc;

    if ( !gnt_window_init() )
        report_fatal("no window");
    for ( unsigned int i = 0; i < BATCH; i++ )
        buf[i] = alloc_page();
    rc = domu_bind_offered_port(peer, STEP_NS, &remote);
    if ( rc < 0 )
        report_fatal("no port of domain %u would bind: %ld", peer, rc);
    port = (evtchn_port_t)rc;
    if ( !check_st("map the ring", gnt_map(RING_REF, peer, (uint64_t)gnt_slot(SLOT_RING), GNTMAP_host_map, &ring_h,
                                           NULL), GNTST_okay) )
        return;
    BACK_RING_INIT(&br, (gring_sring_t *)gnt_slot(SLOT_RING), PAGE_SIZE);

    for ( ;; )
    {
        struct gring_req reqs[BATCH];
        unsigned int n = 0;
        int more;

        while ( RING_HAS_UNCONSUMED_REQUESTS(&br) && n < BATCH )
        {
            reqs[n] = *RING_GET_REQUEST(&br, br.req_cons);
            if ( (reqs[n].op != OP_MAP && reqs[n].op != OP_COPY) || (n && reqs[n].op != reqs[0].op) )
                break;
            br.req_cons++;
            n++;
        }
        if ( n )
        {
            back_data(reqs, n);
            continue;
        }
        if ( RING_HAS_UNCONSUMED_REQUESTS(&br) )
        {
            struct gring_req r = *RING_GET_REQUEST(&br, br.req_cons);
            struct gring_rsp rsp = { .id = r.id };
            bool ok;

            br.req_cons++;
            switch ( r.op )
            {
            case OP_WRITE:
                rsp.status = gnt_map(r.gref, peer, (uint64_t)gnt_slot(SLOT_HOLD), GNTMAP_host_map, &hold_h, NULL);
                if ( !rsp.status )
                {
                    fill_page(gnt_slot(SLOT_HOLD), r.seq);
                    rsp.status = gnt_unmap(hold_h, (uint64_t)gnt_slot(SLOT_HOLD), 0);
                }
                break;
            case OP_ERRORS:
                rsp.status = back_errors();
                break;
            case OP_HOLD:
                rsp.status = gnt_map(r.gref, peer, (uint64_t)gnt_slot(SLOT_HOLD), GNTMAP_host_map, &hold_h, NULL);
                rsp.arg = hold_h;
                break;
            case OP_RELEASE:
                rsp.status = gnt_unmap(hold_h, (uint64_t)gnt_slot(SLOT_HOLD), 0);
                break;
            case OP_PING:
                rsp.sum = r.seq + 1;
                break;
            case OP_HOLD_DEATH:
                rsp.status = gnt_map(r.gref, peer, (uint64_t)gnt_slot(SLOT_DEATH), GNTMAP_host_map, &death_h, NULL);
                if ( !rsp.status )
                {
                    check_page(gnt_slot(SLOT_DEATH), r.seq, &ok);
                    if ( !ok )
                        rsp.status = 1;
                }
                back_respond(&rsp);
                goto death;
            default:
                report_fail("unknown request %u", r.op);
                rsp.status = -1;
            }
            back_respond(&rsp);
            continue;
        }
        RING_FINAL_CHECK_FOR_REQUESTS(&br, more);
        if ( !more && !domu_wait_port(port, STEP_NS) )
        {
            report_fail("no request from the frontend within 30 s");
            return;
        }
    }

 death:
    if ( !check(back_wait_for_death(), "the frontend did not go away within 30 s") )
        return;
    {
        bool ok;

        /* Its pages are still there, with their contents, and still ours to use. */
        check_page(gnt_slot(SLOT_DEATH), 0xdead, &ok);
        check(ok, "a page mapped from the dead frontend lost its contents");
        fill_page(gnt_slot(SLOT_DEATH), 0xbeef);
        check_page(gnt_slot(SLOT_DEATH), 0xbeef, &ok);
        check(ok, "writing a page mapped from the dead frontend failed");
    }
    check_st("unmap a page of the dead frontend", gnt_unmap(death_h, (uint64_t)gnt_slot(SLOT_DEATH), 0), GNTST_okay);
    check_st("map another grant of the dead frontend", gnt_map(DATA_REF, peer, (uint64_t)gnt_slot(SLOT_DEATH),
             GNTMAP_host_map | GNTMAP_readonly, NULL, NULL), GNTST_bad_domain);
    check_st("unmap its ring", gnt_unmap(ring_h, (uint64_t)gnt_slot(SLOT_RING), 0), GNTST_okay);
    check_st("unmap its ring twice", gnt_unmap(ring_h, (uint64_t)gnt_slot(SLOT_RING), 0), GNTST_bad_handle);
    printf("backend: the dead frontend's pages unmapped\n");
}

void test_main(start_info_t *si)
{
    char role[8];

    if ( guest_is_dom0() )
        report_fatal("this test runs as two boot-time domUs (see its domains file), not as dom0");
    peer = (domid_t)guest_cmdline_number("peer", 0);
    if ( !guest_cmdline_option("role", role, sizeof(role)) || !peer )
        report_fatal("command line \"%s\": needs role=front|back and peer=<domid>", (const char *)si->cmd_line);
    if ( !strcmp(role, "front") )
        front(guest_cmdline_number("mib", 256));
    else if ( !strcmp(role, "back") )
        back();
    else
        report_fatal("role=%s: front or back", role);
}
