/*
 * msr - rdmsr/wrmsr from the guest kernel are emulated: FS_BASE, GS_BASE (the kernel's GS) and
 * KERNEL_GS_BASE (the user GS while in kernel mode) write and read back and take effect; PAT reads
 * Xen's fixed layout 0x0000050100070406; an unknown MSR raises #GP(0) on read and write; a
 * non-canonical base raises #GP(0); in user mode rdmsr raises #GP(0) without emulation.
 */
#include "guest.h"

const char test_title[] = "MSR emulation";

static uint64_t slot[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };

asm ( ".pushsection .user.text, \"ax\", @progbits\n"
      "user_rdmsr:\n"
      "    mov $0xc0000100, %ecx\n"
      "user_rdmsr_insn:\n"
      "    rdmsr\n"
      "    ret\n"
      ".popsection" );
extern char user_rdmsr[], user_rdmsr_insn[];

static void check_gp(const char *what)
{
    char buf[96];

    snprintf(buf, sizeof(buf), "%s: vector", what);
    if ( check_eq(buf, ex_last.vector, 13) )
    {
        snprintf(buf, sizeof(buf), "%s: error code", what);
        check_eq(buf, ex_last.error_code, 0);
    }
}

void test_main(start_info_t *si)
{
    uint64_t v, fs0, gs0;
    long ret;

    if ( check(rdmsr_safe(MSR_PAT, &v), "rdmsr(PAT) faulted") )
        check_eq("PAT", v, 0x0000050100070406ull);

    /* FS base: write, read back, and an %fs-relative load sees it. */
    if ( check(wrmsr_safe(MSR_FS_BASE, (unsigned long)&slot[0]), "wrmsr(FS_BASE) faulted") )
    {
        check(rdmsr_safe(MSR_FS_BASE, &v), "rdmsr(FS_BASE) faulted");
        check_eq("FS_BASE read back", v, (unsigned long)&slot[0]);
        asm volatile ( "mov %%fs:8, %0" : "=r" (fs0) );
        check_eq("%fs:8 after wrmsr(FS_BASE)", fs0, 0x2222);
    }

    /* GS base in kernel mode is the kernel's GS. */
    if ( check(wrmsr_safe(MSR_GS_BASE, (unsigned long)&slot[1]), "wrmsr(GS_BASE) faulted") )
    {
        check(rdmsr_safe(MSR_GS_BASE, &v), "rdmsr(GS_BASE) faulted");
        check_eq("GS_BASE read back", v, (unsigned long)&slot[1]);
        asm volatile ( "mov %%gs:16, %0" : "=r" (gs0) );
        check_eq("%gs:16 after wrmsr(GS_BASE)", gs0, 0x4444);
    }

    if ( check(wrmsr_safe(MSR_KERNEL_GS_BASE, 0x123456789000ul), "wrmsr(KERNEL_GS_BASE) faulted") )
    {
        check(rdmsr_safe(MSR_KERNEL_GS_BASE, &v), "rdmsr(KERNEL_GS_BASE) faulted");
        check_eq("KERNEL_GS_BASE read back", v, 0x123456789000ul);
    }

    ex_reset();
    check(!wrmsr_safe(MSR_FS_BASE, 0x8000000000000000ul), "wrmsr(FS_BASE, non-canonical) did not fault");
    check_gp("wrmsr(FS_BASE, non-canonical)");

    ex_reset();
    check(!rdmsr_safe(0x12345678, &v), "rdmsr(0x12345678) did not fault");
    check_gp("rdmsr of an unknown MSR");
    ex_reset();
    check(!wrmsr_safe(0x12345678, 0), "wrmsr(0x12345678) did not fault");
    check_gp("wrmsr of an unknown MSR");

    ex_reset();
    check(!exec_user((long (*)(long))user_rdmsr, 0, &ret), "rdmsr in user mode did not fault");
    check_gp("rdmsr in user mode");
    check_eq("rdmsr in user mode: rip", ex_last.rip, (unsigned long)user_rdmsr_insn);

    wrmsr_safe(MSR_FS_BASE, 0);
    wrmsr_safe(MSR_GS_BASE, 0);
    wrmsr_safe(MSR_KERNEL_GS_BASE, 0);
}
