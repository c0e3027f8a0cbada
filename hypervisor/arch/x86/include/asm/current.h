/*
 * current.h - struct cpu_info at the top of every CPU's stack, and how to find it.
 *
 * Each CPU's stack block is STACK_SIZE bytes, aligned to STACK_SIZE:
 *   page 0: #DF IST stack   page 1: NMI IST stack   page 2: #MC IST stack   page 3: #DB IST stack
 *   page 4: guard (not mapped)   pages 5-7: the normal stack, cpu_info at its top.
 * #DB has its own stack because SYSCALL with the guest's TF set raises #DB
 * on the first hypervisor instruction, while RSP is still the guest's.
 * Rounding any stack pointer of this CPU down to STACK_SIZE and adding
 * STACK_SIZE - sizeof(struct cpu_info) finds cpu_info, whichever of the
 * stacks is in use and whatever the guest did to its GS base.  A guest's
 * registers are saved by the entry code into guest_cpu_user_regs, which
 * ends exactly where TSS.rsp0 points.
 */
#ifndef ASM_CURRENT_H
#define ASM_CURRENT_H

#include <asm/config.h>

/*
 * 8 more than a multiple of 16: cpu_info then starts 8 bytes off a 16-byte boundary, so that
 * guest_cpu_user_regs.es (offset 168), where TSS.rsp0 points, is 16-byte aligned -- the CPU
 * aligns RSP to 16 before pushing an exception frame, and the frame must land exactly in
 * guest_cpu_user_regs.
 */
#define CPU_INFO_SIZE   264
#define STACK_IST_DF    0
#define STACK_IST_NMI   1
#define STACK_IST_MC    2
#define STACK_IST_DB    3
#define STACK_GUARD     4
#define STACK_PRIMARY   5
#define STACK_START_OFFSET  (STACK_SIZE - CPU_INFO_SIZE - 8)

#ifndef __ASSEMBLY__
#include <parva/public.h>

struct vcpu;

struct cpu_info {
    struct cpu_user_regs guest_cpu_user_regs;
    unsigned int processor_id;
    unsigned int apic_id;
    struct vcpu *current_vcpu;
    unsigned long stack_block;      /* base of this CPU's stack block */
    unsigned long syscall_scratch;  /* the SYSCALL stub parks the guest's RAX here */
    uint8_t pad[CPU_INFO_SIZE - sizeof(struct cpu_user_regs) - 8 - 8 - 8 - 8];
};

static inline struct cpu_info *get_cpu_info(void)
{
    unsigned long sp;

    __asm__("mov %%rsp, %0" : "=r"(sp));

    return (struct cpu_info *)((sp & ~(STACK_SIZE - 1)) + STACK_SIZE - sizeof(struct cpu_info));
}

static inline struct cpu_info *cpu_info_of_stack(unsigned long stack_block)
{
    return (struct cpu_info *)(stack_block + STACK_SIZE - sizeof(struct cpu_info));
}

#define smp_processor_id()  (get_cpu_info()->processor_id)

#endif /* !__ASSEMBLY__ */
#endif /* ASM_CURRENT_H */
