/*
 * cpuid - CPUID through Xen's forced-emulation prefix (ud2; .ascii "xen"; cpuid) gives the PV policy:
 * the hypervisor leaves at 0x40000000 ("XenVMMXenVMM", version 4.17, leaf 2 with one hypercall page
 * and MSR base 0x40000000), HYPERVISOR set, and the features a PV guest cannot use hidden (VME, PSE,
 * PSE36, PGE, PCID, INVPCID, PAGE1GB, SMEP, SMAP, PKU, LA57, VMX, SVM, x2APIC). MTRR is not in that
 * list: Xen shows it to the hardware domain (a domU would not see it). The emulated instruction
 * advances rip past the 5-byte prefix and the cpuid.
 */
#include "guest.h"

const char test_title[] = "forced-emulation CPUID and the PV policy";

struct hidden
{
    uint32_t leaf, subleaf;
    unsigned int reg;       /* 0 eax, 1 ebx, 2 ecx, 3 edx */
    unsigned int bit;
    const char *name;
};

static const struct hidden hidden[] = {
    { 1, 0, 3, 1, "VME" },
    { 1, 0, 3, 3, "PSE" },
    { 1, 0, 3, 13, "PGE" },
    { 1, 0, 3, 17, "PSE36" },
    { 1, 0, 2, 5, "VMX" },
    { 1, 0, 2, 17, "PCID" },
    { 1, 0, 2, 21, "x2APIC" },
    { 7, 0, 1, 7, "SMEP" },
    { 7, 0, 1, 10, "INVPCID" },
    { 7, 0, 1, 20, "SMAP" },
    { 7, 0, 2, 3, "PKU" },
    { 7, 0, 2, 16, "LA57" },
    { 0x80000001, 0, 2, 2, "SVM" },
    { 0x80000001, 0, 3, 26, "PAGE1GB" },
};

static uint32_t reg(const struct cpuid_regs *r, unsigned int i)
{
    return i == 0 ? r->a : i == 1 ? r->b : i == 2 ? r->c : r->d;
}

void test_main(start_info_t *si)
{
    struct cpuid_regs r, max, ext;
    char sig[13];
    uint64_t after, expected;

    r = cpuid_pv(0x40000000, 0);
    memcpy(sig, &r.b, 4);
    memcpy(sig + 4, &r.c, 4);
    memcpy(sig + 8, &r.d, 4);
    sig[12] = '\0';
    printf("leaf 0x40000000: eax %#x \"%s\"\n", r.a, sig);
    check(!strcmp(sig, "XenVMMXenVMM"), "leaf 0x40000000 signature \"%s\"", sig);
    check(r.a >= 0x40000002 && r.a < 0x40000100, "leaf 0x40000000: max leaf %#x", r.a);

    r = cpuid_pv(0x40000001, 0);
    check_eq("leaf 0x40000001 eax (version)", r.a, (4u << 16) | 17);

    r = cpuid_pv(0x40000002, 0);
    check_eq("leaf 0x40000002 eax (hypercall pages)", r.a, 1);
    check_eq("leaf 0x40000002 ebx (MSR base)", r.b, 0x40000000);
    check(r.c & 1, "leaf 0x40000002 ecx %#x: MMU_PT_UPDATE_PRESERVE_AD (bit 0) is clear", r.c);

    max = cpuid_pv(0, 0);
    ext = cpuid_pv(0x80000000, 0);
    r = cpuid_pv(1, 0);
    printf("leaf 1: ecx %#x edx %#x; max leaf %#x, max extended leaf %#x\n", r.c, r.d, max.a, ext.a);
    check(r.c & (1u << 31), "leaf 1 ecx %#x: HYPERVISOR (bit 31) is clear", r.c);
    check(r.d & (1u << 0), "leaf 1 edx %#x: FPU is clear", r.d);
    check(r.d & (1u << 6), "leaf 1 edx %#x: PAE is clear", r.d);
    check(r.d & (1u << 25), "leaf 1 edx %#x: SSE is clear", r.d);

    for ( unsigned int i = 0; i < ARRAY_SIZE(hidden); i++ )
    {
        const struct hidden *h = &hidden[i];

        if ( (h->leaf < 0x80000000 && h->leaf > max.a) || (h->leaf >= 0x80000000 && h->leaf > ext.a) )
            continue;
        r = cpuid_pv(h->leaf, h->subleaf);
        check(!(reg(&r, h->reg) & (1u << h->bit)), "%s (leaf %#x, reg %u, bit %u) is visible to a PV guest",
              h->name, h->leaf, h->reg, h->bit);
    }

    r = cpuid_pv(0x80000001, 0);
    check(r.d & (1u << 29), "leaf 0x80000001 edx %#x: LM is clear", r.d);
    check(r.d & (1u << 11), "leaf 0x80000001 edx %#x: SYSCALL is clear", r.d);

    /* rip advances past the 5-byte prefix and the 2-byte cpuid: execution continues at the label. */
    asm volatile ( "lea 1f(%%rip), %[exp]\n\t"
                   "mov $0, %%eax\n\t"
                   "ud2a; .ascii \"xen\"; cpuid\n\t"
                   "1: lea 1b(%%rip), %[after]\n\t"
                   : [exp] "=&r" (expected), [after] "=&r" (after) :: "rax", "rbx", "rcx", "rdx", "memory" );
    check_eq("rip after forced cpuid", after, expected);
}
