/*
 * hc_multicall.c (pv) - HYPERVISOR_multicall: a batch of hypercalls in one guest exit.
 *
 * Each 64-byte entry {op, result, args[6]} is copied in, dispatched through
 * the one hypercall table, and its result copied back.  HYPERVISOR_iret and
 * a nested multicall are refused (-EINVAL in the entry's result).  A handler
 * that wants to continue later (-ERESTART) gets its updated arguments written
 * back into its entry, and the batch continues from that entry.  The hypercall returns 0 once all
 * entries ran (Linux BUG()s otherwise); errors are in the results.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/pv.h>

#define CALLS_PER_BATCH 64

long do_multicall(unsigned long call_list, unsigned long nr_calls)
{
    struct cpu_user_regs *regs = &get_cpu_info()->guest_cpu_user_regs;
    struct multicall_entry e;
    unsigned long i;

    for ( i = 0; i < nr_calls; i++ )
    {
        unsigned long addr = call_list + i * sizeof(e);
        unsigned long saved_rip = regs->rip;
        long rc;

        if ( i == CALLS_PER_BATCH )
            return hypercall_create_continuation(__HYPERVISOR_multicall, addr, nr_calls - i, 0, 0, 0);
        if ( copy_from_guest_va(&e, addr, sizeof(e)) )
            return -EFAULT;
        if ( e.op == __HYPERVISOR_iret || e.op == __HYPERVISOR_multicall )
            rc = -EINVAL;
        else
        {
            rc = hypercall_dispatch(e.op, (const unsigned long *)e.args);
            if ( rc == -ERESTART )
            {
                /*
                 * The entry wants to continue later: store the arguments its continuation set up in
                 * the entry itself, then re-run the batch from this entry.
                 */
                e.op = regs->rax;
                e.args[0] = regs->rdi;
                e.args[1] = regs->rsi;
                e.args[2] = regs->rdx;
                e.args[3] = regs->r10;
                e.args[4] = regs->r8;
                regs->rip = saved_rip;
                if ( copy_to_guest_va(addr, &e, sizeof(e)) )
                    return -EFAULT;
                return hypercall_create_continuation(__HYPERVISOR_multicall, addr, nr_calls - i, 0, 0, 0);
            }
        }
        e.result = rc;
        if ( copy_to_guest_va(addr + __builtin_offsetof(struct multicall_entry, result), &e.result,
                              sizeof(e.result)) )
            return -EFAULT;
    }
    return 0;
}
