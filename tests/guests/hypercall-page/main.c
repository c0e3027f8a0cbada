/*
 * hypercall-page - a kernel with a HYPERCALL_PAGE note gets the page filled with 32-byte stubs:
 * stub i is "push %rcx; push %r11; mov $i, %eax; syscall; pop %r11; pop %rcx; ret", stub 23 (iret)
 * is "push %rcx; push %r11; push %rax; mov $23, %eax; syscall"; every other byte of the page is int3
 * (0xcc), as Xen fills the page with int3 first. This kernel makes every hypercall
 * (and every exception return) through the page.
 */
#include "guest.h"

const char test_title[] = "the hypercall page";

void test_main(start_info_t *si)
{
    static const uint8_t iret_stub[] = { 0x51, 0x41, 0x53, 0x50, 0xb8, 23, 0, 0, 0, 0x0f, 0x05 };
    unsigned int bad = 0;

    for ( unsigned int i = 0; i < PAGE_SIZE / 32; i++ )
    {
        const uint8_t *p = hypercall_page + i * 32;
        uint8_t want[14] = { 0x51, 0x41, 0x53, 0xb8, i, 0, 0, 0, 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3 };
        const uint8_t *w = i == __HYPERVISOR_iret ? iret_stub : want;
        unsigned int n = i == __HYPERVISOR_iret ? sizeof(iret_stub) : sizeof(want);

        if ( memcmp(p, w, n) && bad++ < 4 )
            report_fail("stub %u: %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x",
                        i, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12],
                        p[13]);
        for ( unsigned int j = n; j < 32; j++ )
        {
            if ( p[j] != 0xcc && bad++ < 4 )
                report_fail("stub %u byte %u is %#x, expected int3 (0xcc)", i, j, p[j]);
        }
    }

    /* The page's stubs work: a hypercall, and an exception return through stub 23. */
    check_eq("xen_version through the page", hypercall_xen_version(XENVER_version, NULL), (4 << 16) | 17);
    ex_reset();
    asm volatile ( "1: ud2\n2:\n" _ASM_EXTABLE(1b, 2b) ::: "memory" );
    check_eq("#UD returned through the iret stub", ex_last.vector, 6);
}
