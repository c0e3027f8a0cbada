/*
 * iret - HYPERVISOR_iret from guest kernel mode to guest kernel mode: it resumes at the frame's rip
 * and rsp with rax, rcx and r11 taken from the frame, the upcall mask set from !RFLAGS.IF, the
 * arithmetic flags kept and IOPL/VM stripped. With VGCF_in_syscall in the frame's flags rcx and r11
 * are not taken from the frame (Xen returns the way a sysret does: rcx = rip, r11 = rflags).
 */
#include "guest.h"

const char test_title[] = "HYPERVISOR_iret to kernel mode";

/* void iret_probe(struct iret_context *frame): fills in rip/rsp, irets, records what arrived. */
asm ( ".pushsection .text\n"
      "iret_probe:\n"
      "    push %rbx\n"
      "    push %rbp\n"
      "    push %r12\n"
      "    push %r13\n"
      "    push %r14\n"
      "    push %r15\n"
      "    mov %rsp, probe_saved_rsp(%rip)\n"
      "    mov %rsp, 56(%rdi)\n"
      "    lea iret_landing(%rip), %rax\n"
      "    mov %rax, 32(%rdi)\n"
      "    jmp hypercall_iret_frame\n"
      "iret_landing:\n"
      "    mov %rax, probe_rax(%rip)\n"
      "    mov %rcx, probe_rcx(%rip)\n"
      "    mov %r11, probe_r11(%rip)\n"
      "    mov %rsp, probe_rsp(%rip)\n"
      "    pushf\n"
      "    pop probe_rflags(%rip)\n"
      "    mov probe_saved_rsp(%rip), %rsp\n"
      "    pop %r15\n"
      "    pop %r14\n"
      "    pop %r13\n"
      "    pop %r12\n"
      "    pop %rbp\n"
      "    pop %rbx\n"
      "    ret\n"
      ".popsection" );
void iret_probe(struct iret_context *frame);
extern char iret_landing[];
uint64_t probe_saved_rsp, probe_rax, probe_rcx, probe_r11, probe_rsp, probe_rflags;

static struct iret_context frame_area[2] __aligned(64);

static void run(const char *what, uint64_t flags, uint64_t rflags)
{
    struct iret_context *f = &frame_area[0];
    char buf[96];

    memset(f, 0, sizeof(*f));
    f->rax = 0xa0a0a0a0;
    f->r11 = 0xb1b1b1b1;
    f->rcx = 0xc2c2c2c2;
    f->flags = flags;
    f->cs = FLAT_KERNEL_CS & ~3;
    f->rflags = rflags;
    f->ss = FLAT_KERNEL_SS;
    iret_probe(f);

    snprintf(buf, sizeof(buf), "%s: rsp", what);
    check_eq(buf, probe_rsp, probe_saved_rsp);
    snprintf(buf, sizeof(buf), "%s: rax", what);
    check_eq(buf, probe_rax, 0xa0a0a0a0);
    if ( flags & VGCF_in_syscall )
    {
        snprintf(buf, sizeof(buf), "%s: rcx (= rip, as after sysret)", what);
        check_eq(buf, probe_rcx, (unsigned long)iret_landing);
        snprintf(buf, sizeof(buf), "%s: r11 (= rflags, as after sysret)", what);
        check_eq(buf, probe_r11 & 0xcd5, rflags & 0xcd5);
    }
    else
    {
        snprintf(buf, sizeof(buf), "%s: rcx", what);
        check_eq(buf, probe_rcx, 0xc2c2c2c2);
        snprintf(buf, sizeof(buf), "%s: r11", what);
        check_eq(buf, probe_r11, 0xb1b1b1b1);
    }
    snprintf(buf, sizeof(buf), "%s: upcall mask (= !IF)", what);
    check_eq(buf, vcpu0_info->evtchn_upcall_mask, !(rflags & X86_EFLAGS_IF));
    snprintf(buf, sizeof(buf), "%s: arithmetic flags kept", what);
    check_eq(buf, probe_rflags & 0xcd5, rflags & 0xcd5);
    snprintf(buf, sizeof(buf), "%s: IOPL stripped", what);
    check_eq(buf, probe_rflags & X86_EFLAGS_IOPL, 0);
    vcpu0_info->evtchn_upcall_mask = 1;
}

void test_main(start_info_t *si)
{
    /* Nothing is bound, so nothing can be pending while the mask is 0. */
    run("IF=0", 0, X86_EFLAGS_MBS | X86_EFLAGS_CF);
    run("IF=1", 0, X86_EFLAGS_MBS | X86_EFLAGS_IF | X86_EFLAGS_ZF);
    run("IOPL=3 in the frame", 0, X86_EFLAGS_MBS | X86_EFLAGS_IOPL | X86_EFLAGS_CF);
    run("VGCF_in_syscall", VGCF_in_syscall, X86_EFLAGS_MBS | X86_EFLAGS_CF);
}
