/*
 * domctl-sysctl - the toolstack's hypercalls as dom0 alone sees them (the commands `xl list`,
 * `xl info`, `xl dmesg`, `xl sched-credit`, `xl vcpu-list` and `xl vcpu-pin` rest on):
 *
 *   - both refuse a wrong interface version with -EACCES and an unknown command with -ENOSYS;
 *   - XEN_SYSCTL_physinfo: one CPU (-smp 1), total and free pages that make sense, the TSC rate
 *     (within 1% of the one pvclock implies), PV among the capabilities;
 *   - XEN_SYSCTL_sched_id and XEN_DOMCTL_scheduler_op: dom0's weight 256 and cap 0 under the
 *     scheduler named (Xen 4.17 defaults to credit2, Parva to credit); putinfo changes the
 *     weight; with credit, weight 0 and cap 0xffff leave them; a wrong scheduler id is -EINVAL;
 *   - XEN_DOMCTL_getdomaininfo of dom0 (its pages, shared_info frame, one online vCPU, running,
 *     and Xen 4.17's shutdown-code field: 0xffff until a code is set);
 *     of domain 1, which does not exist: -ESRCH; XEN_SYSCTL_getdomaininfolist: dom0 alone;
 *   - XEN_DOMCTL_max_mem: the limit reads back (and is restored);
 *   - XEN_DOMCTL_getvcpuinfo: vCPU 0 online, running on CPU 0, its CPU time growing;
 *     vCPU 1 is beyond max_vcpus: -EINVAL;
 *   - XEN_DOMCTL_getvcpuaffinity / setvcpuaffinity: hard affinity holds CPU 0; an empty mask
 *     is -EINVAL;
 *   - pause, unpause and destroy of dom0 itself: -EINVAL;
 *   - bad pointers (the structure itself, or a buffer it names: the console text, the domain
 *     list, an affinity bitmap, the debug keys) at a hypervisor or an unmapped address: -EFAULT;
 *   - XEN_SYSCTL_debug_keys "m" (memory information), with no keys, and 1000 keys that are no
 *     key's (^B; Parva continues the hypercall every 64): 0;
 *   - XEN_SYSCTL_readconsole: the whole ring, then an incremental read from the index returned
 *     gives nothing new; after a read with clear, a fresh read gives nothing.
 */
#define __XEN_TOOLS__ 1         /* domctl.h and sysctl.h are the toolstack's headers */
#include "guest.h"
#include <xen/domctl.h>
#include <xen/sysctl.h>

const char test_title[] = "domctl and sysctl as dom0 (xl list, info, dmesg, sched-credit, vcpu-pin)";

static long domctl(struct xen_domctl *op)
{
    return hypercall1(__HYPERVISOR_domctl, op);
}

static long sysctl(struct xen_sysctl *op)
{
    return hypercall1(__HYPERVISOR_sysctl, op);
}

static struct xen_domctl dc(uint32_t cmd, domid_t dom)
{
    return (struct xen_domctl){ .cmd = cmd, .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                                .domain = dom };
}

static struct xen_sysctl sc(uint32_t cmd)
{
    return (struct xen_sysctl){ .cmd = cmd, .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
}

static char ring[256 * 1024];

static void test_versions(void)
{
    struct xen_domctl d = dc(XEN_DOMCTL_getdomaininfo, 0);
    struct xen_sysctl s = sc(XEN_SYSCTL_physinfo);

    d.interface_version--;
    check_rc("domctl with an old interface version", domctl(&d), -EACCES);
    s.interface_version++;
    check_rc("sysctl with a newer interface version", sysctl(&s), -EACCES);
    d = dc(0x7fff, 0);
    check_rc("domctl command 0x7fff", domctl(&d), -ENOSYS);
    s = sc(0x7fff);
    check_rc("sysctl command 0x7fff", sysctl(&s), -ENOSYS);
}

static void test_physinfo(start_info_t *si)
{
    struct xen_sysctl s = sc(XEN_SYSCTL_physinfo);
    const vcpu_time_info_t *t = &vcpu0_info->time;
    uint64_t khz;

    if ( !check_rc("XEN_SYSCTL_physinfo", sysctl(&s), 0) )
        return;
    printf("physinfo: %u CPUs, %u kHz, %lu pages (%lu free), max mfn %#lx, caps %#x\n", s.u.physinfo.nr_cpus,
           s.u.physinfo.cpu_khz, (unsigned long)s.u.physinfo.total_pages, (unsigned long)s.u.physinfo.free_pages,
           (unsigned long)s.u.physinfo.max_mfn, s.u.physinfo.capabilities);
    check_eq("nr_cpus (-smp 1)", s.u.physinfo.nr_cpus, 1);
    check_eq("max_cpu_id", s.u.physinfo.max_cpu_id, 0);
    check(s.u.physinfo.nr_nodes >= 1, "nr_nodes %u", s.u.physinfo.nr_nodes);
    check(s.u.physinfo.threads_per_core >= 1 && s.u.physinfo.cores_per_socket >= 1, "threads %u cores %u",
          s.u.physinfo.threads_per_core, s.u.physinfo.cores_per_socket);
    check(s.u.physinfo.capabilities & XEN_SYSCTL_PHYSCAP_pv, "PV is not among the capabilities %#x",
          s.u.physinfo.capabilities);
    /* 512 MiB of RAM (-m 512): more than dom0's pages, less than 512 MiB, and some of it free. */
    check(s.u.physinfo.total_pages > si->nr_pages && s.u.physinfo.total_pages <= 512 * 256,
          "total_pages %lu with dom0's %lu pages and 512 MiB of RAM", (unsigned long)s.u.physinfo.total_pages,
          si->nr_pages);
    check(s.u.physinfo.free_pages > 0 && s.u.physinfo.free_pages < s.u.physinfo.total_pages,
          "free_pages %lu of %lu", (unsigned long)s.u.physinfo.free_pages, (unsigned long)s.u.physinfo.total_pages);
    check(s.u.physinfo.max_mfn + 1 >= s.u.physinfo.total_pages, "max_mfn %#lx below %lu pages",
          (unsigned long)s.u.physinfo.max_mfn, (unsigned long)s.u.physinfo.total_pages);
    /* pvclock: ns = ticks * mul >> (32 - shift): kHz = 10^6 * 2^(32 - shift) / mul. */
    khz = t->tsc_shift >= 0 ? (1000000ull << 32 >> t->tsc_shift) / t->tsc_to_system_mul
                            : (1000000ull << 32 << -t->tsc_shift) / t->tsc_to_system_mul;
    check(s.u.physinfo.cpu_khz > khz * 99 / 100 && s.u.physinfo.cpu_khz < khz * 101 / 100,
          "cpu_khz %u, pvclock says %lu kHz", s.u.physinfo.cpu_khz, (unsigned long)khz);
}

static void test_sched(void)
{
    struct xen_sysctl s = sc(XEN_SYSCTL_sched_id);
    struct xen_domctl d;
    uint32_t id;

    if ( !check_rc("XEN_SYSCTL_sched_id", sysctl(&s), 0) )
        return;
    id = s.u.sched_id.sched_id;
    printf("scheduler id %u\n", id);
    check(id == XEN_SCHEDULER_CREDIT || id == XEN_SCHEDULER_CREDIT2, "scheduler id %u", id);
    d = dc(XEN_DOMCTL_scheduler_op, 0);
    d.u.scheduler_op = (struct xen_domctl_scheduler_op){ .sched_id = id, .cmd = XEN_DOMCTL_SCHEDOP_getinfo };
    if ( check_rc("scheduler_op getinfo", domctl(&d), 0) )
        check_eq("dom0's weight", d.u.scheduler_op.u.credit.weight, 256);
    if ( id == XEN_SCHEDULER_CREDIT )
        check_eq("dom0's cap", d.u.scheduler_op.u.credit.cap, 0);

    d = dc(XEN_DOMCTL_scheduler_op, 0);
    d.u.scheduler_op = (struct xen_domctl_scheduler_op){ .sched_id = id, .cmd = XEN_DOMCTL_SCHEDOP_putinfo };
    d.u.scheduler_op.u.credit.weight = 512;
    check_rc("scheduler_op putinfo weight 512", domctl(&d), 0);
    if ( id == XEN_SCHEDULER_CREDIT )
    {
        /* credit1: weight 0 and cap 0xffff leave them as they are (credit2 refuses that cap). */
        d = dc(XEN_DOMCTL_scheduler_op, 0);
        d.u.scheduler_op = (struct xen_domctl_scheduler_op){ .sched_id = id, .cmd = XEN_DOMCTL_SCHEDOP_putinfo };
        d.u.scheduler_op.u.credit.weight = 0;
        d.u.scheduler_op.u.credit.cap = 0xffff;
        check_rc("scheduler_op putinfo weight 0, cap 0xffff", domctl(&d), 0);
    }
    d = dc(XEN_DOMCTL_scheduler_op, 0);
    d.u.scheduler_op = (struct xen_domctl_scheduler_op){ .sched_id = id, .cmd = XEN_DOMCTL_SCHEDOP_getinfo };
    if ( check_rc("scheduler_op getinfo", domctl(&d), 0) )
        check_eq("dom0's weight after putinfo 512", d.u.scheduler_op.u.credit.weight, 512);
    d = dc(XEN_DOMCTL_scheduler_op, 0);
    d.u.scheduler_op = (struct xen_domctl_scheduler_op){ .sched_id = id, .cmd = XEN_DOMCTL_SCHEDOP_putinfo };
    d.u.scheduler_op.u.credit.weight = 256;
    check_rc("scheduler_op putinfo weight 256", domctl(&d), 0);

    d = dc(XEN_DOMCTL_scheduler_op, 0);
    d.u.scheduler_op = (struct xen_domctl_scheduler_op){ .sched_id = XEN_SCHEDULER_RTDS,
                                                         .cmd = XEN_DOMCTL_SCHEDOP_getinfo };
    check_rc("scheduler_op with another scheduler's id", domctl(&d), -EINVAL);
}

static void test_domaininfo(start_info_t *si)
{
    struct xen_domctl d = dc(XEN_DOMCTL_getdomaininfo, 0);
    static struct xen_domctl_getdomaininfo list[8];
    struct xen_sysctl s;
    const struct xen_domctl_getdomaininfo *i = &d.u.getdomaininfo;

    if ( check_rc("getdomaininfo(0)", domctl(&d), 0) )
    {
        printf("dom0: flags %#x, %lu pages (max %lu), shared_info frame %#lx, %u vCPU(s) online, "
               "max id %u, cpu time %lu ns\n", i->flags, (unsigned long)i->tot_pages, (unsigned long)i->max_pages,
               (unsigned long)i->shared_info_frame, i->nr_online_vcpus, i->max_vcpu_id, (unsigned long)i->cpu_time);
        check_eq("domain", i->domain, 0);
        check_eq("flags: running, not dying, shut down, paused or blocked",
                 i->flags & (XEN_DOMINF_running | XEN_DOMINF_dying | XEN_DOMINF_shutdown | XEN_DOMINF_paused |
                             XEN_DOMINF_blocked | XEN_DOMINF_hvm_guest),
                 XEN_DOMINF_running);
        /* Xen 4.17 shifts the whole shutdown code in: ~0 (SHUTDOWN_CODE_INVALID) until one is set. */
        check_eq("flags: the shutdown code field", i->flags >> XEN_DOMINF_shutdownshift, 0xffff);
        check(i->tot_pages >= si->nr_pages && i->tot_pages <= si->nr_pages + 64,
              "tot_pages %lu, start_info's nr_pages %lu", (unsigned long)i->tot_pages, si->nr_pages);
        check_eq("shared_info_frame", i->shared_info_frame, si->shared_info >> 12);
        check_eq("nr_online_vcpus", i->nr_online_vcpus, 1);
        check_eq("max_vcpu_id", i->max_vcpu_id, 0);
        check(i->cpu_time > 0, "cpu_time 0");
    }
    d = dc(XEN_DOMCTL_getdomaininfo, 1);
    check_rc("getdomaininfo(1): no such domain, nor any after it", domctl(&d), -ESRCH);

    s = sc(XEN_SYSCTL_getdomaininfolist);
    s.u.getdomaininfolist.first_domain = 0;
    s.u.getdomaininfolist.max_domains = 8;
    set_xen_guest_handle(s.u.getdomaininfolist.buffer, list);
    if ( check_rc("getdomaininfolist", sysctl(&s), 0) )
    {
        check_eq("getdomaininfolist: domains", s.u.getdomaininfolist.num_domains, 1);
        check_eq("getdomaininfolist: the first is dom0", list[0].domain, 0);
        check_eq("getdomaininfolist: dom0's shared_info frame", list[0].shared_info_frame, si->shared_info >> 12);
    }
    s = sc(XEN_SYSCTL_getdomaininfolist);
    s.u.getdomaininfolist.first_domain = 1;
    s.u.getdomaininfolist.max_domains = 8;
    set_xen_guest_handle(s.u.getdomaininfolist.buffer, list);
    if ( check_rc("getdomaininfolist from domain 1", sysctl(&s), 0) )
        check_eq("getdomaininfolist from domain 1: domains", s.u.getdomaininfolist.num_domains, 0);
}

static void test_max_mem(void)
{
    struct xen_domctl d = dc(XEN_DOMCTL_getdomaininfo, 0);
    uint64_t old;

    if ( !check_rc("getdomaininfo(0)", domctl(&d), 0) )
        return;
    old = d.u.getdomaininfo.max_pages;
    d = dc(XEN_DOMCTL_max_mem, 0);
    d.u.max_mem.max_memkb = 200 * 1024;
    check_rc("max_mem 200 MiB", domctl(&d), 0);
    d = dc(XEN_DOMCTL_getdomaininfo, 0);
    if ( check_rc("getdomaininfo(0)", domctl(&d), 0) )
        check_eq("max_pages after max_mem 200 MiB", d.u.getdomaininfo.max_pages, 200 * 256);
    d = dc(XEN_DOMCTL_max_mem, 0);
    d.u.max_mem.max_memkb = old * 4;
    check_rc("max_mem back", domctl(&d), 0);
}

static void test_vcpus(void)
{
    struct xen_domctl d = dc(XEN_DOMCTL_getvcpuinfo, 0);
    uint64_t t0;
    uint8_t map[8];

    d.u.getvcpuinfo.vcpu = 0;
    if ( check_rc("getvcpuinfo(0, 0)", domctl(&d), 0) )
    {
        check_eq("vCPU 0 online", d.u.getvcpuinfo.online, 1);
        check_eq("vCPU 0 running", d.u.getvcpuinfo.running, 1);
        check_eq("vCPU 0 blocked", d.u.getvcpuinfo.blocked, 0);
        check_eq("vCPU 0's CPU", d.u.getvcpuinfo.cpu, 0);
        t0 = d.u.getvcpuinfo.cpu_time;
        for ( uint64_t end = guest_system_time() + 20000000; guest_system_time() < end; )
            ;
        d = dc(XEN_DOMCTL_getvcpuinfo, 0);
        d.u.getvcpuinfo.vcpu = 0;
        if ( check_rc("getvcpuinfo(0, 0) again", domctl(&d), 0) )
            check(d.u.getvcpuinfo.cpu_time >= t0 + 10000000, "cpu_time %lu after %lu and 20 ms of spinning",
                  (unsigned long)d.u.getvcpuinfo.cpu_time, (unsigned long)t0);
    }
    d = dc(XEN_DOMCTL_getvcpuinfo, 0);
    d.u.getvcpuinfo.vcpu = 1;
    check_rc("getvcpuinfo of vCPU 1 (there is one vCPU)", domctl(&d), -EINVAL);

    memset(map, 0, sizeof(map));
    d = dc(XEN_DOMCTL_getvcpuaffinity, 0);
    d.u.vcpuaffinity.vcpu = 0;
    d.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    set_xen_guest_handle(d.u.vcpuaffinity.cpumap_hard.bitmap, map);
    d.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    if ( check_rc("getvcpuaffinity (hard)", domctl(&d), 0) )
        check(map[0] & 1, "CPU 0 is not in vCPU 0's hard affinity (%#x)", map[0]);
    memset(map, 0, sizeof(map));
    d = dc(XEN_DOMCTL_setvcpuaffinity, 0);
    d.u.vcpuaffinity.vcpu = 0;
    d.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    set_xen_guest_handle(d.u.vcpuaffinity.cpumap_hard.bitmap, map);
    d.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    check_rc("setvcpuaffinity to no CPU", domctl(&d), -EINVAL);
    map[0] = 1;
    d = dc(XEN_DOMCTL_setvcpuaffinity, 0);
    d.u.vcpuaffinity.vcpu = 0;
    d.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    set_xen_guest_handle(d.u.vcpuaffinity.cpumap_hard.bitmap, map);
    d.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    if ( check_rc("setvcpuaffinity to CPU 0", domctl(&d), 0) )
        check_eq("the effective hard affinity", map[0], 1);
    memset(map, 0xff, sizeof(map));
    d = dc(XEN_DOMCTL_setvcpuaffinity, 0);
    d.u.vcpuaffinity.vcpu = 0;
    d.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    set_xen_guest_handle(d.u.vcpuaffinity.cpumap_hard.bitmap, map);
    d.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    check_rc("setvcpuaffinity to every CPU", domctl(&d), 0);
}

/* Bad pointers are -EFAULT (the structure, or a buffer it names), never a crash. */
static void test_bad_pointers(void)
{
    const unsigned long hv = 0xffff830000000000ul, unmapped = 0x7ff000000000ul;
    struct xen_sysctl s;
    struct xen_domctl d;

    check_rc("domctl at a hypervisor address", hypercall1(__HYPERVISOR_domctl, hv), -EFAULT);
    check_rc("domctl at an unmapped address", hypercall1(__HYPERVISOR_domctl, unmapped), -EFAULT);
    check_rc("sysctl at a hypervisor address", hypercall1(__HYPERVISOR_sysctl, hv), -EFAULT);
    s = sc(XEN_SYSCTL_readconsole);
    s.u.readconsole.count = 4096;
    set_xen_guest_handle(s.u.readconsole.buffer, (char *)hv);
    check_rc("readconsole into the hypervisor", sysctl(&s), -EFAULT);
    s = sc(XEN_SYSCTL_getdomaininfolist);
    s.u.getdomaininfolist.max_domains = 1000;
    set_xen_guest_handle(s.u.getdomaininfolist.buffer, (xen_domctl_getdomaininfo_t *)unmapped);
    check_rc("getdomaininfolist into unmapped memory", sysctl(&s), -EFAULT);
    d = dc(XEN_DOMCTL_getvcpuaffinity, 0);
    d.u.vcpuaffinity.vcpu = 0;
    d.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    set_xen_guest_handle(d.u.vcpuaffinity.cpumap_hard.bitmap, (uint8_t *)hv);
    d.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    check_rc("getvcpuaffinity into the hypervisor", domctl(&d), -EFAULT);
    s = sc(XEN_SYSCTL_debug_keys);
    set_xen_guest_handle(s.u.debug_keys.keys, (const char *)hv);
    s.u.debug_keys.nr_keys = 1;
    check_rc("debug_keys from the hypervisor's memory", sysctl(&s), -EFAULT);
}

/* XEN_SYSCTL_debug_keys: a key as if typed on the console ('m': memory information). */
static void test_debug_keys(void)
{
    static const char keys[] = "m";
    static char many[1000];
    struct xen_sysctl s = sc(XEN_SYSCTL_debug_keys);

    set_xen_guest_handle(s.u.debug_keys.keys, keys);
    s.u.debug_keys.nr_keys = 1;
    check_rc("debug_keys \"m\"", sysctl(&s), 0);
    s = sc(XEN_SYSCTL_debug_keys);
    s.u.debug_keys.nr_keys = 0;
    check_rc("debug_keys with no keys", sysctl(&s), 0);
    /* Many keys (Parva handles them 64 per call, continuing the hypercall): ^B is no key's. */
    memset(many, 2, sizeof(many));
    s = sc(XEN_SYSCTL_debug_keys);
    set_xen_guest_handle(s.u.debug_keys.keys, many);
    s.u.debug_keys.nr_keys = sizeof(many);
    check_rc("debug_keys, 1000 of them", sysctl(&s), 0);
}

static void test_self(void)
{
    struct xen_domctl d = dc(XEN_DOMCTL_pausedomain, 0);

    check_rc("pause dom0 from dom0", domctl(&d), -EINVAL);
    d = dc(XEN_DOMCTL_unpausedomain, 0);
    check_rc("unpause dom0 from dom0", domctl(&d), -EINVAL);
    d = dc(XEN_DOMCTL_destroydomain, 0);
    check_rc("destroy dom0 from dom0", domctl(&d), -EINVAL);
    d = dc(XEN_DOMCTL_pausedomain, 5);
    check_rc("pause domain 5 (none)", domctl(&d), -ESRCH);
}

/* Read the whole ring (or what fits), from an index or not; the bytes read. */
static uint32_t read_ring(bool incremental, uint32_t *index, bool clear)
{
    struct xen_sysctl s = sc(XEN_SYSCTL_readconsole);

    s.u.readconsole.incremental = incremental;
    s.u.readconsole.index = *index;
    s.u.readconsole.clear = clear;
    s.u.readconsole.count = sizeof(ring);
    set_xen_guest_handle(s.u.readconsole.buffer, ring);
    if ( !check_rc("XEN_SYSCTL_readconsole", sysctl(&s), 0) )
        return ~0u;
    *index = s.u.readconsole.index;
    return s.u.readconsole.count;
}

static void test_readconsole(void)
{
    uint32_t idx = 0, n, again;

    n = read_ring(false, &idx, false);
    printf("readconsole: %u bytes, index %u; it begins \"%.40s\"\n", n, idx, ring);
    check(n > 100 && n != ~0u && n < sizeof(ring), "readconsole read %u bytes", n);
    again = read_ring(true, &idx, false);
    check_eq("an incremental read from the index returned: nothing new", again, 0);
    n = read_ring(false, &idx, true);
    check(n > 100 && n != ~0u, "readconsole with clear read %u bytes", n);
    again = read_ring(false, &idx, false);
    check_eq("a read after a clear: nothing", again, 0);
}

void test_main(start_info_t *si)
{
    test_versions();
    test_physinfo(si);
    test_sched();
    test_domaininfo(si);
    test_max_mem();
    test_vcpus();
    test_self();
    test_bad_pointers();
    test_debug_keys();
    test_readconsole();
}
