/* system.h (unit-test harness) - interrupt and pause hooks are no-ops on the host. */
#ifndef ASM_SYSTEM_H
#define ASM_SYSTEM_H

#define X86_EFLAGS_IF 0x200UL
static inline void cpu_relax(void) { }
static inline void local_irq_disable(void) { }
static inline void local_irq_enable(void) { }
static inline unsigned long local_save_flags(void) { return X86_EFLAGS_IF; }
#define local_irq_save(f) do { (f) = local_save_flags(); } while ( 0 )
#define local_irq_restore(f) do { (void)(f); } while ( 0 )
static inline int local_irq_is_enabled(void) { return 1; }

#endif /* ASM_SYSTEM_H */
