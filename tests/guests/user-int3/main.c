/*
 * user-int3 - int3 (and "int $3") in guest user mode is delivered as #BP to the guest kernel: rip after
 * the instruction, CS with RPL 3, the frame on kernel_sp, even through a DPL-0 gate (Xen's IDT gives
 * vector 3 DPL 3). The handler returns to user mode with HYPERVISOR_iret and user code carries on.
 * "int $5" through a DPL-0 gate is a #GP from user mode.
 */
#include "guest.h"

const char test_title[] = "int3 from user mode";

asm ( ".pushsection .user.text, \"ax\", @progbits\n"
      "user_int3:\n"
      "    mov $7, %eax\n"
      "    int3\n"
      "user_int3_after:\n"
      "    add $1, %eax\n"
      "    int $3\n"
      "user_int3_after2:\n"
      "    add $1, %eax\n"
      "    ret\n"
      "user_int5:\n"
      "user_int5_insn:\n"
      "    int $5\n"
      "    ret\n"
      ".popsection\n"
      /* Resume user mode right after each int3. */
      ".pushsection .ex_table, \"a\"\n"
      ".balign 8\n"
      ".quad user_int3_after, user_int3_after\n"
      ".quad user_int3_after2, user_int3_after2\n"
      ".popsection" );
extern char user_int3[], user_int3_after[], user_int3_after2[], user_int5[], user_int5_insn[];

void test_main(start_info_t *si)
{
    long ret = 0;

    for ( unsigned int dpl = 3; ; dpl = 0 )
    {
        char what[64];

        snprintf(what, sizeof(what), "int3 in user mode, gate DPL %u", dpl);
        traps_set_flags(3, dpl);
        ex_reset();
        if ( check(exec_user((long (*)(long))user_int3, 0, &ret), "%s: the user run faulted (%s at %#lx)",
                   what, vector_name(ex_last.vector), ex_last.rip) )
        {
            check_eq("value computed around two int3s", ret, 9);
            check_eq("#BP delivered twice", ex_count, 2);
            check_eq("#BP vector", ex_last.vector, 3);
            check_eq("rip after int $3", ex_last.rip, (unsigned long)user_int3_after2);
            check_eq("cs", ex_last.cs, (1ull << 32) | FLAT_USER_CS);
            check_eq("frame on kernel_sp", ex_last.frame, (user_entry_sp() & ~15ul) - 7 * 8);
        }
        if ( dpl == 0 )
            break;
    }
    traps_set_flags(3, 3);

    ex_reset();
    check(!exec_user((long (*)(long))user_int5, 0, &ret), "int $5 in user mode did not fault");
    if ( check_eq("int $5 through a DPL 0 gate: vector", ex_last.vector, 13) )
    {
        /* 5 * 16 + 2 is QEMU TCG's (wrong) 64-bit error code; see trap-vectors. */
        check(ex_last.error_code == 5 * 8 + 2 || ex_last.error_code == 5 * 16 + 2,
              "int $5: error code %#lx", ex_last.error_code);
        check_eq("int $5: rip", ex_last.rip, (unsigned long)user_int5_insn);
        check_eq("int $5: cs", ex_last.cs & 0xffff, FLAT_USER_CS);
    }
}
