/*
 * entry.S - the 256 interrupt and exception entry stubs and the common save/restore path.
 *
 * Every stub leaves a struct cpu_user_regs (Xen's public layout) on the
 * stack: the CPU pushes SS, RSP, RFLAGS, CS, RIP and, for some exceptions,
 * an error code; the stub pushes a zero error code where the CPU does not,
 * stores the vector in the upper half of that slot (entry_vector), and the
 * common path pushes the general registers.  Vectors 0-31 go to
 * do_exception(), the rest to do_interrupt().
 */
#include <asm/asm_defns.h>
#include <asm/current.h>
#include <asm/entry_macros.h>
#include <asm/desc.h>

/* Exceptions for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
                        (v) == 29 || (v) == 30)

        .text

/* Common path: regs on the stack; \handler(regs) in C. */
.macro ENTRY_COMMON handler
        ASM_CLAC                                /* never run the hypervisor with EFLAGS.AC set */
        SAVE_ALL
        movq    %rsp, %rdi
        /*
         * Keep a frame-pointer chain for stack traces: a fake frame whose return
         * address is the trapped RIP (8 bytes of padding keep the call 16-aligned).
         */
        subq    $8, %rsp
        pushq   UREGS_rip(%rdi)
        pushq   %rbp
        movq    %rsp, %rbp
        call    \handler
        addq    $24, %rsp
        RESTORE_ALL
1:      iretq
        /* Towards a guest, the frame may hold what the CPU refuses (selectors, RIP): pv/entry.S. */
        _ASM_EXTABLE 1b, bad_iret
.endm

/*
 * NMI, #DB, #DF and #MC arrive on IST stacks.  When they interrupted a guest, the guest's frame
 * must still end up in cpu_info (where the PV code keeps a running guest's registers): move the
 * hardware frame (and its error/vector slot) there and continue on the normal stack, as Xen does.
 */
handle_exception:
        testb   $3, 16(%rsp)                    /* CS of the interrupted context: guest? */
        jz      2f
        pushq   %rax
        pushq   %rcx
        pushq   %rsi
        leaq    24(%rsp), %rsi                  /* the frame as it is (error/vector slot first) */
        movq    %rsp, %rax
        andq    $~(STACK_SIZE - 1), %rax
        addq    $(STACK_SIZE - CPU_INFO_SIZE + UREGS_error_code), %rax
        cmpq    %rax, %rsi
        je      1f                              /* already there: not an IST stack */
        movq    0(%rsi), %rcx
        movq    %rcx, 0(%rax)
        movq    8(%rsi), %rcx
        movq    %rcx, 8(%rax)
        movq    16(%rsi), %rcx
        movq    %rcx, 16(%rax)
        movq    24(%rsi), %rcx
        movq    %rcx, 24(%rax)
        movq    32(%rsi), %rcx
        movq    %rcx, 32(%rax)
        movq    40(%rsi), %rcx
        movq    %rcx, 40(%rax)
        movq    %rsp, %rcx                      /* the three saved registers, on the IST stack */
        movq    %rax, %rsp
        movq    16(%rcx), %rax
        movq    0(%rcx), %rsi
        movq    8(%rcx), %rcx
        jmp     2f
1:      popq    %rsi
        popq    %rcx
        popq    %rax
2:      ENTRY_COMMON do_exception

handle_interrupt:
        ENTRY_COMMON do_interrupt

/* One stub per vector, each 16 bytes apart; entry_stubs[v] is the address of stub v. */
        .balign 16
        .globl  entry_stubs_start
entry_stubs_start:
vec = 0
.rept 256
        .balign 16
1:
.if HAS_ERRCODE(vec)
        movl    $vec, 4(%rsp)
.else
        pushq   $0
        movl    $vec, 4(%rsp)
.endif
.if vec < 32
        jmp     handle_exception
.else
        jmp     handle_interrupt
.endif
        .pushsection .rodata, "a"
        .balign 8
.if vec == 0
        .globl  entry_stubs
entry_stubs:
.endif
        .quad   1b
        .popsection
vec = vec + 1
.endr
