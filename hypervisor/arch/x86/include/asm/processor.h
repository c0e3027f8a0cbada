/* processor.h - x86 control registers, EFLAGS, EFER and CPUID/MSR/CR access primitives. */
#ifndef ASM_PROCESSOR_H
#define ASM_PROCESSOR_H

#define X86_CR0_PE      (1UL << 0)
#define X86_CR0_MP      (1UL << 1)
#define X86_CR0_EM      (1UL << 2)
#define X86_CR0_TS      (1UL << 3)
#define X86_CR0_ET      (1UL << 4)
#define X86_CR0_NE      (1UL << 5)
#define X86_CR0_WP      (1UL << 16)
#define X86_CR0_AM      (1UL << 18)
#define X86_CR0_PG      (1UL << 31)

#define X86_CR4_VME     (1UL << 0)
#define X86_CR4_PVI     (1UL << 1)
#define X86_CR4_TSD     (1UL << 2)
#define X86_CR4_DE      (1UL << 3)
#define X86_CR4_PSE     (1UL << 4)
#define X86_CR4_PAE     (1UL << 5)
#define X86_CR4_MCE     (1UL << 6)
#define X86_CR4_PGE     (1UL << 7)
#define X86_CR4_PCE     (1UL << 8)
#define X86_CR4_OSFXSR  (1UL << 9)
#define X86_CR4_OSXMMEXCPT (1UL << 10)
#define X86_CR4_UMIP    (1UL << 11)
#define X86_CR4_FSGSBASE (1UL << 16)
#define X86_CR4_PCIDE   (1UL << 17)
#define X86_CR4_OSXSAVE (1UL << 18)
#define X86_CR4_SMEP    (1UL << 20)
#define X86_CR4_SMAP    (1UL << 21)

#define X86_EFLAGS_CF   0x00000001UL
#define X86_EFLAGS_IF   0x200UL
#define X86_EFLAGS_TF   0x00000100UL
#define X86_EFLAGS_IOPL 0x00003000UL
#define X86_EFLAGS_NT   0x00004000UL
#define X86_EFLAGS_RF   0x00010000UL
#define X86_EFLAGS_VM   0x00020000UL
#define X86_EFLAGS_AC   0x00040000UL
#define X86_EFLAGS_MBS  0x00000002UL    /* always set */

#define MSR_EFER        0xc0000080
#define EFER_SCE        (1UL << 0)
#define EFER_LME        (1UL << 8)
#define EFER_NXE        (1UL << 11)
#define MSR_STAR        0xc0000081
#define MSR_LSTAR       0xc0000082
#define MSR_CSTAR       0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_FS_BASE     0xc0000100
#define MSR_GS_BASE     0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102
#define MSR_TSC_AUX     0xc0000103
#define MSR_APIC_BASE   0x0000001b
#define MSR_PAT         0x00000277
#define MSR_TSC_DEADLINE 0x000006e0
#define MSR_MISC_ENABLE 0x000001a0
#define MSR_IA32_SYSENTER_CS 0x00000174

#ifndef __ASSEMBLY__
#include <parva/types.h>

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline void cpuid_count(uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
    __asm__ __volatile__("cpuid"
                         : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
                         : "0"(leaf), "2"(sub));
}

static inline uint32_t cpuid_eax(uint32_t leaf)
{
    struct cpuid_regs r;

    cpuid_count(leaf, 0, &r);
    return r.eax;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
    __asm__ __volatile__("wrmsr" :: "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
}

/* rdmsr/wrmsr that survive a #GP (unimplemented MSR): 0 or -EFAULT. */
int rdmsr_safe(uint32_t msr, uint64_t *val);
int wrmsr_safe(uint32_t msr, uint64_t val);

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* rdtsc ordered against earlier loads (lfence is dispatch-serialising on Intel and AMD with Zen+). */
static inline uint64_t rdtsc_ordered(void)
{
    __asm__ __volatile__("lfence" ::: "memory");
    return rdtsc();
}

#define DEFINE_CR_ACCESS(n)                                                   \
static inline unsigned long read_cr##n(void)                                  \
{                                                                             \
    unsigned long v;                                                          \
    __asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));                     \
    return v;                                                                 \
}                                                                             \
static inline void write_cr##n(unsigned long v)                               \
{                                                                             \
    __asm__ __volatile__("mov %0, %%cr" #n :: "r"(v) : "memory");             \
}
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

static inline void invlpg(const void *va)
{
    __asm__ __volatile__("invlpg (%0)" :: "r"(va) : "memory");
}

/* Flush all non-global TLB entries of this CPU. */
static inline void flush_tlb_local(void)
{
    write_cr3(read_cr3());
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;

    __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;

    __asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;

    __asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outb(uint8_t v, uint16_t port)
{
    __asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outw(uint16_t v, uint16_t port)
{
    __asm__ __volatile__("outw %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outl(uint32_t v, uint16_t port)
{
    __asm__ __volatile__("outl %0, %1" :: "a"(v), "Nd"(port));
}

/* MMIO accessors: volatile, so the compiler neither merges nor reorders them. */
static inline uint32_t mmio_read32(const volatile void *a) { return *(const volatile uint32_t *)a; }
static inline void mmio_write32(volatile void *a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t mmio_read64(const volatile void *a) { return *(const volatile uint64_t *)a; }
static inline void mmio_write64(volatile void *a, uint64_t v) { *(volatile uint64_t *)a = v; }

#endif /* !__ASSEMBLY__ */
#endif /* ASM_PROCESSOR_H */
