/* msr.c - MSR accesses that survive a #GP, for probing MSRs that may not exist. */
#include <parva/errno.h>
#include <asm/asm_defns.h>
#include <asm/processor.h>

int rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    int rc = 0;

    __asm__ __volatile__("1: rdmsr\n"
                         "2:\n"
                         "  .pushsection .text.fixup, \"ax\"\n"
                         "3: movl %4, %2\n"
                         "  jmp 2b\n"
                         "  .popsection\n"
                         _ASM_EXTABLE(1b, 3b)
                         : "=a"(lo), "=d"(hi), "+r"(rc) : "c"(msr), "i"(-EFAULT));
    *val = ((uint64_t)hi << 32) | lo;
    return rc;
}

int wrmsr_safe(uint32_t msr, uint64_t val)
{
    int rc = 0;

    __asm__ __volatile__("1: wrmsr\n"
                         "2:\n"
                         "  .pushsection .text.fixup, \"ax\"\n"
                         "3: movl %4, %0\n"
                         "  jmp 2b\n"
                         "  .popsection\n"
                         _ASM_EXTABLE(1b, 3b)
                         : "+r"(rc) : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)), "i"(-EFAULT)
                         : "memory");
    return rc;
}
