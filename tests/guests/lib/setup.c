/* setup.c - the C entry point: check start_info, set up the framework, run the test, report. */
#include "guest.h"

BUILD_BUG_ON(offsetof(struct boot_regs, rsp) != BOOT_rsp);
BUILD_BUG_ON(offsetof(struct boot_regs, gs) != BOOT_gs);
BUILD_BUG_ON(sizeof(struct boot_regs) != BOOT_SIZE);

const bool test_minimal_setup __attribute__((weak));

void guest_start(start_info_t *si)
{
    long rc;

    printf("--- Parva PV guest test %s: %s\n", GUEST_TEST_NAME, test_title);

    if ( (unsigned long)si < (unsigned long)_end || ((unsigned long)si & (PAGE_SIZE - 1)) ||
         memcmp(si->magic, "xen-3.0-", 8) )
        report_fatal("entry: %%rsi = %p is not a start_info page after the kernel image", si);
    start_info = si;
    virt_base = GUEST_VIRT_BASE;

    if ( !test_minimal_setup )
    {
        rc = mm_init();
        if ( rc )
            report_fatal("framework: mm_init failed: %ld (%s)", rc, errno_name(rc));
        rc = traps_init();
        if ( rc )
            report_fatal("framework: traps_init failed: %ld (%s)", rc, errno_name(rc));
    }

    test_main(si);
    test_finish();
}
