/*
 * memory-op - the informational XENMEM sub-ops as dom0 sees them: machphys_mapping (the M2P window
 * 0xffff800000000000-0xffff804000000000, max_mfn = maximum_ram_page - 1 for dom0), maximum_ram_page,
 * current/maximum_reservation of DOMID_SELF (nr_pages; max = nr_pages when dom0_mem has max:), the
 * pseudo-physical memory_map (Xen builds none for a PV dom0: -ENOSYS), machine_memory_map (the host
 * E820, which the QEMU machine's RAM must appear in; -EINVAL if the buffer is too small), an unknown
 * sub-op, a bad domain and a bad pointer.
 */
#include "guest.h"

const char test_title[] = "memory_op information";

struct e820entry
{
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));

void test_main(start_info_t *si)
{
    static struct e820entry map[128];
    struct xen_machphys_mapping mm;
    struct xen_memory_map mmap;
    domid_t self = DOMID_SELF, other = 7;
    unsigned long long ram = 0;
    long rc, max_page, cur, max;
    char val[64];

    max_page = hypercall_memory_op(XENMEM_maximum_ram_page, NULL);
    printf("maximum_ram_page %#lx\n", max_page);
    check(max_page > 0 && (unsigned long)max_page > pfn_to_mfn(0), "maximum_ram_page %#lx", max_page);

    if ( check_rc("XENMEM_machphys_mapping", hypercall_memory_op(XENMEM_machphys_mapping, &mm), 0) )
    {
        check_eq("machphys v_start", mm.v_start, MACH2PHYS_VIRT_START);
        check_eq("machphys v_end", mm.v_end, MACH2PHYS_VIRT_END);
        check_eq("machphys max_mfn (dom0: maximum_ram_page - 1)", mm.max_mfn, max_page - 1);
    }

    cur = hypercall_memory_op(XENMEM_current_reservation, &self);
    max = hypercall_memory_op(XENMEM_maximum_reservation, &self);
    printf("current_reservation %ld, maximum_reservation %ld\n", cur, max);
    check_eq("current_reservation = nr_pages", cur, si->nr_pages);
    check(max >= cur, "maximum_reservation %ld below current %ld", max, cur);
    if ( hv_cmdline_option("dom0_mem", val, sizeof(val)) && strstr(val, "max:") )
        check_eq("maximum_reservation with dom0_mem=...,max:", max,
                 parse_size(strstr(val, "max:") + 4, NULL) >> 12);
    check_rc("current_reservation of domain 7", hypercall_memory_op(XENMEM_current_reservation, &other),
             -ESRCH);

    mmap.nr_entries = ARRAY_SIZE(map);
    set_xen_guest_handle(mmap.buffer, map);
    rc = hypercall_memory_op(XENMEM_memory_map, &mmap);
    check_rc("XENMEM_memory_map (none for a PV dom0)", rc, -ENOSYS);

    mmap.nr_entries = ARRAY_SIZE(map);
    set_xen_guest_handle(mmap.buffer, map);
    rc = hypercall_memory_op(XENMEM_machine_memory_map, &mmap);
    if ( check_rc("XENMEM_machine_memory_map", rc, 0) )
    {
        check(mmap.nr_entries > 0 && mmap.nr_entries <= ARRAY_SIZE(map), "%u entries", mmap.nr_entries);
        for ( unsigned int i = 0; i < mmap.nr_entries && i < ARRAY_SIZE(map); i++ )
        {
            printf("  e820 %#llx-%#llx type %u\n", (unsigned long long)map[i].addr,
                   (unsigned long long)(map[i].addr + map[i].size), map[i].type);
            if ( map[i].type == 1 )
                ram += map[i].size;
            if ( i && map[i].addr < map[i - 1].addr + map[i - 1].size )
                report_fail("e820 entry %u overlaps or is out of order", i);
        }
        /* QEMU -m 512: at least 500 MiB of RAM, at most 512 MiB. */
        check(ram >= (500ull << 20) && ram <= (512ull << 20), "the machine map has %#llx bytes of RAM", ram);
    }

    mmap.nr_entries = 1;
    set_xen_guest_handle(mmap.buffer, map);
    rc = hypercall_memory_op(XENMEM_machine_memory_map, &mmap);
    check_rc("machine_memory_map with room for 1 entry", rc, -EINVAL);

    check_rc("memory_op 999", hypercall_memory_op(999, NULL), -ENOSYS);
    check_rc("current_reservation from a bad pointer",
             hypercall_memory_op(XENMEM_current_reservation, (void *)0x0000100000000000ul), -EFAULT);
}
