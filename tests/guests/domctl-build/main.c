/*
 * domctl-build - dom0 builds and runs a PV domain at run time through the toolstack's hypercalls,
 * as libxc's PV builder does, then serves its console, sees it power off and destroys it.
 * The domU is this very kernel: dom0's initrd module is a copy of this ELF (test.mk).
 *
 * dom0, the builder:
 *   1. XEN_DOMCTL_createdomain (id chosen by the hypervisor; 1 vCPU, grant v1): the domain is
 *      paused, with no memory and (Xen 4.17) no vCPUs until XEN_DOMCTL_max_vcpus, which must
 *      repeat createdomain's count; XEN_DOMCTL_max_mem 16 MiB; XENMEM_populate_physmap of its
 *      4096 pages, pfn i for extent i: the MFNs come back in the same array (the p2m).
 *   2. Its frames are filled through dom0's own page tables (MMU_NORMAL_PT_UPDATE with the
 *      domain as foreigndom: a foreign mapping), one frame at a time, unmapped after:
 *        pfns [0, K)    the kernel's PT_LOAD segment (virtual base 0, paddr = vaddr), bss zeroed
 *        K .. K+7       the p2m (mfn_list)
 *        K+8            start_info;  K+9  the console ring
 *        K+10 ..        L4, L3, L2 and eight L1s mapping all 16 MiB at va = pfn * 4 KiB,
 *                       writable except the page tables themselves (a PV rule)
 *        then           the boot stack page
 *      A console port: EVTCHNOP_alloc_unbound in the domain for dom0, bound by dom0.
 *   3. MMUEXT_PIN_L4_TABLE of its L4 (foreigndom: the domain), XEN_DOMCTL_setvcpucontext of vCPU 0
 *      (entry, stack, %rsi = start_info, the L4 in ctrlreg[3], VGCF_online) and unpausedomain.
 *   4. dom0 copies the console ring's output to its own console as "(guest) ..." lines until
 *      VIRQ_DOM_EXC, checks getdomaininfo (shut down, code poweroff) and that the guest printed
 *      "Test result: SUCCESS", destroys it, waits until it is gone, and checks that physinfo's
 *      free pages are back (within 64 pages).
 *   5. A second domain, built the same way with `spin` on its command line, reports and then
 *      keeps running: dom0 pauses it (its CPU time stands still), unpauses it, and destroys it
 *      while it runs: gone, and its pages back.
 * The guest (no SIF_INITDOMAIN): checks the start_info it was given (pages, p2m, flags, command
 * line, console), and its result line goes through the console ring.
 *
 * On Xen 4.17 the same kernel passes (tests/guests/xen-oracle.sh): the builder is checked against
 * the real thing.  (A domU's HYPERVISOR_console_io is refused by Xen's release builds, so the
 * guest writes only to its console ring, which the framework does for every domU.)
 */
#define __XEN_TOOLS__ 1
#include "guest.h"
#include "domu.h"
#include "gnttab.h"
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xen/io/console.h>

const char test_title[] = "dom0 builds, runs and destroys a PV domain (createdomain ... unpausedomain)";

#define MS              1000000ull
#define DOMU_PAGES      4096ul
#define DOMU_CMDLINE    "role=guest built-by=dom0"
#define SLOT            100             /* the gnttab window slot dom0 maps foreign frames at */
#define PTE_RW          (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PTE_RO          (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)

/* The ELF64 headers it reads (the ELF specification's layout). */
typedef struct {
    unsigned char e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;
typedef struct {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Elf64_Phdr;
#define PT_LOAD         1

static xen_pfn_t p2m[DOMU_PAGES];
static bool window_ready;               /* the gnttab window dom0 maps foreign frames through */
static domid_t domid;

static long domctl(struct xen_domctl *op)
{
    return hypercall1(__HYPERVISOR_domctl, op);
}

static void strlcpy_guest(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src) < size - 1 ? strlen(src) : size - 1;

    memcpy(dst, src, n);
    dst[n] = '\0';
}

static struct xen_domctl dc(uint32_t cmd, domid_t dom)
{
    return (struct xen_domctl){ .cmd = cmd, .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                                .domain = dom };
}

static uint64_t free_pages(void)
{
    struct xen_sysctl s = { .cmd = XEN_SYSCTL_physinfo, .interface_version = XEN_SYSCTL_INTERFACE_VERSION };

    return hypercall1(__HYPERVISOR_sysctl, &s) ? 0 : s.u.physinfo.free_pages;
}

/* Map the domain's frame pfn at dom0's slot (0: unmap); a pointer to it. */
static void *map_domu(unsigned long pfn, bool map)
{
    mmu_update_t u = { .ptr = gnt_slot_pte_maddr(SLOT) | MMU_NORMAL_PT_UPDATE,
                       .val = map ? (p2m[pfn] << 12) | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY : 0 };
    long rc = hypercall_mmu_update(&u, 1, NULL, domid);

    invlpg_local((unsigned long)gnt_slot(SLOT));
    if ( rc )
        report_fatal("foreign mapping of domain %u's pfn %#lx (mfn %#lx): %ld (%s)", domid, pfn,
                     (unsigned long)p2m[pfn], rc, errno_name(rc));
    return gnt_slot(SLOT);
}

/* Copy len bytes into the domain's pseudo-physical memory at paddr (zero them when src is NULL). */
static void put_domu(unsigned long paddr, const void *src, unsigned long len)
{
    while ( len )
    {
        unsigned long off = paddr & 4095, n = 4096 - off;
        uint8_t *p;

        if ( n > len )
            n = len;
        p = map_domu(paddr >> 12, true);
        if ( src )
            memcpy(p + off, src, n);
        else
            memset(p + off, 0, n);
        map_domu(0, false);
        paddr += n;
        len -= n;
        src = src ? (const uint8_t *)src + n : NULL;
    }
}

struct layout {
    unsigned long kpages, p2m_pfn, si_pfn, cons_pfn, pt_pfn, nr_pt, stack_pfn;
    uint64_t entry;
};

/* Load the ELF image (the initrd module) at pfn 0 on; its pages and entry point. */
static bool load_kernel(const start_info_t *si, struct layout *lay)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)si->mod_start;
    uint64_t end = 0;

    if ( !si->mod_len || si->mod_len < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) ||
         eh->e_ident[4] != 2 /* ELFCLASS64 */ || eh->e_phentsize != sizeof(Elf64_Phdr) ||
         eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) > si->mod_len )
    {
        report_error("the initrd module (%lu bytes) is not this test's ELF kernel", si->mod_len);
        return false;
    }
    for ( unsigned int i = 0; i < eh->e_phnum; i++ )
    {
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(si->mod_start + eh->e_phoff) + i;

        if ( ph->p_type != PT_LOAD )
            continue;
        if ( ph->p_offset + ph->p_filesz > si->mod_len || ph->p_paddr + ph->p_memsz > DOMU_PAGES * 2048 )
        {
            report_error("PT_LOAD %u does not fit", i);
            return false;
        }
        put_domu(ph->p_paddr, (const void *)(si->mod_start + ph->p_offset), ph->p_filesz);
        put_domu(ph->p_paddr + ph->p_filesz, NULL, ph->p_memsz - ph->p_filesz);
        if ( ph->p_paddr + ph->p_memsz > end )
            end = ph->p_paddr + ph->p_memsz;
    }
    lay->kpages = (end + 4095) >> 12;
    lay->entry = eh->e_entry;
    return true;
}

/* Page tables mapping every pfn at va = pfn << 12: L4, L3, L2, L1s from pt_pfn on. */
static void build_page_tables(struct layout *lay)
{
    static uint64_t t[512];
    unsigned long nr_l1 = DOMU_PAGES / 512, l4 = lay->pt_pfn, l3 = l4 + 1, l2 = l3 + 1, l1 = l2 + 1;

    lay->nr_pt = 3 + nr_l1;
    memset(t, 0, sizeof(t));
    t[0] = (p2m[l3] << 12) | PTE_RW;
    put_domu(l4 << 12, t, 4096);
    t[0] = (p2m[l2] << 12) | PTE_RW;
    put_domu(l3 << 12, t, 4096);
    memset(t, 0, sizeof(t));
    for ( unsigned long i = 0; i < nr_l1; i++ )
        t[i] = (p2m[l1 + i] << 12) | PTE_RW;
    put_domu(l2 << 12, t, 4096);
    for ( unsigned long i = 0; i < nr_l1; i++ )
    {
        for ( unsigned long j = 0; j < 512; j++ )
        {
            unsigned long pfn = i * 512 + j;
            bool is_pt = pfn >= lay->pt_pfn && pfn < lay->pt_pfn + lay->nr_pt;

            t[j] = (p2m[pfn] << 12) | (is_pt ? PTE_RO : PTE_RW);
        }
        put_domu((l1 + i) << 12, t, 4096);
    }
}

static bool build(const start_info_t *dom0_si, struct layout *lay, evtchn_port_t *cons_local, const char *cmdline)
{
    struct xen_domctl d = dc(XEN_DOMCTL_createdomain, 0);
    struct xen_memory_reservation r = { .nr_extents = DOMU_PAGES, .extent_order = 0 };
    struct evtchn_alloc_unbound au;
    struct evtchn_bind_interdomain bi;
    static struct vcpu_guest_context ctx;
    static start_info_t si;
    struct mmuext_op pin;
    long rc;

    d.u.createdomain = (struct xen_domctl_createdomain){ .max_vcpus = 1, .max_evtchn_port = 1023,
                                                         .max_grant_frames = -1, .max_maptrack_frames = -1,
                                                         .grant_opts = XEN_DOMCTL_GRANT_version(1) };
    if ( !check_rc("XEN_DOMCTL_createdomain", domctl(&d), 0) )
        return false;
    domid = d.domain;
    printf("builder: created domain %u\n", domid);
    check(domid != 0 && domid < DOMID_FIRST_RESERVED, "domain id %u", domid);
    d = dc(XEN_DOMCTL_getdomaininfo, domid);
    if ( check_rc("getdomaininfo of the new domain", domctl(&d), 0) )
    {
        check(d.u.getdomaininfo.flags & XEN_DOMINF_paused, "a new domain is not paused (flags %#x)",
              d.u.getdomaininfo.flags);
        check_eq("a new domain's pages", d.u.getdomaininfo.tot_pages, 0);
        /* Xen 4.17: the vCPUs exist only after XEN_DOMCTL_max_vcpus. */
        check_eq("a new domain's max_vcpu_id", d.u.getdomaininfo.max_vcpu_id, XEN_INVALID_MAX_VCPU_ID);
    }
    d = dc(XEN_DOMCTL_max_vcpus, domid);
    d.u.max_vcpus.max = 2;
    check_rc("XEN_DOMCTL_max_vcpus with another count than createdomain's", domctl(&d), -EINVAL);
    d = dc(XEN_DOMCTL_max_vcpus, domid);
    d.u.max_vcpus.max = 1;
    if ( !check_rc("XEN_DOMCTL_max_vcpus", domctl(&d), 0) )
        return false;
    d = dc(XEN_DOMCTL_getdomaininfo, domid);
    if ( check_rc("getdomaininfo", domctl(&d), 0) )
        check_eq("max_vcpu_id after max_vcpus", d.u.getdomaininfo.max_vcpu_id, 0);
    d = dc(XEN_DOMCTL_max_mem, domid);
    d.u.max_mem.max_memkb = DOMU_PAGES * 4;
    if ( !check_rc("XEN_DOMCTL_max_mem", domctl(&d), 0) )
        return false;
    for ( unsigned long i = 0; i < DOMU_PAGES; i++ )
        p2m[i] = i;
    r.domid = domid;
    set_xen_guest_handle(r.extent_start, p2m);
    rc = hypercall_memory_op(XENMEM_populate_physmap, &r);
    if ( !check_rc("XENMEM_populate_physmap of the domain's 4096 pages", rc, (long)DOMU_PAGES) )
        return false;

    if ( (!window_ready && !(window_ready = gnt_window_init())) || !load_kernel(dom0_si, lay) )
        return false;
    lay->p2m_pfn = lay->kpages;
    lay->si_pfn = lay->p2m_pfn + DOMU_PAGES * 8 / 4096;
    lay->cons_pfn = lay->si_pfn + 1;
    lay->pt_pfn = lay->cons_pfn + 1;
    build_page_tables(lay);
    lay->stack_pfn = lay->pt_pfn + lay->nr_pt;
    put_domu(lay->p2m_pfn << 12, p2m, DOMU_PAGES * 8);
    put_domu(lay->cons_pfn << 12, NULL, 4096);
    put_domu(lay->stack_pfn << 12, NULL, 4096);

    au = (struct evtchn_alloc_unbound){ .dom = domid, .remote_dom = 0 };
    if ( !check_rc("EVTCHNOP_alloc_unbound in the domain for dom0", hypercall_event_channel_op(EVTCHNOP_alloc_unbound,
                                                                                             &au), 0) )
        return false;
    bi = (struct evtchn_bind_interdomain){ .remote_dom = domid, .remote_port = au.port };
    if ( !check_rc("bind dom0 to the console port", hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &bi), 0) )
        return false;
    *cons_local = bi.local_port;

    d = dc(XEN_DOMCTL_getdomaininfo, domid);
    if ( !check_rc("getdomaininfo", domctl(&d), 0) )
        return false;
    memset(&si, 0, sizeof(si));
    memcpy(si.magic, "xen-3.0-x86_64", sizeof("xen-3.0-x86_64"));
    si.nr_pages = DOMU_PAGES;
    si.shared_info = d.u.getdomaininfo.shared_info_frame << 12;
    si.pt_base = lay->pt_pfn << 12;
    si.nr_pt_frames = lay->nr_pt;
    si.mfn_list = lay->p2m_pfn << 12;
    si.console.domU.mfn = p2m[lay->cons_pfn];
    si.console.domU.evtchn = au.port;
    strlcpy_guest((char *)si.cmd_line, cmdline, sizeof(si.cmd_line));
    put_domu(lay->si_pfn << 12, &si, sizeof(si));

    pin = (struct mmuext_op){ .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = p2m[lay->pt_pfn] };
    if ( !check_rc("MMUEXT_PIN_L4_TABLE of the domain's L4", hypercall_mmuext_op(&pin, 1, NULL, domid), 0) )
        return false;

    /* The hypercall page goes only into a frame of the domain that may be writable. */
    d = dc(XEN_DOMCTL_hypercall_init, domid);
    d.u.hypercall_init.gmfn = p2m[lay->pt_pfn];
    check_rc("XEN_DOMCTL_hypercall_init into its pinned L4", domctl(&d), -EPERM);
    d = dc(XEN_DOMCTL_hypercall_init, domid);
    d.u.hypercall_init.gmfn = virt_to_mfn(p2m);
    check_rc("XEN_DOMCTL_hypercall_init into a frame of dom0", domctl(&d), -EINVAL);
    d = dc(XEN_DOMCTL_hypercall_init, domid);
    d.u.hypercall_init.gmfn = p2m[lay->stack_pfn];
    check_rc("XEN_DOMCTL_hypercall_init into its stack page", domctl(&d), 0);
    put_domu(lay->stack_pfn << 12, NULL, 4096);     /* the stack again, as it was */

    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel | VGCF_online;
    ctx.user_regs.rip = lay->entry;
    ctx.user_regs.rsp = (lay->stack_pfn + 1) << 12;
    ctx.user_regs.rsi = lay->si_pfn << 12;
    ctx.user_regs.cs = FLAT_KERNEL_CS;
    ctx.user_regs.ss = FLAT_KERNEL_SS;
    ctx.user_regs.ds = ctx.user_regs.es = FLAT_KERNEL_DS;
    ctx.user_regs.rflags = 1u << 9;
    ctx.kernel_ss = FLAT_KERNEL_SS;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = p2m[lay->pt_pfn] << 12;
    d = dc(XEN_DOMCTL_setvcpucontext, domid);
    d.u.vcpucontext.vcpu = 0;
    set_xen_guest_handle(d.u.vcpucontext.ctxt, &ctx);
    if ( !check_rc("XEN_DOMCTL_setvcpucontext of vCPU 0", domctl(&d), 0) )
        return false;
    printf("builder: %lu kernel pages, p2m at pfn %#lx, start_info %#lx, console %#lx, %lu page tables at %#lx, "
           "stack %#lx, entry %#lx; console port %u (dom0: %u)\n", lay->kpages, lay->p2m_pfn, lay->si_pfn,
           lay->cons_pfn, lay->nr_pt, lay->pt_pfn, lay->stack_pfn, (unsigned long)lay->entry, au.port, *cons_local);
    return true;
}

static char line[256];
static unsigned int line_len;
static bool guest_success;

/* Copy what the guest wrote to its console ring to ours, a line at a time. */
static void drain_console(const struct layout *lay, evtchn_port_t port)
{
    struct xencons_interface *c = map_domu(lay->cons_pfn, true);
    XENCONS_RING_IDX cons = c->out_cons, prod = __atomic_load_n(&c->out_prod, __ATOMIC_ACQUIRE);

    while ( cons != prod )
    {
        char ch = c->out[MASK_XENCONS_IDX(cons++, c->out)];

        if ( ch == '\n' || line_len == sizeof(line) - 1 )
        {
            line[line_len] = '\0';
            /* Its result line is shown as "(guest) result: ...": the runner takes one "Test result:". */
            if ( !strncmp(line, "Test result: ", 13) )
            {
                guest_success = !strncmp(line + 13, "SUCCESS", 7);
                printf("(guest) result: %s\n", line + 13);
            }
            else
                printf("(guest) %s\n", line);
            line_len = 0;
        }
        else if ( ch != '\r' )
            line[line_len++] = ch;
    }
    __atomic_store_n(&c->out_cons, cons, __ATOMIC_RELEASE);
    map_domu(0, false);
    hypercall_event_channel_op(EVTCHNOP_send, &(struct evtchn_send){ .port = port });
}

static bool port_test_and_clear(evtchn_port_t p)
{
    unsigned long bit = 1ul << (p % 64);

    return __atomic_fetch_and(&shared_info->evtchn_pending[p / 64], ~bit, __ATOMIC_SEQ_CST) & bit;
}

/* Serve the domain's console until want() holds or 60 s pass; the last getdomaininfo in *d. */
static bool serve_until(const struct layout *lay, evtchn_port_t cons, evtchn_port_t virq, bool until_shutdown,
                        struct xen_domctl *d)
{
    uint64_t end = guest_system_time() + 60000 * MS;

    while ( guest_system_time() < end )
    {
        evtchn_port_t ports[2] = { cons, virq };
        struct sched_poll poll = { .nr_ports = 2, .timeout = guest_system_time() + 100 * MS };

        set_xen_guest_handle(poll.ports, ports);
        if ( !port_test_and_clear(cons) && !port_test_and_clear(virq) )
            hypercall_sched_op(SCHEDOP_poll, &poll);
        port_test_and_clear(cons);
        port_test_and_clear(virq);
        drain_console(lay, cons);
        *d = dc(XEN_DOMCTL_getdomaininfo, domid);
        if ( until_shutdown )
        {
            if ( domctl(d) == 0 && d->domain == domid && (d->u.getdomaininfo.flags & XEN_DOMINF_shutdown) )
            {
                drain_console(lay, cons);
                return true;
            }
        }
        else if ( guest_success )
            return true;
    }
    return false;
}

/* Destroy the domain and wait until it is gone; its pages must come back (within 64). */
static void destroy_and_count(evtchn_port_t virq, uint64_t before, const char *what)
{
    struct xen_domctl d = dc(XEN_DOMCTL_destroydomain, domid);
    uint64_t end, after;

    if ( !check_rc(what, domctl(&d), 0) )
        return;
    /* Gone: getdomaininfo names no later domain either. */
    end = guest_system_time() + 10000 * MS;
    do {
        d = dc(XEN_DOMCTL_getdomaininfo, domid);
        if ( domctl(&d) != 0 || d.domain != domid )
            break;
        domu_wait_port(virq, 50 * MS);
    } while ( guest_system_time() < end );
    check(domctl(&d) == -ESRCH, "domain %u still exists 10 s after destroydomain", domid);
    after = free_pages();
    printf("builder: free pages %lu before the build, %lu after the destruction\n", (unsigned long)before,
           (unsigned long)after);
    check(after + 64 >= before, "%ld pages did not come back", (long)(before - after));
}

static void as_builder(start_info_t *si)
{
    struct evtchn_bind_virq virq = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    struct xen_domctl_getvcpuinfo a, b;
    struct layout lay;
    evtchn_port_t cons;
    struct xen_domctl d;
    uint64_t before = free_pages();

    if ( !check_rc("bind VIRQ_DOM_EXC", hypercall_event_channel_op(EVTCHNOP_bind_virq, &virq), 0) )
        return;

    /* 1. A guest that runs its checks and powers off. */
    if ( !build(si, &lay, &cons, DOMU_CMDLINE) )
        return;
    d = dc(XEN_DOMCTL_unpausedomain, domid);
    if ( !check_rc("XEN_DOMCTL_unpausedomain", domctl(&d), 0) )
        return;
    if ( !check(serve_until(&lay, cons, virq.port, true, &d), "the guest did not shut down within 60 s") )
        return;
    check_eq("its shutdown code", (d.u.getdomaininfo.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask,
             SHUTDOWN_poweroff);
    check(guest_success, "the guest did not print \"Test result: SUCCESS\" on its console");
    destroy_and_count(virq.port, before, "XEN_DOMCTL_destroydomain of the shut-down guest");
    hypercall_event_channel_op(EVTCHNOP_close, &(struct evtchn_close){ .port = cons });

    /* 2. A guest that keeps running: paused, unpaused, and destroyed while it runs. */
    guest_success = false;
    before = free_pages();
    if ( !build(si, &lay, &cons, DOMU_CMDLINE " spin") )
        return;
    d = dc(XEN_DOMCTL_unpausedomain, domid);
    if ( !check_rc("XEN_DOMCTL_unpausedomain (spinning guest)", domctl(&d), 0) ||
         !check(serve_until(&lay, cons, virq.port, false, &d), "the spinning guest printed no result in 60 s") )
        return;
    d = dc(XEN_DOMCTL_pausedomain, domid);
    check_rc("pause the spinning guest", domctl(&d), 0);
    d = dc(XEN_DOMCTL_getvcpuinfo, domid);
    d.u.getvcpuinfo.vcpu = 0;
    if ( check_rc("getvcpuinfo", domctl(&d), 0) )
    {
        a = d.u.getvcpuinfo;
        for ( uint64_t end = guest_system_time() + 50 * MS; guest_system_time() < end; )
            ;
        d = dc(XEN_DOMCTL_getvcpuinfo, domid);
        d.u.getvcpuinfo.vcpu = 0;
        if ( check_rc("getvcpuinfo", domctl(&d), 0) )
        {
            b = d.u.getvcpuinfo;
            check_eq("a paused guest's CPU time stands still", b.cpu_time, a.cpu_time);
            check_eq("a paused guest's vCPU is not running", b.running, 0);
        }
    }
    d = dc(XEN_DOMCTL_unpausedomain, domid);
    check_rc("unpause it", domctl(&d), 0);
    d = dc(XEN_DOMCTL_getdomaininfo, domid);
    if ( check_rc("getdomaininfo", domctl(&d), 0) )
        check_eq("running, not shut down", d.u.getdomaininfo.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_paused), 0);
    destroy_and_count(virq.port, before, "XEN_DOMCTL_destroydomain of the running guest");
}

static void as_guest(start_info_t *si)
{
    char val[16];

    check_eq("nr_pages", si->nr_pages, DOMU_PAGES);
    check_eq("flags (an unprivileged domain)", si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN), 0);
    check(!strncmp((const char *)si->cmd_line, DOMU_CMDLINE, strlen(DOMU_CMDLINE)), "cmd_line \"%s\"",
          (const char *)si->cmd_line);
    check(guest_cmdline_option("role", val, sizeof(val)) && !strcmp(val, "guest"), "no role=guest");
    check(si->console.domU.mfn != 0 && si->console.domU.evtchn != 0, "no console ring");
    check_eq("pfn_to_mfn(mfn_to_pfn(console))", pfn_to_mfn(mfn_to_pfn(si->console.domU.mfn)),
             si->console.domU.mfn);
    printf("guest: %lu pages, console mfn %#lx port %u, xen_version %#lx\n", si->nr_pages,
           (unsigned long)si->console.domU.mfn, si->console.domU.evtchn,
           (unsigned long)hypercall_xen_version(XENVER_version, NULL));
    if ( guest_cmdline_option("spin", NULL, 0) )
    {
        test_print_result();                /* then run until dom0 destroys this domain */
        for ( ;; )
            asm volatile ( "pause" );
    }
}

void test_main(start_info_t *si)
{
    if ( guest_is_dom0() )
        as_builder(si);
    else
        as_guest(si);
}
