/* user.c - guest user mode support: page setup and exec_user(). */
#include "guest.h"

bool user_faulted;
static bool user_ready;
static uint8_t user_stack[2 * PAGE_SIZE] __attribute__((section(".user.bss"), aligned(PAGE_SIZE)));
static uint8_t user_entry_stack[2 * PAGE_SIZE] __page_aligned_bss;

unsigned long user_entry_sp(void)
{
    return (unsigned long)user_entry_stack + sizeof(user_entry_stack);
}

long user_setup(void)
{
    unsigned long va;
    long rc;

    if ( user_ready )
        return 0;

    for ( va = (unsigned long)__user_start; va < (unsigned long)__user_end; va += PAGE_SIZE )
    {
        uint64_t pte = ((uint64_t)virt_to_mfn((void *)va) << 12) | PTE_RW_FLAGS | _PAGE_USER;

        rc = hypercall_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_LOCAL);
        if ( rc )
            return rc;
    }

    rc = mmuext_one(MMUEXT_NEW_USER_BASEPTR, cur_l4_mfn(), 0);
    if ( rc )
        return rc;

    user_ready = true;
    return 0;
}

bool exec_user_flags(long (*fn)(long), long arg, long *ret, unsigned int flags)
{
    unsigned long rflags = X86_EFLAGS_MBS | ((flags & USER_EVENTS_ON) ? X86_EFLAGS_IF : 0);
    long rc, v;

    rc = user_setup();
    if ( rc )
        report_fatal("exec_user: user_setup failed: %ld (%s)", rc, errno_name(rc));
    if ( !(flags & USER_KEEP_KERNEL_SP) )
    {
        rc = hypercall_stack_switch(GUEST_KERNEL_SS, user_entry_sp());
        if ( rc )
            report_fatal("exec_user: stack_switch failed: %ld (%s)", rc, errno_name(rc));
    }

    user_faulted = false;
    v = exec_user_asm(fn, arg, (unsigned long)user_stack + sizeof(user_stack), rflags);
    if ( ret )
        *ret = v;
    return !user_faulted;
}

bool exec_user(long (*fn)(long), long arg, long *ret)
{
    return exec_user_flags(fn, arg, ret, 0);
}
