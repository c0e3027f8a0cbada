/*
 * layout - the start-of-day state of a PV dom0 as the guest sees it (xen.h "Start-of-day memory
 * layout"): start_info fields, the 1:1 bootstrap mapping and its page tables, the p2m list and the
 * read-only M2P, the registers at entry, masked upcalls, and the command line. Built twice: `layout`
 * (linked at 0, p2m inside the region) and `layout-linux` (VIRT_BASE 0xffffffff80000000, ENTRY note,
 * p2m at INIT_P2M 0x8000000000, PAE_MODE note).
 */
#include "guest.h"

const char test_title[] = "start-of-day layout";

#define MB (1ul << 20)

#ifdef GUEST_SHAPE_LINUX
/* Xen appends "p" when the kernel has a PAE_MODE note, even for a 64-bit kernel (Linux has one). */
#define EXPECTED_MAGIC      "xen-3.0-x86_64p"
#define EXPECTED_CMDLINE    "layout-linux console=hvc0 root=/dev/xvda1 ro last"
#else
#define EXPECTED_MAGIC      "xen-3.0-x86_64"
#define EXPECTED_CMDLINE    "layout console=hvc0 x=1,2,3 last"
#endif

static unsigned long pt_first_pfn, pt_end;

static void check_start_info(const start_info_t *si)
{
    char val[64];

    check(!memcmp(si->magic, EXPECTED_MAGIC, sizeof(EXPECTED_MAGIC)),
          "start_info.magic is \"%.32s\", expected \"%s\"", si->magic, EXPECTED_MAGIC);
    check_eq("start_info.flags without the SIF_PM bits", si->flags & ~SIF_PM_MASK,
             SIF_PRIVILEGED | SIF_INITDOMAIN);
    printf("start_info: nr_pages %lu shared_info %#lx flags %#x pt_base %#lx nr_pt_frames %lu "
           "mfn_list %#lx first_p2m_pfn %#lx nr_p2m_frames %lu\n", si->nr_pages, si->shared_info,
           si->flags, si->pt_base, si->nr_pt_frames, si->mfn_list, si->first_p2m_pfn, si->nr_p2m_frames);

    /* dom0: no xenstore, no console ring; no initrd was given. */
    check_eq("start_info.store_mfn", si->store_mfn, 0);
    check_eq("start_info.store_evtchn", si->store_evtchn, 0);
    check_eq("start_info.mod_start", si->mod_start, 0);
    check_eq("start_info.mod_len", si->mod_len, 0);

    if ( hv_cmdline_option("dom0_mem", val, sizeof(val)) && strncmp(val, "min:", 4) &&
         strncmp(val, "max:", 4) )
    {
        unsigned long long bytes = parse_size(val, NULL);

        check_eq("start_info.nr_pages (from dom0_mem)", si->nr_pages, bytes >> 12);
    }
    else
        report_fail("no dom0_mem=SIZE on the hypervisor command line (XENVER_commandline)");

    check(!(si->shared_info & (PAGE_SIZE - 1)), "start_info.shared_info %#lx is not page aligned",
          si->shared_info);
    check(mfn_to_pfn(si->shared_info >> 12) >= si->nr_pages,
          "M2P of the shared_info frame is %#lx, a pfn of this domain", mfn_to_pfn(si->shared_info >> 12));
    check(!memcmp((const char *)si->cmd_line, EXPECTED_CMDLINE, sizeof(EXPECTED_CMDLINE)),
          "start_info.cmd_line is \"%s\", expected \"%s\"", (const char *)si->cmd_line, EXPECTED_CMDLINE);
}

static void check_region(const start_info_t *si)
{
    unsigned long stack_end = pt_end + PAGE_SIZE, va, bad = 0;
    unsigned long l4 = cur_l4_mfn();

    printf("region %#lx-%#lx, kernel %#lx-%#lx, page tables %#lx-%#lx\n", virt_base, region_end,
           (unsigned long)_text, (unsigned long)_end, si->pt_base, pt_end);

    check_eq("kernel start (pfn 0 of the region)", (unsigned long)_text, virt_base);
    check(!((region_end - virt_base) & (4 * MB - 1)), "the region %#lx-%#lx does not end on a 4 MiB boundary",
          virt_base, region_end);
    check(region_end >= stack_end + 512 * 1024,
          "only %#lx bytes are mapped after the boot stack (%#lx), at least 512 KiB expected",
          region_end - stack_end, stack_end);
    check(region_end - stack_end < 512 * 1024 + 4 * MB, "%#lx bytes of padding: more than the 4 MiB rule",
          region_end - stack_end);
    check(!(si->pt_base & (PAGE_SIZE - 1)), "pt_base %#lx is not page aligned", si->pt_base);
    check(si->pt_base >= (unsigned long)si + PAGE_SIZE, "the page tables (%#lx) overlap start_info (%p)",
          si->pt_base, si);
    check(si->pt_base >= (unsigned long)_end, "the page tables (%#lx) overlap the kernel", si->pt_base);
    check(si->nr_pt_frames >= 4, "nr_pt_frames %lu: fewer than one table per level", si->nr_pt_frames);
    check_eq("the L4 (cr3) is the first page-table frame", l4, virt_to_mfn((void *)si->pt_base));
    check_eq("boot rsp (top of the page after the page tables)", boot_regs.rsp, stack_end);

    /*
     * Every region page maps pfn (va - virt_base) / 4096 through the p2m; page-table frames are
     * read-only, everything else read-write.
     */
    for ( va = virt_base; va < region_end; va += PAGE_SIZE )
    {
        uint64_t pte = pte_get(va);
        unsigned long pfn = virt_to_pfn((void *)va);
        bool is_pt = pfn >= pt_first_pfn && pfn < pt_first_pfn + si->nr_pt_frames;

        /* The scratch windows at the end are remapped by the framework. */
        if ( va >= scratch_va(0) )
            break;
        if ( !(pte & _PAGE_PRESENT) || PTE_MFN(pte) != pfn_to_mfn(pfn) ||
             !!(pte & _PAGE_RW) == is_pt )
        {
            if ( va == (unsigned long)shared_info )
                continue;
            if ( bad++ < 5 )
                report_fail("region va %#lx: pte %#llx, expected mfn %#lx %s", va, (unsigned long long)pte,
                            pfn_to_mfn(pfn), is_pt ? "read-only" : "read-write");
        }
    }
    /* The page right after the region is not mapped. */
    check(!(pte_get(region_end) & _PAGE_PRESENT), "va %#lx after the region is mapped", region_end);
}

static void check_p2m_m2p(const start_info_t *si)
{
    unsigned long pfn, bad = 0;
    xen_machphys_mapping_t mm;
    uint64_t v;

#ifdef GUEST_SHAPE_LINUX
    check_eq("mfn_list (INIT_P2M)", si->mfn_list, 0x8000000000ul);
#else
    check(si->mfn_list >= (unsigned long)_end && si->mfn_list + si->nr_pages * 8 <= si->pt_base,
          "mfn_list %#lx-%#lx is not between the kernel and the page tables", si->mfn_list,
          si->mfn_list + si->nr_pages * 8);
    check_eq("mfn_list follows the kernel", si->mfn_list, PAGE_ALIGN((unsigned long)_end));
    check_eq("nr_p2m_frames (no INIT_P2M)", si->nr_p2m_frames, 0);
#endif

    if ( !check_eq("XENMEM_machphys_mapping", hypercall_memory_op(XENMEM_machphys_mapping, &mm), 0) )
        return;
    check_eq("machphys_mapping v_start", mm.v_start, MACH2PHYS_VIRT_START);

    for ( pfn = 0; pfn < si->nr_pages; pfn++ )
    {
        unsigned long mfn = pfn_to_mfn(pfn);

        if ( mfn > mm.max_mfn || M2P[mfn] != pfn )
        {
            if ( bad++ < 5 )
                report_fail("pfn %#lx: p2m gives mfn %#lx, M2P of that is %#lx", pfn, mfn,
                            mfn <= mm.max_mfn ? M2P[mfn] : ~0ul);
        }
    }

    /* The M2P window is readable but not writable: a write is a #PF with P and W set (kernel mode). */
    check(read64_safe(&M2P[pfn_to_mfn(0)], &v) && v == 0, "reading M2P[p2m[0]] failed or is not 0");
    ex_reset();
    if ( write64_safe((void *)&M2P[pfn_to_mfn(0)], 0) )
        report_fail("writing to the M2P window at %p did not fault", &M2P[pfn_to_mfn(0)]);
    else
    {
        check_eq("M2P write: vector", ex_last.vector, 14);
        check_eq("M2P write: error code", ex_last.error_code, 3);
        check_eq("M2P write: cr2", ex_last.cr2, (unsigned long)&M2P[pfn_to_mfn(0)]);
    }

#ifdef GUEST_SHAPE_LINUX
    {
        /* The p2m at INIT_P2M and its page tables use frames first_p2m_pfn ... + nr_p2m_frames. */
        unsigned long first = si->first_p2m_pfn, n = si->nr_p2m_frames, pages, va, l4 = cur_l4_mfn();
        uint64_t e;

        pages = PAGE_ALIGN(si->nr_pages * 8) >> 12;
        check(n >= pages + 3, "nr_p2m_frames %lu: fewer than the %lu p2m pages plus L3, L2 and L1", n, pages);
        check_eq("first_p2m_pfn (right after the bootstrap region)", first, (region_end - virt_base) >> 12);
        for ( va = si->mfn_list; va < si->mfn_list + pages * PAGE_SIZE; va += PAGE_SIZE )
        {
            unsigned long pfn;

            if ( !pt_lookup(l4, va, 1, &e, NULL) || !(e & _PAGE_PRESENT) )
            {
                report_fail("p2m va %#lx is not mapped with 4k pages", va);
                break;
            }
            pfn = mfn_to_pfn(PTE_MFN(e));
            if ( pfn < first || pfn >= first + n )
            {
                report_fail("p2m va %#lx maps pfn %#lx, outside first_p2m_pfn..+nr_p2m_frames", va, pfn);
                break;
            }
        }
        for ( unsigned int level = 3; level >= 2; level-- )
        {
            unsigned long pfn;

            if ( !pt_lookup(l4, si->mfn_list, level + 1, &e, NULL) )
                break;
            pfn = mfn_to_pfn(PTE_MFN(e));
            check(pfn >= first && pfn < first + n, "the L%u of the p2m mapping is pfn %#lx, outside "
                  "first_p2m_pfn..+nr_p2m_frames", level, pfn);
        }
    }
#endif
}

static void check_entry_state(const start_info_t *si)
{
    static const char *const names[] = {
        "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13",
        "r14", "r15",
    };
    const uint64_t *r = &boot_regs.rax;

    for ( unsigned int i = 0; i < ARRAY_SIZE(names); i++ )
    {
        if ( i == 4 )
            check_eq("entry rsi (start_info)", r[i], (unsigned long)si);
        else if ( i != 7 && r[i] )
            report_fail("entry %s = %#lx, expected 0", names[i], r[i]);
    }
    check_eq("entry rflags", boot_regs.rflags, X86_EFLAGS_IF | X86_EFLAGS_MBS);
    check_eq("entry cs", boot_regs.cs, FLAT_KERNEL_CS);
    check_eq("entry ss", boot_regs.ss, FLAT_KERNEL_SS);
    check_eq("entry ds", boot_regs.ds, FLAT_KERNEL_DS);
    check_eq("entry es", boot_regs.es, FLAT_KERNEL_DS);
    check_eq("entry fs", boot_regs.fs, FLAT_KERNEL_DS);
    check_eq("entry gs", boot_regs.gs, FLAT_KERNEL_DS);

    for ( unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++ )
        check(shared_info->vcpu_info[i].evtchn_upcall_mask == 1, "vcpu_info[%u].evtchn_upcall_mask is %u",
              i, shared_info->vcpu_info[i].evtchn_upcall_mask);
}

void test_main(start_info_t *si)
{
    pt_first_pfn = virt_to_pfn((void *)si->pt_base);
    pt_end = si->pt_base + si->nr_pt_frames * PAGE_SIZE;

    check_start_info(si);
    check_entry_state(si);
    check_region(si);
    check_p2m_m2p(si);
}
