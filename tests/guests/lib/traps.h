/*
 * traps.h - exception, syscall and event entry for the test kernels, and the "expected fault" mechanism.
 *
 * Design: every entry stub pops the %rcx/%r11 pair Xen puts on top of a bounce frame, builds a
 * struct cpu_regs and calls trap_dispatch(). An exception whose %rip is listed in the exception table
 * (_ASM_EXTABLE next to the faulting instruction) is recorded in ex_last and resumed at the fixup
 * address; an exception raised in guest user mode during exec_user() ends that user run; anything
 * else ends the test with "Test result: ERROR unhandled exception ...". Returns use HYPERVISOR_iret.
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include "types.h"
#include <xen/xen.h>

struct cpu_regs
{
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* One delivered exception (or syscall/event), as the handler saw it. */
struct exinfo
{
    unsigned int vector;        /* 0-31, or VEC_SYSCALL / VEC_EVENT / VEC_FAILSAFE */
    bool has_error_code;
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;
    uint64_t cr2;               /* vcpu_info[0].arch.cr2 at entry (page faults) */
    uint64_t frame;             /* guest VA of the bounce frame's lowest word (the %rcx slot) */
    uint8_t upcall_mask;        /* vcpu_info[0].evtchn_upcall_mask at entry */
    struct cpu_regs regs;       /* all registers of the interrupted context (rcx/r11 from the frame) */
};

extern volatile struct exinfo ex_last;       /* the last exception (vectors 0-31) */
extern volatile unsigned int ex_count;       /* exceptions handled through the exception table */
extern volatile struct exinfo syscall_last;  /* the last syscall from user mode */
extern volatile unsigned int syscall_count;
extern volatile unsigned int event_count;    /* event upcalls delivered */

/* Forgets the recorded exceptions (ex_last.vector becomes EX_NONE). */
void ex_reset(void);
#define EX_NONE 0xffffu

/* Exception table entry: a fault at `from` resumes at `to`. */
#define _ASM_EXTABLE(from, to)                                  \
    ".pushsection .ex_table, \"a\"\n\t"                         \
    ".balign 8\n\t"                                             \
    ".quad " #from ", " #to "\n\t"                              \
    ".popsection\n\t"

struct extable_entry
{
    uint64_t insn, fixup;
};

/*
 * Hooks a test may set: called before the default handling; returning true means "handled, resume
 * with *regs" (the hook may change regs->rip etc.).
 */
typedef bool (*trap_hook_t)(struct cpu_regs *regs);
extern trap_hook_t ex_hook;        /* exceptions 0-31 */
extern trap_hook_t syscall_hook;   /* syscalls from guest user mode other than exec_user's exit */
extern trap_hook_t event_hook;     /* event upcalls */

/* The framework's virtual IDT (vectors 0-31, sentinel after). */
extern struct trap_info trap_table[33];
/* Installs the trap table and the event/failsafe/syscall callbacks; returns 0 or the first error. */
long traps_init(void);
/* Re-registers one vector with the given trap_info flags (DPL in bits 0-1, bit 2: mask events). */
long traps_set_flags(unsigned int vector, unsigned int flags);
/* The address of the framework's entry stub for a vector. */
unsigned long traps_entry(unsigned int vector);

/* Short mnemonic ("#GP") for a vector. */
const char *vector_name(unsigned int vector);
/* True for the vectors that push an error code. */
bool vector_has_error_code(unsigned int vector);

/* Executes HYPERVISOR_iret with the given frame (at any address); never returns. */
void __noreturn hypercall_iret_frame(const struct iret_context *frame);

/* C side of the entry stubs (entry.S). */
void trap_dispatch(struct cpu_regs *regs);

#endif /* GUEST_TRAPS_H */
