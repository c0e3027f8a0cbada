/*
 * iomem.c - device memory the hypervisor keeps for itself.
 *
 * Dom0 may map device memory (it runs the drivers), with the exceptions Xen
 * makes in dom0_setup_permissions():
 *  - the local APIC and the I/O APICs: the hypervisor's interrupt hardware,
 *    registered here by their drivers at boot (Xen gives dom0 an I/O APIC
 *    only read-only, and only when it needs one; Parva never does);
 *  - the MSI address window (0xfee00000-0xfeefffff): a write there is an
 *    interrupt message;
 *  - the HyperTransport window (0xfd00000000-0xffffffffff) on AMD CPUs;
 *  - E820 "unusable" ranges above 1 MiB.
 * The HPET, whose counter the hypervisor uses, may be mapped read-only
 * only: a writable mapping is made read-only, as Xen does for its
 * mmio_ro_ranges.
 *
 * Locking: the table is written only during boot, before any guest exists.
 */
#include <parva/lib.h>
#include <parva/memmap.h>
#include <parva/printk.h>
#include <asm/cpufeature.h>
#include <asm/iomem.h>
#include <asm/m2p.h>
#include <asm/mm.h>

#define MAX_RANGES      16
#define MSI_FIRST_MFN   (0xfee00000UL >> PAGE_SHIFT)
#define MSI_LAST_MFN    (0xfeefffffUL >> PAGE_SHIFT)
#define HT_FIRST_MFN    (0xfd00000000UL >> PAGE_SHIFT)
#define HT_LAST_MFN     (0xffffffffffUL >> PAGE_SHIFT)

static struct iomem_range {
    unsigned long first, last;      /* frames, inclusive */
    bool read_only;                 /* guests may map it read-only; otherwise not at all */
} ranges[MAX_RANGES];
static unsigned int nr_ranges;

static void add(paddr_t pa, size_t len, bool read_only)
{
    if ( !len )
        return;
    if ( nr_ranges == MAX_RANGES )
        panic("too many hypervisor MMIO ranges (%u)\n", MAX_RANGES);
    ranges[nr_ranges].first = pa >> PAGE_SHIFT;
    ranges[nr_ranges].last = (pa + len - 1) >> PAGE_SHIFT;
    ranges[nr_ranges].read_only = read_only;
    nr_ranges++;
}

void __init iomem_reserve(paddr_t pa, size_t len)
{
    add(pa, len, false);
}

void __init iomem_reserve_read_only(paddr_t pa, size_t len)
{
    add(pa, len, true);
}

static bool cpu_is_amd(void)
{
    return !strcmp(cpu_features.vendor, "AuthenticAMD") || !strcmp(cpu_features.vendor, "HygonGenuine");
}

static const struct iomem_range *find(unsigned long mfn)
{
    unsigned int i;

    for ( i = 0; i < nr_ranges; i++ )
        if ( mfn >= ranges[i].first && mfn <= ranges[i].last )
            return &ranges[i];
    return NULL;
}

bool iomem_guest_may_map(unsigned long mfn)
{
    const struct iomem_range *r = find(mfn);
    const struct memmap_entry *map;
    unsigned int nr;

    if ( r && !r->read_only )
        return false;
    if ( mfn >= MSI_FIRST_MFN && mfn <= MSI_LAST_MFN )
        return false;
    if ( cpu_is_amd() && mfn >= HT_FIRST_MFN && mfn <= HT_LAST_MFN )
        return false;
    map = machine_memmap(&nr);
    if ( mfn >= 0x100 && memmap_is_type(map, nr, pfn_to_paddr(mfn), PAGE_SIZE, E820_UNUSABLE) )
        return false;
    return true;
}

bool iomem_guest_read_only(unsigned long mfn)
{
    const struct iomem_range *r = find(mfn);

    return r && r->read_only;
}
