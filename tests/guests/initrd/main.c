/*
 * initrd - the second multiboot module reaches dom0 as its initrd. Without a MOD_START_PFN note
 * (`initrd`) it is mapped in the bootstrap region right after the kernel and start_info.mod_start is
 * its virtual address; with the note (`initrd-pfn`) Xen leaves it unmapped, sets SIF_MOD_START_PFN
 * and mod_start is its first pseudo-physical frame. mod_len is the exact module size either way.
 * The module (guests.mk) is INITRD_SIZE bytes of 32-byte lines "PARVA-INITRD <offset %018x>\n".
 */
#include "guest.h"

const char test_title[] = "initrd passed via mod_start/mod_len";

#define INITRD_SIZE 100000ul

/* Checks bytes [off, off + len) of the module, which are at p. Returns false after reporting. */
static bool check_content(const char *p, unsigned long off, unsigned long len)
{
    char line[33];

    for ( unsigned long o = off; o < off + len; o += 32 )
    {
        unsigned long n = off + len - o < 32 ? off + len - o : 32;

        snprintf(line, sizeof(line), "PARVA-INITRD %018lx\n", o);
        if ( memcmp(p + (o - off), line, n) )
        {
            report_fail("initrd content differs at offset %#lx: \"%.31s\"", o, p + (o - off));
            return false;
        }
    }
    return true;
}

void test_main(start_info_t *si)
{
    unsigned long pages = PAGE_ALIGN(INITRD_SIZE) >> 12;

    printf("flags %#x mod_start %#lx mod_len %#lx\n", si->flags, si->mod_start, si->mod_len);
    check_eq("start_info.mod_len", si->mod_len, INITRD_SIZE);

#ifdef GUEST_MOD_START_PFN
    check(si->flags & SIF_MOD_START_PFN, "SIF_MOD_START_PFN is not set in flags %#x", si->flags);
    check(si->mod_start >= (region_end - virt_base) >> 12,
          "mod_start pfn %#lx is inside the bootstrap region (it should be left unmapped)", si->mod_start);
    check(si->mod_start + pages <= si->nr_pages, "initrd pfns %#lx+%lu beyond nr_pages %lu", si->mod_start,
          pages, si->nr_pages);
    for ( unsigned long i = 0; i < pages && !report_failed(); i++ )
    {
        unsigned long mfn = pfn_to_mfn(si->mod_start + i);
        const char *p = map_frame(MM_PT_WINDOWS, mfn, PTE_RO_FLAGS);

        if ( !p )
        {
            report_fail("cannot map initrd pfn %#lx (mfn %#lx)", si->mod_start + i, mfn);
            break;
        }
        check_eq("M2P of an initrd frame", M2P[mfn], si->mod_start + i);
        check_content(p, i * PAGE_SIZE, i + 1 < pages ? PAGE_SIZE : INITRD_SIZE - i * PAGE_SIZE);
    }
#else
    check(!(si->flags & SIF_MOD_START_PFN), "SIF_MOD_START_PFN is set in flags %#x", si->flags);
    check_eq("start_info.mod_start (right after the kernel)", si->mod_start, PAGE_ALIGN((unsigned long)_end));
    check(si->mod_start + pages * PAGE_SIZE <= si->mfn_list, "the initrd overlaps the p2m list at %#lx",
          si->mfn_list);
    if ( !report_failed() )
        check_content((const char *)si->mod_start, 0, INITRD_SIZE);
    /* It is ordinary writable memory of the domain. */
    check(pte_get(si->mod_start) & _PAGE_RW, "the initrd is not mapped writable");
#endif
}
