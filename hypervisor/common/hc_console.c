/*
 * hc_console.c - HYPERVISOR_console_io: a guest's own console on the hypervisor's console.
 *
 * Every domain may write (Linux's earliest output, earlyprintk=xen, and
 * dom0's hvc0 use it); output is copied in pieces and bounded per call, a
 * long write continuing in a re-issued hypercall.  Reading returns what was
 * typed for the domain that owns console input (dom0); others read nothing.
 */
#include <parva/console.h>
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/pv.h>

#define CHUNK           256
#define MAX_PER_CALL    (16 * 1024)

long do_console_io(unsigned long cmd, unsigned long count, unsigned long buffer)
{
    const struct domain *d = current->domain;
    char buf[CHUNK];
    unsigned long done = 0;

    switch ( cmd )
    {
    case CONSOLEIO_write:
        while ( done < count )
        {
            unsigned long n = min(count - done, (unsigned long)CHUNK);

            if ( done >= MAX_PER_CALL )
                return hypercall_create_continuation(__HYPERVISOR_console_io, cmd, count - done,
                                                     buffer + done, 0, 0);
            if ( copy_from_guest_va(buf, buffer + done, n) )
                return -EFAULT;
            console_guest_write(d->domain_id, buf, n);
            done += n;
        }
        return 0;

    case CONSOLEIO_read:
    {
        size_t n;

        if ( d->domain_id != 0 || !count )
            return 0;
        n = console_input_read(buf, min(count, (unsigned long)CHUNK));
        if ( n && copy_to_guest_va(buffer, buf, n) )
            return -EFAULT;
        return n;
    }
    default:
        return -ENOSYS;
    }
}
