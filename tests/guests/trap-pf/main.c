/*
 * trap-pf - page faults raised in guest kernel mode: the error code (P, W, I; U clear because the
 * guest was in kernel mode, although the CPU was in ring 3), %cr2 in vcpu_info.arch.cr2 and through
 * the emulated "mov %cr2", and rip at the faulting instruction: read and write of an unmapped address,
 * write to a read-only data page, instruction fetch from an NX page and from an unmapped page.
 */
#include "guest.h"

const char test_title[] = "page faults in guest kernel mode";

#define UNMAPPED_VA 0x0000100000000000ul     /* L4 slot 32: nothing is mapped there */

static unsigned long exec_target;

/* An instruction fetch fault: resume at the caller's return address. */
static bool exec_fault_hook(struct cpu_regs *regs)
{
    if ( regs->vector != 14 || regs->rip != exec_target )
        return false;
    regs->rip = *(uint64_t *)regs->rsp;
    regs->rsp += 8;
    return true;
}

static void expect_pf(const char *what, uint64_t ec, uint64_t addr, uint64_t rip)
{
    char buf[96];

    snprintf(buf, sizeof(buf), "%s: vector", what);
    if ( !check_eq(buf, ex_last.vector, 14) )
        return;
    snprintf(buf, sizeof(buf), "%s: error code", what);
    check_eq(buf, ex_last.error_code, ec);
    snprintf(buf, sizeof(buf), "%s: vcpu_info cr2", what);
    check_eq(buf, ex_last.cr2, addr);
    snprintf(buf, sizeof(buf), "%s: rip", what);
    check_eq(buf, ex_last.rip, rip);
    snprintf(buf, sizeof(buf), "%s: mov from %%cr2", what);
    check_eq(buf, read_cr2(), addr);
}

void test_main(start_info_t *si)
{
    uint64_t insn;
    uint8_t *page;
    unsigned long va = scratch_va(MM_PT_WINDOWS);

    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[insn]\n\t"
                   "1: mov (%[p]), %%eax\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [insn] "=&r" (insn) : [p] "r" (UNMAPPED_VA + 0x123) : "rax", "memory" );
    expect_pf("read of an unmapped address", 0, UNMAPPED_VA + 0x123, insn);

    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[insn]\n\t"
                   "1: movb $1, (%[p])\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [insn] "=&r" (insn) : [p] "r" (UNMAPPED_VA + 0x456) : "memory" );
    expect_pf("write to an unmapped address", 2, UNMAPPED_VA + 0x456, insn);

    page = alloc_page();
    if ( !check_rc("remap a data page read-only", set_page_writable(page, false), 0) )
        return;
    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[insn]\n\t"
                   "1: movl $1, 8(%[p])\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [insn] "=&r" (insn) : [p] "r" (page) : "memory" );
    expect_pf("write to a read-only page", 3, (unsigned long)page + 8, insn);
    check_rc("remap it read-write", set_page_writable(page, true), 0);

    /* A page holding "ret", mapped non-executable. */
    page[0] = 0xc3;
    if ( !check_rc("map a page NX", hypercall_update_va_mapping(va, virt_to_maddr(page) | PTE_RW_FLAGS |
                                                               _PAGE_NX, UVMF_INVLPG | UVMF_LOCAL), 0) )
        return;
    ex_hook = exec_fault_hook;
    ex_reset();
    exec_target = va;
    ((void (*)(void))va)();
    expect_pf("instruction fetch from an NX page", 0x11, va, va);

    ex_reset();
    exec_target = UNMAPPED_VA;
    ((void (*)(void))UNMAPPED_VA)();
    expect_pf("instruction fetch from an unmapped page", 0x10, UNMAPPED_VA, UNMAPPED_VA);
    ex_hook = NULL;

    /* The same page executable: the call returns normally. */
    if ( check_rc("map it executable", hypercall_update_va_mapping(va, virt_to_maddr(page) | PTE_RW_FLAGS,
                                                                  UVMF_INVLPG | UVMF_LOCAL), 0) )
        ((void (*)(void))va)();
}
