/*
 * cpu.h - instruction helpers for the test kernels: control registers, MSRs, CPUID (forced-emulation
 * and native), flags, and "safe" variants that report a fault instead of ending the test.
 *
 * Design: privileged instructions run in ring 3 and are emulated by the hypervisor after a #GP. The
 * *_safe helpers put the instruction in the exception table: they return true if it completed and
 * false if it faulted (ex_last then describes the fault).
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include "types.h"
#include "traps.h"

#define X86_EFLAGS_CF       0x00000001ul
#define X86_EFLAGS_MBS      0x00000002ul
#define X86_EFLAGS_ZF       0x00000040ul
#define X86_EFLAGS_TF       0x00000100ul
#define X86_EFLAGS_IF       0x00000200ul
#define X86_EFLAGS_DF       0x00000400ul
#define X86_EFLAGS_IOPL     0x00003000ul
#define X86_EFLAGS_NT       0x00004000ul
#define X86_EFLAGS_RF       0x00010000ul
#define X86_EFLAGS_VM       0x00020000ul
#define X86_EFLAGS_AC       0x00040000ul
#define X86_EFLAGS_ID       0x00200000ul

#define X86_CR0_PE          0x00000001ul
#define X86_CR0_MP          0x00000002ul
#define X86_CR0_EM          0x00000004ul
#define X86_CR0_TS          0x00000008ul
#define X86_CR0_ET          0x00000010ul
#define X86_CR0_NE          0x00000020ul
#define X86_CR0_WP          0x00010000ul
#define X86_CR0_AM          0x00040000ul
#define X86_CR0_PG          0x80000000ul

#define X86_CR4_VME         0x00000001ul
#define X86_CR4_PVI         0x00000002ul
#define X86_CR4_TSD         0x00000004ul
#define X86_CR4_DE          0x00000008ul
#define X86_CR4_PSE         0x00000010ul
#define X86_CR4_PAE         0x00000020ul
#define X86_CR4_MCE         0x00000040ul
#define X86_CR4_PGE         0x00000080ul
#define X86_CR4_PCE         0x00000100ul
#define X86_CR4_OSFXSR      0x00000200ul
#define X86_CR4_OSXMMEXCPT  0x00000400ul
#define X86_CR4_UMIP        0x00000800ul
#define X86_CR4_FSGSBASE    0x00010000ul
#define X86_CR4_PCIDE       0x00020000ul
#define X86_CR4_OSXSAVE     0x00040000ul
#define X86_CR4_SMEP        0x00100000ul
#define X86_CR4_SMAP        0x00200000ul
#define X86_CR4_PKE         0x00400000ul

#define MSR_FS_BASE         0xc0000100u
#define MSR_GS_BASE         0xc0000101u
#define MSR_KERNEL_GS_BASE  0xc0000102u
#define MSR_EFER            0xc0000080u
#define MSR_STAR            0xc0000081u
#define MSR_LSTAR           0xc0000082u
#define MSR_PAT             0x00000277u
#define MSR_APIC_BASE       0x0000001bu
#define MSR_TSC             0x00000010u

#define DEFINE_READ_CR(n)                                                   \
static inline unsigned long read_cr##n(void)                                \
{                                                                           \
    unsigned long v;                                                        \
    asm volatile ( "mov %%cr" #n ", %0" : "=r" (v) :: "memory" );           \
    return v;                                                               \
}
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)

#define DEFINE_WRITE_CR(n)                                                  \
static inline void write_cr##n(unsigned long v)                             \
{                                                                           \
    asm volatile ( "mov %0, %%cr" #n :: "r" (v) : "memory" );               \
}
DEFINE_WRITE_CR(0)
DEFINE_WRITE_CR(3)
DEFINE_WRITE_CR(4)

static inline unsigned long read_flags(void)
{
    unsigned long f;

    asm volatile ( "pushf; pop %0" : "=r" (f) :: "memory" );
    return f;
}

static inline uint16_t read_cs(void)
{
    uint16_t v;

    asm volatile ( "mov %%cs, %0" : "=r" (v) );
    return v;
}

static inline uint16_t read_ss(void)
{
    uint16_t v;

    asm volatile ( "mov %%ss, %0" : "=r" (v) );
    return v;
}

static inline bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    bool ok = false;

    asm volatile ( "1: rdmsr\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : "+a" (lo), "+d" (hi), [ok] "+r" (ok)
                   : "c" (msr)
                   : "memory" );
    *val = ((uint64_t)hi << 32) | lo;
    return ok;
}

static inline bool wrmsr_safe(uint32_t msr, uint64_t val)
{
    bool ok = false;

    asm volatile ( "1: wrmsr\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [ok] "+r" (ok)
                   : "c" (msr), "a" ((uint32_t)val), "d" ((uint32_t)(val >> 32))
                   : "memory" );
    return ok;
}

struct cpuid_regs
{
    uint32_t a, b, c, d;
};

/* CPUID through Xen's forced-emulation prefix (ud2; .ascii "xen"; cpuid): the guest's policy. */
static inline struct cpuid_regs cpuid_pv(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;

    asm volatile ( "ud2a; .ascii \"xen\"; cpuid"
                   : "=a" (r.a), "=b" (r.b), "=c" (r.c), "=d" (r.d)
                   : "0" (leaf), "2" (subleaf) );
    return r;
}

/* The plain CPUID instruction (not intercepted unless the hypervisor uses CPUID faulting). */
static inline struct cpuid_regs cpuid_native(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;

    asm volatile ( "cpuid"
                   : "=a" (r.a), "=b" (r.b), "=c" (r.c), "=d" (r.d)
                   : "0" (leaf), "2" (subleaf) );
    return r;
}

/* Reads 8 bytes at p; false if that faulted. */
static inline bool read64_safe(const volatile void *p, uint64_t *val)
{
    uint64_t v = 0;
    bool ok = false;

    asm volatile ( "1: mov (%[p]), %[v]\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [v] "+r" (v), [ok] "+r" (ok)
                   : [p] "r" (p)
                   : "memory" );
    *val = v;
    return ok;
}

/* Writes 8 bytes at p; false if that faulted. */
static inline bool write64_safe(volatile void *p, uint64_t val)
{
    bool ok = false;

    asm volatile ( "1: mov %[v], (%[p])\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [ok] "+r" (ok)
                   : [p] "r" (p), [v] "r" (val)
                   : "memory" );
    return ok;
}

#endif /* GUEST_CPU_H */
