/* system.h - x86 interrupt flag control and CPU pause, the hooks that locks need. */
#ifndef ASM_SYSTEM_H
#define ASM_SYSTEM_H

#define X86_EFLAGS_IF   0x200UL

static inline void cpu_relax(void) { __asm__ __volatile__("pause" ::: "memory"); }
static inline void local_irq_disable(void) { __asm__ __volatile__("cli" ::: "memory"); }
static inline void local_irq_enable(void) { __asm__ __volatile__("sti" ::: "memory"); }

static inline unsigned long local_save_flags(void)
{
    unsigned long f;
    __asm__ __volatile__("pushfq; popq %0" : "=r"(f) :: "memory");
    return f;
}

#define local_irq_save(f) do { (f) = local_save_flags(); local_irq_disable(); } while ( 0 )
#define local_irq_restore(f) \
    do { if ( (f) & X86_EFLAGS_IF ) local_irq_enable(); else local_irq_disable(); } while ( 0 )
static inline int local_irq_is_enabled(void) { return !!(local_save_flags() & X86_EFLAGS_IF); }

static inline void halt(void) { __asm__ __volatile__("hlt" ::: "memory"); }
static inline void safe_halt(void) { __asm__ __volatile__("sti; hlt" ::: "memory"); }

#endif /* ASM_SYSTEM_H */
