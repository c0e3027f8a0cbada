/*
 * unhandled-fault - a guest fault with no handler registered crashes the domain: this kernel installs
 * no trap table (minimal setup) and executes ud2. The expected outcome is the hypervisor's report,
 * not a result line: see the `expect` file (Xen: "Unhandled invalid opcode fault/trap [#6 ..." and
 * "Hardware Dom0 crashed"). The guest's own marker line must appear and "Test result:" must not.
 */
#include "guest.h"

const char test_title[] = "a fault without a handler crashes the domain";
const bool test_minimal_setup = true;

void test_main(start_info_t *si)
{
    printf("unhandled-fault: executing ud2 with no trap table\n");
    asm volatile ( "ud2" ::: "memory" );
    printf("unhandled-fault: still running after ud2\n");
}
