/*
 * trap-vectors - which vector, error code and %rip each kind of exception delivers in guest kernel
 * mode: #DE (div by zero), #BP from int3 and from "int $3" (traps: rip after the instruction), into
 * (invalid in 64-bit mode: #UD), #GP(0) from a non-canonical access, "int $n" through a DPL-0 gate
 * (#GP with error code n*8+2) and through a DPL-1 gate (delivered as vector n, rip after it; not
 * checkable under QEMU TCG 7.2, whose #GP error code for "int n" in 64-bit mode is n*16+2). Xen quirk
 * kept: int3 and "int $4" are delivered as #BP/#OF even when the guest's gate has DPL 0, because
 * Xen's own IDT gives vectors 3 and 4 DPL 3 and does not look at the guest's DPL for them.
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
    bool qemu_int_bug = false;

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

    /*
     * Vector 6 has DPL 0 in the trap table: "int $6" from the guest kernel is a #GP whose error code
     * names the IDT entry: 6 * 8 + 2 architecturally. QEMU's TCG (7.2) reports n * 16 + 2 in 64-bit
     * mode; the hypervisor passes the CPU's error code on, and decodes the vector from it when it
     * decides whether a DPL >= 1 gate lets the guest kernel raise the vector itself. With that QEMU
     * bug the decoded vector is wrong (2n), so the DPL-1 delivery check only runs on a correct CPU.
     */
    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[insn]\n\t"
                   "1: int $6\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [insn] "=&r" (insn) :: "memory" );
    if ( ex_last.vector == 13 && ex_last.error_code == 6 * 16 + 2 )
    {
        printf("note: the CPU reports int $n #GP error codes as n * 16 + 2 (QEMU TCG bug): "
               "skipping the DPL 1 delivery check\n");
        qemu_int_bug = true;
    }
    else
        expect("int $6 through a DPL 0 gate (#GP)", 13, true, 6 * 8 + 2, insn);

    /* With DPL 1 the guest kernel may raise it: vector 5 arrives with rip after the instruction. */
    if ( !qemu_int_bug && check_rc("set_trap_table(vector 5, DPL 1)", traps_set_flags(5, 1), 0) )
    {
        ex_reset();
        asm volatile ( "lea 1f(%%rip), %[after]\n\t"
                       "int $5\n\t"
                       "1:\n\t"
                       _ASM_EXTABLE(1b, 1b)
                       : [after] "=&r" (after) :: "memory" );
        expect("int $5 through a DPL 1 gate", 5, false, 0, after);
        check_rc("set_trap_table(vector 5, DPL 0)", traps_set_flags(5, 0), 0);
    }

    /*
     * Vectors 3 and 4 are different: the hypervisor's own IDT gives them DPL 3 (so that int3/into
     * trap directly), and Xen delivers them whatever DPL the guest's trap table says.
     */
    check_rc("set_trap_table(vector 3, DPL 0)", traps_set_flags(3, 0), 0);
    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[after]\n\t"
                   "int3\n\t"
                   "1:\n\t"
                   _ASM_EXTABLE(1b, 1b)
                   : [after] "=&r" (after) :: "memory" );
    expect("int3 with a DPL 0 gate (#BP regardless)", 3, false, 0, after);
    check_rc("set_trap_table(vector 3, DPL 3)", traps_set_flags(3, 3), 0);
    ex_reset();
    asm volatile ( "lea 1f(%%rip), %[after]\n\t"
                   "int $4\n\t"
                   "1:\n\t"
                   _ASM_EXTABLE(1b, 1b)
                   : [after] "=&r" (after) :: "memory" );
    expect("int $4 with a DPL 0 gate (#OF regardless)", 4, false, 0, after);
}
