/*
 * Constants and structure offsets shared by the framework's assembly and C code.
 *
 * Design: struct cpu_regs (traps.h) is the frame every exception, syscall and event entry stub builds on
 * the stack; the offsets below must match its member order, checked at build time in traps.c.
 */
#ifndef GUEST_ASM_DEFS_H
#define GUEST_ASM_DEFS_H

#define PAGE_SIZE           4096

/* The framework's selectors: the flat 64-bit ones Xen provides (xen-x86_64.h). */
#define GUEST_KERNEL_CS     0xe033
#define GUEST_KERNEL_SS     0xe02b
#define GUEST_USER_CS       0xe033
#define GUEST_USER_SS       0xe02b

/* Pseudo-vectors for the entries that are not exceptions. */
#define VEC_SYSCALL         0x100
#define VEC_EVENT           0x101
#define VEC_FAILSAFE        0x102

/* The magic in %rax of the syscall with which user code gives control back to exec_user()'s caller. */
#define USER_EXIT_MAGIC     0x5061727641ul

/* Offsets in struct cpu_regs. */
#define REGS_r15            0
#define REGS_r14            8
#define REGS_r13            16
#define REGS_r12            24
#define REGS_rbp            32
#define REGS_rbx            40
#define REGS_r11            48
#define REGS_r10            56
#define REGS_r9             64
#define REGS_r8             72
#define REGS_rax            80
#define REGS_rcx            88
#define REGS_rdx            96
#define REGS_rsi            104
#define REGS_rdi            112
#define REGS_vector         120
#define REGS_error_code     128
#define REGS_rip            136
#define REGS_cs             144
#define REGS_rflags         152
#define REGS_rsp            160
#define REGS_ss             168
#define REGS_SIZE           176

/* Offsets in struct boot_regs (registers as the hypervisor handed them over at entry). */
#define BOOT_rax            0
#define BOOT_rbx            8
#define BOOT_rcx            16
#define BOOT_rdx            24
#define BOOT_rsi            32
#define BOOT_rdi            40
#define BOOT_rbp            48
#define BOOT_rsp            56
#define BOOT_r8             64
#define BOOT_r9             72
#define BOOT_r10            80
#define BOOT_r11            88
#define BOOT_r12            96
#define BOOT_r13            104
#define BOOT_r14            112
#define BOOT_r15            120
#define BOOT_rflags         128
#define BOOT_cs             136
#define BOOT_ss             144
#define BOOT_ds             152
#define BOOT_es             160
#define BOOT_fs             168
#define BOOT_gs             176
#define BOOT_SIZE           184

/* Offsets in struct user_ctx (exec_user's saved kernel context). */
#define UCTX_rsp            0
#define UCTX_active         8

#endif /* GUEST_ASM_DEFS_H */
