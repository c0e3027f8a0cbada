/*
 * debugreg - HYPERVISOR_set_debugreg / get_debugreg: DR0-3 hold guest addresses (read back exactly;
 * an address in the hypervisor's range or a non-canonical one is refused with -EPERM), DR6/DR7 start
 * at their architectural reset values, DR7 enables an instruction breakpoint that raises #DB at the
 * breakpointed instruction with DR6.B0, single-stepping with RFLAGS.TF raises #DB after one
 * instruction with DR6.BS, register numbers above 7 give -ENODEV.
 */
#include "guest.h"

const char test_title[] = "debug registers and #DB";

static void __attribute__((noinline, used)) bp_target(void)
{
    asm volatile ( "" ::: "memory" );
}

static bool db_hook(struct cpu_regs *regs)
{
    if ( regs->vector != 1 )
        return false;
    hypercall_set_debugreg(7, 0);
    regs->rflags &= ~X86_EFLAGS_TF;
    return true;
}

void test_main(start_info_t *si)
{
    uint64_t after;
    long rc, dr6;

    for ( unsigned int i = 0; i < 4; i++ )
    {
        unsigned long addr = (unsigned long)&bp_target + i * 0x1000;

        if ( check_rc("set_debugreg(DRi)", hypercall_set_debugreg(i, addr), 0) )
            check_eq("get_debugreg(DRi)", hypercall_get_debugreg(i), addr);
    }
    rc = hypercall_set_debugreg(0, HYPERVISOR_VIRT_START + 0x1000);
    check_rc("set_debugreg(0, hypervisor address)", rc, -EPERM);
    rc = hypercall_set_debugreg(1, 0x8000000000000000ul);
    check_rc("set_debugreg(1, non-canonical)", rc, -EPERM);
    check_rc("set_debugreg(8)", hypercall_set_debugreg(8, 0), -ENODEV);
    check_rc("get_debugreg(8)", hypercall_get_debugreg(8), -ENODEV);
    /* Architectural reset values. */
    check_eq("initial DR6", hypercall_get_debugreg(6), 0xffff0ff0);
    check_eq("initial DR7", hypercall_get_debugreg(7), 0x400);

    ex_hook = db_hook;

    /* Instruction breakpoint on bp_target. */
    hypercall_set_debugreg(6, 0);
    hypercall_set_debugreg(0, (unsigned long)&bp_target);
    ex_reset();
    if ( check_rc("set_debugreg(7, L0)", hypercall_set_debugreg(7, 1), 0) )
    {
        check_eq("get_debugreg(7)", hypercall_get_debugreg(7) & 0xff, 1);
        bp_target();
        if ( check_eq("breakpoint: vector", ex_last.vector, 1) )
        {
            check_eq("breakpoint: rip", ex_last.rip, (unsigned long)&bp_target);
            dr6 = hypercall_get_debugreg(6);
            check(dr6 & 1, "breakpoint: DR6 %#lx lacks B0", dr6);
        }
    }

    /* Single step. */
    hypercall_set_debugreg(6, 0);
    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[after]\n\t"
                   "pushf\n\t"
                   "orl $0x100, (%%rsp)\n\t"
                   "popf\n\t"
                   "nop\n\t"
                   "1: nop\n\t"
                   : [after] "=&r" (after) :: "memory", "cc" );
    if ( check_eq("single step: vector", ex_last.vector, 1) )
    {
        check_eq("single step: rip (after the one instruction)", ex_last.rip, after);
        dr6 = hypercall_get_debugreg(6);
        check(dr6 & (1ul << 14), "single step: DR6 %#lx lacks BS", dr6);
    }
    ex_hook = NULL;
}
