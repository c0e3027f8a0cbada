/* test_pv_bounce.c - the bounce frame a PV guest kernel receives, and HYPERVISOR_iret's frame. */
#include <string.h>
#include <asm/processor.h>
#include <asm/pv_bounce.h>

static struct cpu_user_regs kernel_regs(void)
{
    struct cpu_user_regs r;

    memset(&r, 0, sizeof(r));
    r.rip = 0xffffffff81001234UL;
    r.cs = FLAT_KERNEL_CS;                  /* 0xe033: RPL 3 in hardware */
    r.rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS | X86_EFLAGS_TF | X86_EFLAGS_AC | 0x1;
    r.rsp = 0xffffc90000003f58UL;           /* not 16-aligned */
    r.ss = FLAT_KERNEL_SS;
    r.rcx = 0x1111;
    r.r11 = 0x2222;
    return r;
}

static void test_kernel_mode_frame_with_error_code(void **state)
{
    struct cpu_user_regs r = kernel_regs(), out;
    struct pv_bounce b = { .guest_kernel_mode = true, .kernel_sp = 0xdead0000, .upcall_mask = 0,
                           .iopl = 0, .has_error = true, .error_code = 0x2, .handler = 0xffffffff81002000UL };
    uint64_t f[PV_BOUNCE_MAX_WORDS], va;
    unsigned int n;

    (void)state;
    n = pv_bounce_frame(&r, &b, f, &va, &out);
    assert_int_equal(n, 8);
    /* Current stack, aligned down to 16, then 8 words below. */
    assert_int_equal(va, 0xffffc90000003f50UL - 64);
    assert_int_equal(f[0], 0x1111);                         /* rcx on top */
    assert_int_equal(f[1], 0x2222);                         /* r11 */
    assert_int_equal(f[2], 0x2);                            /* error code */
    assert_int_equal(f[3], 0xffffffff81001234UL);           /* rip */
    assert_int_equal(f[4], FLAT_KERNEL_CS & ~3);            /* RPL cleared: it was guest kernel mode */
    assert_int_equal(f[5] & X86_EFLAGS_IF, X86_EFLAGS_IF);  /* events were unmasked */
    assert_int_equal(f[6], 0xffffc90000003f58UL);           /* the interrupted rsp, unaligned */
    assert_int_equal(f[7], FLAT_KERNEL_SS);
    assert_int_equal(out.rsp, va);
    assert_int_equal(out.rip, 0xffffffff81002000UL);
    assert_int_equal(out.cs, FLAT_KERNEL_CS);
    assert_int_equal(out.ss, FLAT_KERNEL_SS);
    assert_int_equal(out.rflags & (X86_EFLAGS_TF | X86_EFLAGS_AC), 0);
    assert_int_equal(out.rflags & X86_EFLAGS_IF, X86_EFLAGS_IF);  /* hardware IF stays on */
    assert_int_equal(out.rcx, 0x1111);                      /* registers themselves unchanged */
}

static void test_user_mode_uses_kernel_stack_and_keeps_rpl(void **state)
{
    struct cpu_user_regs r = kernel_regs(), out;
    struct pv_bounce b = { .guest_kernel_mode = false, .kernel_sp = 0xffffc90000008008UL,
                           .upcall_mask = 1, .iopl = 1, .has_error = false, .handler = 0x5000 };
    uint64_t f[PV_BOUNCE_MAX_WORDS], va;
    unsigned int n;

    (void)state;
    r.cs = 0x33;                    /* Linux's user CS */
    r.ss = 0x2b;
    r.rsp = 0x7ffffffde000UL;
    n = pv_bounce_frame(&r, &b, f, &va, &out);
    assert_int_equal(n, 7);         /* no error code */
    assert_int_equal(va, 0xffffc90000008000UL - 56);
    assert_int_equal(f[2], r.rip);
    assert_int_equal(f[3] & 0xffff, 0x33);                  /* user CS keeps RPL 3 */
    assert_int_equal(f[3] >> 32, 1);                        /* saved upcall mask */
    assert_int_equal(f[4] & X86_EFLAGS_IF, 0);              /* masked: virtual IF clear */
    assert_int_equal((f[4] & X86_EFLAGS_IOPL) >> 12, 1);    /* virtual IOPL */
    assert_int_equal(f[5], 0x7ffffffde000UL);
    assert_int_equal(f[6], 0x2b);
    assert_int_equal(out.rsp, va);
}

static void test_iret_to_user_restores_everything(void **state)
{
    struct cpu_user_regs r;
    struct iret_context f = { .rax = 42, .r11 = 0x246, .rcx = 0x401000, .flags = 0, .rip = 0x401000,
                              .cs = 0x33, .rflags = X86_EFLAGS_IF | X86_EFLAGS_IOPL | 0x1, .rsp = 0x7fff0000,
                              .ss = 0x2b };
    bool to_user;
    uint8_t mask = 7;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(pv_iret_frame(&f, &r, &to_user, &mask), 0);
    assert_true(to_user);
    assert_int_equal(mask, 0);
    assert_int_equal(r.rip, 0x401000);
    assert_int_equal(r.cs, 0x33);
    assert_int_equal(r.rflags & X86_EFLAGS_IOPL, 0);        /* real IOPL never given to the guest */
    assert_int_equal(r.rflags & X86_EFLAGS_IF, X86_EFLAGS_IF);
    assert_int_equal(r.rflags & 1, 1);                      /* CF kept */
    assert_int_equal(r.rsp, 0x7fff0000);
    assert_int_equal(r.ss, 0x2b);
    assert_int_equal(r.rcx, 0x401000);
    assert_int_equal(r.r11, 0x246);
    assert_int_equal(r.rax, 42);
}

static void test_iret_to_kernel_forces_rpl3_and_masks(void **state)
{
    struct cpu_user_regs r;
    struct iret_context f = { .rip = 0xffffffff81000000UL, .cs = 0xe030, .rflags = 0,
                              .rsp = 0xffffc90000000000UL, .ss = 0xe028, .flags = VGCF_in_syscall,
                              .rcx = 5, .r11 = 6 };
    bool to_user;
    uint8_t mask;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.rcx = 1;
    r.r11 = 2;
    assert_int_equal(pv_iret_frame(&f, &r, &to_user, &mask), 0);
    assert_false(to_user);
    assert_int_equal(r.cs, 0xe033);
    assert_int_equal(r.ss, 0xe02b);
    assert_int_equal(mask, 1);                              /* IF clear in the frame: events masked */
    assert_int_equal(r.rcx, f.rip);                         /* VGCF_in_syscall: as SYSRET leaves them */
    assert_int_equal(r.r11, r.rflags);
}

static void test_iret_refuses_non_canonical(void **state)
{
    struct cpu_user_regs r;
    struct iret_context f = { .rip = 0x0000800000000000UL, .cs = 0x33, .rsp = 0x1000, .ss = 0x2b };
    bool to_user;
    uint8_t mask;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(pv_iret_frame(&f, &r, &to_user, &mask), -EINVAL);
    f.rip = 0x1000;
    f.rsp = 0xffff7fffffffffffUL;
    assert_int_equal(pv_iret_frame(&f, &r, &to_user, &mask), -EINVAL);
    assert_int_equal(r.rip, 0);                             /* nothing applied */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_mode_frame_with_error_code),
        cmocka_unit_test(test_user_mode_uses_kernel_stack_and_keeps_rpl),
        cmocka_unit_test(test_iret_to_user_restores_everything),
        cmocka_unit_test(test_iret_to_kernel_forces_rpl3_and_masks),
        cmocka_unit_test(test_iret_refuses_non_canonical),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
