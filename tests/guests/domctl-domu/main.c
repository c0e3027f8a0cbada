/*
 * domctl-domu - dom0's toolstack hypercalls on other domains: two boot-time domUs ("victim",
 * domain 1, and "other", domain 2: this kernel again, which prints its result and then spins
 * for ever) and dom0, which, as `xl` would:
 *
 *   - finds their console lines in the hypervisor's ring (XEN_SYSCTL_readconsole, `xl dmesg`);
 *   - lists them (XEN_SYSCTL_getdomaininfolist: 0, 1, 2) and reads domain 1's record (its
 *     memory=16M, one online vCPU, the shutdown-code field 0xffff);
 *   - sees its vCPU's CPU time grow (XEN_DOMCTL_getvcpuinfo), pauses it (pausedomain: flag
 *     XEN_DOMINF_paused, the vCPU not running, its CPU time still), pauses it twice and needs
 *     two unpauses, sees the time grow again, and gets -EINVAL for one unpause too many;
 *   - pins its vCPU to CPU 1, then CPU 0 (setvcpuaffinity), and sees it move there; pins its
 *     own vCPU the same way (the vCPU making the call moves on its way out of it);
 *   - sets its weight and cap (scheduler_op: 512 and 20, then a cap of 500, more than its one
 *     vCPU can use, which reads back as set);
 *   - destroys it (destroydomain): VIRQ_DOM_EXC comes, and getdomaininfo(1) then answers for
 *     domain 2, the next one (Xen 4.17's lookup), until domain 2 is destroyed too: -ESRCH.
 * Parva-only: Xen 4.17 builds no domUs from boot modules.
 */
#define __XEN_TOOLS__ 1
#include "guest.h"
#include "domu.h"
#include <xen/domctl.h>
#include <xen/sysctl.h>

const char test_title[] = "domctl on boot-time domains: list, pause, pin, weigh, destroy";

#define MS      1000000ull

static long domctl(struct xen_domctl *op)
{
    return hypercall1(__HYPERVISOR_domctl, op);
}

static struct xen_domctl dc(uint32_t cmd, domid_t dom)
{
    return (struct xen_domctl){ .cmd = cmd, .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                                .domain = dom };
}

static void spin_ms(uint64_t ms)
{
    for ( uint64_t end = guest_system_time() + ms * MS; guest_system_time() < end; )
        ;
}

static bool vcpuinfo(domid_t dom, struct xen_domctl_getvcpuinfo *vi)
{
    struct xen_domctl d = dc(XEN_DOMCTL_getvcpuinfo, dom);

    d.u.getvcpuinfo.vcpu = 0;
    if ( !check_rc("getvcpuinfo", domctl(&d), 0) )
        return false;
    *vi = d.u.getvcpuinfo;
    return true;
}

static uint32_t dom_flags(domid_t dom)
{
    struct xen_domctl d = dc(XEN_DOMCTL_getdomaininfo, dom);

    return domctl(&d) == 0 && d.domain == dom ? d.u.getdomaininfo.flags : 0;
}

static void test_list(void)
{
    static struct xen_domctl_getdomaininfo list[8];
    struct xen_sysctl s = { .cmd = XEN_SYSCTL_getdomaininfolist,
                            .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
    struct xen_domctl d = dc(XEN_DOMCTL_getdomaininfo, 1);

    s.u.getdomaininfolist.max_domains = 8;
    set_xen_guest_handle(s.u.getdomaininfolist.buffer, list);
    if ( check_rc("getdomaininfolist", hypercall1(__HYPERVISOR_sysctl, &s), 0) &&
         check_eq("domains listed", s.u.getdomaininfolist.num_domains, 3) )
        check(list[0].domain == 0 && list[1].domain == 1 && list[2].domain == 2, "domains %u %u %u",
              list[0].domain, list[1].domain, list[2].domain);
    if ( check_rc("getdomaininfo(1)", domctl(&d), 0) )
    {
        const struct xen_domctl_getdomaininfo *i = &d.u.getdomaininfo;

        printf("domain 1: flags %#x, %lu pages (max %lu), %u vCPU online\n", i->flags,
               (unsigned long)i->tot_pages, (unsigned long)i->max_pages, i->nr_online_vcpus);
        check_eq("domain", d.domain, 1);
        check(i->tot_pages >= 4096 && i->tot_pages <= 4096 + 64, "tot_pages %lu for memory=16M",
              (unsigned long)i->tot_pages);
        check_eq("nr_online_vcpus", i->nr_online_vcpus, 1);
        check_eq("flags: not paused, dying or shut down",
                 i->flags & (XEN_DOMINF_paused | XEN_DOMINF_dying | XEN_DOMINF_shutdown), 0);
        check_eq("the shutdown-code field", i->flags >> XEN_DOMINF_shutdownshift, 0xffff);
    }
}

/* Domain 1's CPU time grows past a's within 2 s (it shares the CPUs with two others: it may
   wait for a slice or two, longer on a loaded host). */
static bool time_grows(const struct xen_domctl_getvcpuinfo *a)
{
    struct xen_domctl_getvcpuinfo b;
    uint64_t end = guest_system_time() + 2000 * MS;

    do {
        spin_ms(10);
        if ( !vcpuinfo(1, &b) )
            return false;
    } while ( b.cpu_time == a->cpu_time && guest_system_time() < end );
    return check(b.cpu_time > a->cpu_time, "domain 1's CPU time does not grow within 2 s (%lu)",
                 (unsigned long)b.cpu_time);
}

static void test_pause(void)
{
    struct xen_domctl_getvcpuinfo a, b;
    struct xen_domctl d;

    if ( !vcpuinfo(1, &a) || !time_grows(&a) )
        return;

    d = dc(XEN_DOMCTL_pausedomain, 1);
    check_rc("pausedomain(1)", domctl(&d), 0);
    check(dom_flags(1) & XEN_DOMINF_paused, "no XEN_DOMINF_paused after pausedomain (%#x)", dom_flags(1));
    if ( vcpuinfo(1, &a) )
        check_eq("paused: its vCPU is not running", a.running, 0);
    spin_ms(50);
    if ( vcpuinfo(1, &b) )
        check_eq("paused: its CPU time stands still", b.cpu_time, a.cpu_time);
    d = dc(XEN_DOMCTL_pausedomain, 1);
    check_rc("pausedomain(1) again", domctl(&d), 0);
    d = dc(XEN_DOMCTL_unpausedomain, 1);
    check_rc("unpausedomain(1)", domctl(&d), 0);
    check(dom_flags(1) & XEN_DOMINF_paused, "paused twice, unpaused once: it should still be paused");
    d = dc(XEN_DOMCTL_unpausedomain, 1);
    check_rc("unpausedomain(1) again", domctl(&d), 0);
    check(!(dom_flags(1) & XEN_DOMINF_paused), "still XEN_DOMINF_paused after two unpauses");
    if ( vcpuinfo(1, &a) )
        time_grows(&a);
    d = dc(XEN_DOMCTL_unpausedomain, 1);
    check_rc("unpausedomain(1) once too often", domctl(&d), -EINVAL);
}

static bool pin(domid_t dom, uint8_t cpus)
{
    struct xen_domctl d = dc(XEN_DOMCTL_setvcpuaffinity, dom);
    uint8_t map[8] = { cpus };

    d.u.vcpuaffinity.vcpu = 0;
    d.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    set_xen_guest_handle(d.u.vcpuaffinity.cpumap_hard.bitmap, map);
    d.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    return check_rc("setvcpuaffinity", domctl(&d), 0);
}

static void test_pin(void)
{
    struct xen_domctl_getvcpuinfo vi;
    struct xen_domctl d;
    uint8_t map[8] = { 0 };

    for ( unsigned int cpu = 1; cpu < 3; cpu++ )
    {
        unsigned int want = cpu % 2;
        uint64_t end = guest_system_time() + 3000 * MS;

        if ( !pin(1, 1U << want) )
            return;
        do
            spin_ms(5);
        while ( vcpuinfo(1, &vi) && vi.cpu != want && guest_system_time() < end );
        check_eq("domain 1's vCPU, pinned, runs on", vi.cpu, want);
    }
    /* dom0 moves itself: the vCPU making the call leaves its CPU on the way out of it. */
    for ( unsigned int want = 1; want < 3; want++ )
    {
        unsigned int cpu = want % 2;
        uint64_t end = guest_system_time() + 3000 * MS;

        if ( !pin(0, 1U << cpu) )
            return;
        do
            spin_ms(5);
        while ( vcpuinfo(0, &vi) && vi.cpu != cpu && guest_system_time() < end );
        check_eq("dom0's own vCPU, pinned, runs on", vi.cpu, cpu);
    }
    pin(0, 3);
    d = dc(XEN_DOMCTL_getvcpuaffinity, 1);
    d.u.vcpuaffinity.vcpu = 0;
    d.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    set_xen_guest_handle(d.u.vcpuaffinity.cpumap_hard.bitmap, map);
    d.u.vcpuaffinity.cpumap_hard.nr_bits = 8;
    if ( check_rc("getvcpuaffinity", domctl(&d), 0) )
        check_eq("hard affinity", map[0], 1);
    pin(1, 3);
}

static void test_sched(void)
{
    struct xen_domctl d = dc(XEN_DOMCTL_scheduler_op, 1);

    d.u.scheduler_op = (struct xen_domctl_scheduler_op){ .sched_id = XEN_SCHEDULER_CREDIT,
                                                         .cmd = XEN_DOMCTL_SCHEDOP_putinfo };
    d.u.scheduler_op.u.credit.weight = 512;
    d.u.scheduler_op.u.credit.cap = 20;
    check_rc("scheduler_op putinfo 512, cap 20", domctl(&d), 0);
    d = dc(XEN_DOMCTL_scheduler_op, 1);
    d.u.scheduler_op = (struct xen_domctl_scheduler_op){ .sched_id = XEN_SCHEDULER_CREDIT,
                                                         .cmd = XEN_DOMCTL_SCHEDOP_getinfo };
    if ( check_rc("scheduler_op getinfo", domctl(&d), 0) )
        check(d.u.scheduler_op.u.credit.weight == 512 && d.u.scheduler_op.u.credit.cap == 20,
              "weight %u cap %u", d.u.scheduler_op.u.credit.weight, d.u.scheduler_op.u.credit.cap);
    d = dc(XEN_DOMCTL_scheduler_op, 1);
    d.u.scheduler_op = (struct xen_domctl_scheduler_op){ .sched_id = XEN_SCHEDULER_CREDIT,
                                                         .cmd = XEN_DOMCTL_SCHEDOP_putinfo };
    d.u.scheduler_op.u.credit.cap = 500;
    check_rc("scheduler_op putinfo cap 500 (one vCPU)", domctl(&d), 0);
    d = dc(XEN_DOMCTL_scheduler_op, 1);
    d.u.scheduler_op = (struct xen_domctl_scheduler_op){ .sched_id = XEN_SCHEDULER_CREDIT,
                                                         .cmd = XEN_DOMCTL_SCHEDOP_getinfo };
    if ( check_rc("scheduler_op getinfo", domctl(&d), 0) )
        check(d.u.scheduler_op.u.credit.weight == 512 && d.u.scheduler_op.u.credit.cap == 500,
              "weight %u cap %u after cap 500", d.u.scheduler_op.u.credit.weight, d.u.scheduler_op.u.credit.cap);
}

/* Destroy dom, and wait until getdomaininfo(dom) no longer names it. */
static void destroy(domid_t dom, evtchn_port_t virq_port)
{
    struct xen_domctl d = dc(XEN_DOMCTL_destroydomain, dom);
    uint64_t end;
    long rc;

    if ( !check_rc("destroydomain", domctl(&d), 0) )
        return;
    check(domu_wait_port(virq_port, 10000 * MS), "no VIRQ_DOM_EXC within 10 s of destroying domain %u", dom);
    end = guest_system_time() + 10000 * MS;
    do {
        d = dc(XEN_DOMCTL_getdomaininfo, dom);
        rc = domctl(&d);
        if ( rc || d.domain != dom )
            break;
        domu_wait_port(virq_port, 50 * MS);
    } while ( guest_system_time() < end );
    if ( dom == 1 )
    {
        check_rc("getdomaininfo(1) once domain 1 is gone", rc, 0);
        check_eq("... answers for the next domain", d.domain, 2);
    }
    else
        check_rc("getdomaininfo(2) once every domU is gone", rc, -ESRCH);
    d = dc(XEN_DOMCTL_destroydomain, dom);
    check_rc("destroydomain of a domain that is gone", domctl(&d), -ESRCH);
}

/* The boot-time domains' console lines are in the hypervisor's ring (xl dmesg), as Xen's dom0less. */
static void test_ring_has_domu_lines(void)
{
    static char ring[65536];
    uint64_t end = guest_system_time() + 10000 * MS;    /* they print as soon as they run */
    bool found;

    do {
        struct xen_sysctl s = { .cmd = XEN_SYSCTL_readconsole,
                                .interface_version = XEN_SYSCTL_INTERFACE_VERSION };

        s.u.readconsole.count = sizeof(ring) - 1;
        set_xen_guest_handle(s.u.readconsole.buffer, ring);
        if ( !check_rc("readconsole", hypercall1(__HYPERVISOR_sysctl, &s), 0) )
            return;
        ring[s.u.readconsole.count] = '\0';
        found = strstr(ring, "(victim) Test result: SUCCESS") && strstr(ring, "(other) Test result: SUCCESS");
        if ( !found )
            spin_ms(50);
    } while ( !found && guest_system_time() < end );
    check(found, "the domUs' console lines are not in the console ring");
}

static void as_dom0(void)
{
    struct evtchn_bind_virq virq = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };

    if ( !check_rc("bind VIRQ_DOM_EXC", hypercall_event_channel_op(EVTCHNOP_bind_virq, &virq), 0) )
        return;
    spin_ms(200);                           /* the domUs are up and spinning */
    test_ring_has_domu_lines();
    test_list();
    test_pause();
    test_pin();
    test_sched();
    destroy(1, virq.port);
    destroy(2, virq.port);
}

void test_main(start_info_t *si)
{
    (void)si;
    if ( guest_is_dom0() )
    {
        as_dom0();
        return;
    }
    test_print_result();                    /* then run until dom0 destroys us */
    for ( ;; )
        asm volatile ( "pause" );
}
