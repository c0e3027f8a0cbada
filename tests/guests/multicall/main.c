/*
 * multicall - HYPERVISOR_multicall runs a batch and stores each entry's own result (errors included)
 * while the multicall itself returns 0; the batch's calls take effect; a nested multicall entry is
 * refused with -EINVAL; count 0 is a no-op; a bad list pointer is -EFAULT. An iret entry is probed
 * with a prepared iret frame on the stack. Xen 4.17 does NOT refuse it: it carries out the iret
 * (returning to the frame's rip with its rax) and abandons the rest of the batch. The test accepts
 * that or a refusal (a negative result for the entry, the multicall returning normally); Linux never
 * batches an iret.
 */
#include "guest.h"

const char test_title[] = "multicall";

/* long mc_iret_probe(multicall_entry_t *calls, unsigned long nr, struct iret_context *frame) */
asm ( ".pushsection .text\n"
      "mc_iret_probe:\n"
      "    push %rbx\n"
      "    push %rbp\n"
      "    push %r12\n"
      "    push %r13\n"
      "    push %r14\n"
      "    push %r15\n"
      "    mov %rsp, mc_saved_rsp(%rip)\n"
      "    mov %rdx, %rsp\n"
      "    mov $13, %eax\n"
      "    syscall\n"
      "    movq $0, mc_iret_taken(%rip)\n"
      "    jmp 1f\n"
      "mc_iret_landing:\n"
      "    movq $1, mc_iret_taken(%rip)\n"
      "1:  mov mc_saved_rsp(%rip), %rsp\n"
      "    pop %r15\n"
      "    pop %r14\n"
      "    pop %r13\n"
      "    pop %r12\n"
      "    pop %rbp\n"
      "    pop %rbx\n"
      "    ret\n"
      ".popsection" );
long mc_iret_probe(multicall_entry_t *calls, unsigned long nr, struct iret_context *frame);
extern char mc_iret_landing[];
uint64_t mc_saved_rsp, mc_iret_taken;

static uint8_t probe_stack[PAGE_SIZE] __page_aligned_bss;

static void entry(multicall_entry_t *e, unsigned long op, unsigned long a0, unsigned long a1,
                  unsigned long a2)
{
    memset(e, 0, sizeof(*e));
    e->op = op;
    e->args[0] = a0;
    e->args[1] = a1;
    e->args[2] = a2;
    e->result = 0xdeadbeef;
}

void test_main(start_info_t *si)
{
    static multicall_entry_t mc[8], nested[1];
    struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    unsigned long va = scratch_va(MM_PT_WINDOWS);
    struct iret_context *frame;
    uint64_t *page = alloc_page(), v;
    long rc;

    page[0] = 0x600d;
    entry(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    entry(&mc[1], __HYPERVISOR_xen_version, 99, 0, 0);
    entry(&mc[2], __HYPERVISOR_mmuext_op, (unsigned long)&flush, 1, 0);
    mc[2].args[3] = DOMID_SELF;
    entry(&mc[3], __HYPERVISOR_update_va_mapping, va, virt_to_maddr(page) | PTE_RW_FLAGS, UVMF_INVLPG);
    entry(&mc[4], __HYPERVISOR_stack_switch, FLAT_KERNEL_SS, user_entry_sp(), 0);
    entry(&mc[5], __HYPERVISOR_fpu_taskswitch, 0, 0, 0);
    entry(&mc[6], 63, 0, 0, 0);
    entry(&mc[7], __HYPERVISOR_multicall, (unsigned long)nested, 0, 0);
    entry(&nested[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0);

    rc = hypercall_multicall(mc, 8);
    check_rc("multicall of 8", rc, 0);
    check_eq("entry 0 (xen_version)", mc[0].result, (4 << 16) | 17);
    check_eq("entry 1 (xen_version 99)", mc[1].result, (unsigned long)-ENOSYS);
    check_eq("entry 2 (mmuext_op)", mc[2].result, 0);
    check_eq("entry 3 (update_va_mapping)", mc[3].result, 0);
    check_eq("entry 4 (stack_switch)", mc[4].result, 0);
    check_eq("entry 5 (fpu_taskswitch)", mc[5].result, 0);
    check_eq("entry 6 (hypercall 63)", mc[6].result, (unsigned long)-ENOSYS);
    check_eq("entry 7 (nested multicall)", mc[7].result, (unsigned long)-EINVAL);
    check_eq("the nested list was not run", nested[0].result, 0xdeadbeef);
    check(read64_safe((void *)va, &v) && v == 0x600d, "the batched update_va_mapping did not take effect");

    check_rc("multicall of 0", hypercall_multicall(mc, 0), 0);
    check_rc("multicall from a bad list", hypercall_multicall((multicall_entry_t *)0x0000100000000000ul, 1),
             -EFAULT);

    /* iret inside a multicall, with a valid iret frame where the guest stack pointer is. */
    frame = (struct iret_context *)(probe_stack + PAGE_SIZE - 256);
    memset(frame, 0, sizeof(*frame));
    frame->rax = 0x1a1a;
    frame->rip = (unsigned long)mc_iret_landing;
    frame->cs = FLAT_KERNEL_CS & ~3;
    frame->rflags = X86_EFLAGS_MBS;
    frame->rsp = (unsigned long)probe_stack + PAGE_SIZE - 512;
    frame->ss = FLAT_KERNEL_SS;
    entry(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    entry(&mc[1], __HYPERVISOR_iret, 0, 0, 0);
    entry(&mc[2], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    rc = mc_iret_probe(mc, 3, frame);
    printf("multicall with an iret entry: returned %#lx, iret %s, results %#lx %#lx %#lx\n", rc,
           mc_iret_taken ? "executed" : "not executed", mc[0].result, mc[1].result, mc[2].result);
    check_eq("entry before the iret", mc[0].result, (4 << 16) | 17);
    if ( mc_iret_taken )
    {
        /* Xen 4.17: the iret is carried out and ends the batch (its result is the frame's rax). */
        check_eq("multicall return value = the iret frame's rax", rc, 0x1a1a);
        check_eq("iret entry result", mc[1].result, 0x1a1a);
        check_eq("entry after the iret not run", mc[2].result, 0xdeadbeef);
    }
    else
    {
        /* Refusing it is the other acceptable behaviour. */
        check_rc("multicall with a refused iret entry", rc, 0);
        check((long)mc[1].result < 0, "the iret entry was neither executed nor refused (result %#lx)",
              mc[1].result);
    }
}
