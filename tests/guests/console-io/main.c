/*
 * console-io - HYPERVISOR_console_io: CONSOLEIO_write returns 0 and prints, CONSOLEIO_read returns the
 * number of bytes read (0: no input is queued in this run), unknown sub-ops give -ENOSYS, and a bad
 * buffer gives -EFAULT. Uses only console_io and sched_op (no framework setup), so it is the first
 * test a new hypervisor can pass.
 */
#include "guest.h"

const char test_title[] = "console_io write and read";
const bool test_minimal_setup = true;

void test_main(start_info_t *si)
{
    static const char msg[] = "console-io: this line was written with one CONSOLEIO_write\n";
    char buf[64];
    long rc;

    rc = hypercall_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg);
    check_rc("CONSOLEIO_write", rc, 0);

    rc = hypercall_console_io(CONSOLEIO_write, 0, msg);
    check_rc("CONSOLEIO_write of 0 bytes", rc, 0);

    memset(buf, 0x5a, sizeof(buf));
    rc = hypercall_console_io(CONSOLEIO_read, sizeof(buf), buf);
    check_rc("CONSOLEIO_read with no input", rc, 0);
    check_eq("CONSOLEIO_read left the buffer alone", buf[0], 0x5a);

    rc = hypercall_console_io(2, sizeof(msg) - 1, msg);
    check_rc("console_io sub-op 2", rc, -ENOSYS);

    /* A non-canonical buffer: the hypervisor must not read it. */
    rc = hypercall_console_io(CONSOLEIO_write, 8, (const char *)0x8000000000000000ul);
    check_rc("CONSOLEIO_write from a non-canonical buffer", rc, -EFAULT);
}
