/*
 * stack-switch - HYPERVISOR_stack_switch sets the kernel stack that every entry from guest user mode
 * uses: the bounce frame of a syscall and of an int3 from user mode is built 16-byte aligned right
 * below the registered stack pointer, each time afresh.
 */
#include "guest.h"

const char test_title[] = "stack_switch";

static uint8_t stack_a[2 * PAGE_SIZE] __page_aligned_bss;

asm ( ".pushsection .user.text, \"ax\", @progbits\n"
      "user_two_entries:\n"
      "    mov $0x77, %eax\n"
      "    syscall\n"
      "    int3\n"
      "user_two_entries_after:\n"
      "    ret\n"
      ".popsection\n"
      ".pushsection .ex_table, \"a\"\n"
      ".balign 8\n"
      ".quad user_two_entries_after, user_two_entries_after\n"
      ".popsection" );
extern char user_two_entries[], user_two_entries_after[];

static uint64_t syscall_frame;

static bool syscall_handler(struct cpu_regs *regs)
{
    syscall_frame = (uint64_t)&regs->rip - 16;
    return true;
}

static void run(const char *what, unsigned long sp)
{
    unsigned long want = (sp & ~15ul) - 7 * 8;
    long ret;
    char buf[96];

    snprintf(buf, sizeof(buf), "%s: stack_switch", what);
    if ( !check_rc(buf, hypercall_stack_switch(FLAT_KERNEL_SS, sp), 0) )
        return;
    syscall_frame = 0;
    ex_reset();
    if ( !check(exec_user_flags((long (*)(long))user_two_entries, 0, &ret, USER_KEEP_KERNEL_SP),
                "%s: the user run faulted (%s)", what, vector_name(ex_last.vector)) )
        return;
    snprintf(buf, sizeof(buf), "%s: syscall frame", what);
    check_eq(buf, syscall_frame, want);
    snprintf(buf, sizeof(buf), "%s: int3 frame", what);
    check_eq(buf, ex_last.frame, want);
    snprintf(buf, sizeof(buf), "%s: exit syscall frame", what);
    check_eq(buf, syscall_last.frame, want);
}

void test_main(start_info_t *si)
{
    syscall_hook = syscall_handler;
    run("aligned stack", (unsigned long)stack_a + sizeof(stack_a));
    run("stack pointer 8 bytes lower", (unsigned long)stack_a + sizeof(stack_a) - 8);
    run("stack pointer in the first page", (unsigned long)stack_a + PAGE_SIZE - 0x30);
    /* The selector is not used by 64-bit guests; the call still succeeds. */
    check_rc("stack_switch with ss 0", hypercall_stack_switch(0, user_entry_sp()), 0);
}
