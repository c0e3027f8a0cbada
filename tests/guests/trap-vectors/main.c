/*
 * trap-vectors - which vector, error code and %rip each kind of exception delivers in guest kernel
 * mode: #DE (div by zero), #BP from int3 and from "int $3" (traps: rip after the instruction), into
 * (invalid in 64-bit mode: #UD), #GP(0) from a non-canonical access, "int $n" through a DPL-0 gate
 * (#GP with error code n*8+2) and through a DPL-1/3 gate (delivered as vector n, rip after it).
 */
#include "guest.h"

const char test_title[] = "exception vectors, error codes and rip";

static void expect(const char *what, unsigned int vector, bool has_ec, uint64_t ec, uint64_t rip)
{
    char buf[96];

    snprintf(buf, sizeof(buf), "%s: vector", what);
    if ( !check_eq(buf, ex_last.vector, vector) )
        return;
    if ( has_ec )
    {
        snprintf(buf, sizeof(buf), "%s: error code", what);
        check_eq(buf, ex_last.error_code, ec);
    }
    snprintf(buf, sizeof(buf), "%s: rip", what);
    check_eq(buf, ex_last.rip, rip);
    snprintf(buf, sizeof(buf), "%s: cs", what);
    check_eq(buf, ex_last.cs & 0xffff, FLAT_KERNEL_CS & ~3);
}

void test_main(start_info_t *si)
{
    uint64_t insn, after;

    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[insn]\n\t"
                   "xor %%edx, %%edx\n\t"
                   "xor %%ecx, %%ecx\n\t"
                   "mov $1, %%eax\n\t"
                   "1: div %%ecx\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [insn] "=&r" (insn) :: "rax", "rcx", "rdx", "memory" );
    expect("div by zero (#DE)", 0, false, 0, insn);

    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[after]\n\t"
                   "int3\n\t"
                   "1:\n\t"
                   _ASM_EXTABLE(1b, 1b)
                   : [after] "=&r" (after) :: "memory" );
    expect("int3 (#BP)", 3, false, 0, after);

    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[after]\n\t"
                   "int $3\n\t"
                   "1:\n\t"
                   _ASM_EXTABLE(1b, 1b)
                   : [after] "=&r" (after) :: "memory" );
    expect("int $3 (#BP)", 3, false, 0, after);

    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[insn]\n\t"
                   "1: .byte 0xce\n\t"          /* into: invalid in 64-bit mode */
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [insn] "=&r" (insn) :: "memory" );
    expect("into (#UD in 64-bit mode)", 6, false, 0, insn);

    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[insn]\n\t"
                   "1: movabs 0x8000000000000000, %%al\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [insn] "=&r" (insn) :: "rax", "memory" );
    expect("non-canonical read (#GP)", 13, true, 0, insn);

    /* Vector 6 has DPL 0 in the trap table: "int $6" from the guest kernel is a #GP(6 * 8 + 2). */
    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[insn]\n\t"
                   "1: int $6\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [insn] "=&r" (insn) :: "memory" );
    expect("int $6 through a DPL 0 gate (#GP)", 13, true, 6 * 8 + 2, insn);

    /* With DPL 1 the guest kernel may raise it: vector 4 arrives with rip after the instruction. */
    if ( check_rc("set_trap_table(vector 4, DPL 1)", traps_set_flags(4, 1), 0) )
    {
        ex_reset();
        asm volatile ( "lea 1f(%%rip), %[after]\n\t"
                       "int $4\n\t"
                       "1:\n\t"
                       _ASM_EXTABLE(1b, 1b)
                       : [after] "=&r" (after) :: "memory" );
        expect("int $4 through a DPL 1 gate", 4, false, 0, after);
    }
    if ( check_rc("set_trap_table(vector 4, DPL 3)", traps_set_flags(4, 3), 0) )
    {
        ex_reset();
        asm volatile ( "lea 1f(%%rip), %[after]\n\t"
                       "int $4\n\t"
                       "1:\n\t"
                       _ASM_EXTABLE(1b, 1b)
                       : [after] "=&r" (after) :: "memory" );
        expect("int $4 through a DPL 3 gate", 4, false, 0, after);
    }
    check_rc("set_trap_table(vector 4, DPL 0)", traps_set_flags(4, 0), 0);
    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[insn]\n\t"
                   "1: int $4\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [insn] "=&r" (insn) :: "memory" );
    expect("int $4 through a DPL 0 gate again (#GP)", 13, true, 4 * 8 + 2, insn);
}
