/*
 * console-input - a boot-time domU reads what is typed for it on the serial console: the
 * hypervisor puts those bytes into its console page's `in` ring and notifies its console port
 * (the boot test `console-input` switches input with Ctrl-A three times, then types a line).
 * Built with the PV test-kernel framework (tests/guests/lib) by tests/boot/boot.mk; it runs with
 * no dom0, so the machine powers off when it ends.
 */
#include "guest.h"
#include "domu.h"
#include <xen/io/console.h>

const char test_title[] = "a boot-time domain reads its console input";

#define WAIT_NS     (120ull * 1000 * 1000 * 1000)

void test_main(start_info_t *si)
{
    struct xencons_interface *c = pfn_to_virt(mfn_to_pfn(si->console.domU.mfn));
    char line[64];
    unsigned int n = 0;
    uint64_t end = guest_system_time() + WAIT_NS;
    XENCONS_RING_IDX cons = c->in_cons;

    if ( guest_is_dom0() )
        report_fatal("this kernel runs as a boot-time domU");
    printf("waiting for input (type it after switching with Ctrl-A three times)\n");
    while ( guest_system_time() < end )
    {
        XENCONS_RING_IDX prod = __atomic_load_n(&c->in_prod, __ATOMIC_ACQUIRE);

        for ( ; cons != prod; cons++ )
        {
            char ch = c->in[MASK_XENCONS_IDX(cons, c->in)];

            if ( ch == '\r' || ch == '\n' )
            {
                line[n] = '\0';
                __atomic_store_n(&c->in_cons, cons + 1, __ATOMIC_RELEASE);
                printf("got: %s\n", line);
                check(!strcmp(line, "parva-input"), "read \"%s\", expected \"parva-input\"", line);
                return;
            }
            if ( n < sizeof(line) - 1 )
                line[n++] = ch;
        }
        __atomic_store_n(&c->in_cons, cons, __ATOMIC_RELEASE);
        domu_wait_port(si->console.domU.evtchn, 100ull * 1000 * 1000);
    }
    report_fail("no line typed within 120 s");
}
