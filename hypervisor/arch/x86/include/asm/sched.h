/* sched.h (x86) - the arch half of a context switch (arch/x86/pv/run.c), called by common/schedule.c. */
#ifndef ASM_SCHED_H
#define ASM_SCHED_H

struct vcpu;

/* Save the outgoing vCPU (registers from this CPU's guest frame, FPU, runstate area); lock held. */
void arch_save_vcpu(struct vcpu *v);
/* Make v this CPU's current vCPU: its registers into the guest frame, address space, descriptor
 * tables, debug registers, FPU, pvclock, timers. */
void arch_load_vcpu(struct vcpu *v);
/* Nothing to run: leave the vCPU's context and continue in sched_idle_loop() on a fresh stack. */
__noreturn void arch_enter_idle(void);
/* From the idle loop, once schedule() loaded a vCPU: enter it. */
__noreturn void arch_run_current(void);

#endif /* ASM_SCHED_H */
