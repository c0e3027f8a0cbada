/*
 * user.h - running code in guest user mode: exec_user() switches with HYPERVISOR_iret (CS 0xe033, RPL 3)
 * and gets back into guest kernel mode through the registered syscall callback (the user code's final
 * `syscall`) or through an exception taken in user mode.
 *
 * Design: user code and data live in the .user.* sections (page aligned); user_setup() gives exactly
 * those pages _PAGE_USER and sets the user page-table base to the kernel's L4 (one address space).
 * Every entry from user mode lands on a dedicated kernel stack registered with stack_switch.
 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#include "types.h"

#define __user_text __attribute__((section(".user.text"), noinline, used))
#define __user_data __attribute__((section(".user.data")))

struct user_ctx
{
    uint64_t rsp;       /* the kernel stack pointer to resume exec_user()'s caller with */
    uint64_t active;    /* a user run is in progress */
};
extern struct user_ctx user_ctx;
extern bool user_faulted;
/* The kernel stack top the framework registers with stack_switch for entries from user mode. */
unsigned long user_entry_sp(void);

#define USER_FAULTED        ((long)0x8000000000000bad)

/* Flags for exec_user_flags(). */
#define USER_EVENTS_ON      1   /* run with rflags.IF = 1 (the upcall mask cleared) */
#define USER_KEEP_KERNEL_SP 2   /* do not re-register the framework's entry stack with stack_switch */

/* Prepares user mode once: _PAGE_USER on the .user.* pages, user L4 = kernel L4. 0 or an error. */
long user_setup(void);
/* Runs fn(arg) in guest user mode. True (and *ret) if it returned; false if it faulted (see ex_last). */
bool exec_user(long (*fn)(long), long arg, long *ret);
bool exec_user_flags(long (*fn)(long), long arg, long *ret, unsigned int flags);

/* entry.S */
long exec_user_asm(long (*fn)(long), long arg, unsigned long user_sp, unsigned long rflags);
void __noreturn user_return(long value);

#endif /* GUEST_USER_H */
