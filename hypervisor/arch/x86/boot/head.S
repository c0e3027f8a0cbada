/*
 * head.S - the multiboot2 header and the 32-bit entry: checks, early page tables, long mode, then C.
 *
 * GRUB enters at `start` (physical address) in 32-bit protected mode with
 * paging off, EAX = multiboot2 magic, EBX = machine address of the boot
 * information.  We build temporary page tables that map
 *   - the first 4 GiB 1:1 (so this code keeps running after paging is on,
 *     and the boot information and modules stay reachable),
 *   - the same 4 GiB at DIRECTMAP_VIRT_START (the start of the direct map),
 *   - the first 1 GiB at HV_VIRT_START (the hypervisor image),
 * enable long mode, jump to the image's virtual address and call
 * __start_parva(magic, mbi) on CPU 0's stack.  C code replaces these
 * tables with the real ones (arch/x86/mm.c).
 */
#include <asm/config.h>
#include <asm/processor.h>
#include <asm/page.h>
#include <asm/current.h>

#define PHYS(sym)   ((sym) - HV_VIRT_START)
#define MB2_MAGIC   0xe85250d6
#define MB2_BOOTED  0x36d76289
#define MB2_ARCH    0               /* i386 protected mode */
#define PDE_LARGE   (_PAGE_PRESENT | _PAGE_RW | _PAGE_PSE)
#define PTE_TABLE   (_PAGE_PRESENT | _PAGE_RW)

        .section .multiboot2, "a"
        .balign 8
mb2_header:
        .long   MB2_MAGIC
        .long   MB2_ARCH
        .long   mb2_header_end - mb2_header
        .long   -(MB2_MAGIC + MB2_ARCH + (mb2_header_end - mb2_header))
        /* entry address tag (3): enter at the physical address of start */
        .balign 8
        .short  3, 0
        .long   12
        .long   PHYS(start)
        /* module alignment tag (6): modules start on page boundaries */
        .balign 8
        .short  6, 0
        .long   8
        /* end tag */
        .balign 8
        .short  0, 0
        .long   8
mb2_header_end:

        .section .text.head, "ax"
        .code32
        .globl  start
start:
        cld
        cli
        mov     $PHYS(cpu0_stack) + STACK_SIZE, %esp
        mov     %eax, %edi                      /* keep magic and MBI for C */
        mov     %ebx, %esi

        cmp     $MB2_BOOTED, %eax
        mov     $PHYS(msg_not_mb2), %ebx
        jne     early_fail

        /* long mode and NX? (CPUID 0x80000001 EDX bits 29, 20) */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        mov     $PHYS(msg_no_lm), %ebx
        jb      early_fail
        mov     $0x80000001, %eax
        cpuid
        mov     $PHYS(msg_no_lm), %ebx          /* cpuid clobbered it */
        bt      $29, %edx
        jnc     early_fail
        mov     %edx, %ebp                      /* EDX bit 20: NX */

        /* 2 MiB mappings: l2_ident covers 0-4 GiB, l2_hv covers 0-1 GiB */
        mov     $PHYS(l2_ident), %edx
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax                       /* low 32 bits of ecx << 21 */
        or      $PDE_LARGE, %eax
        mov     %ecx, %ebx
        shr     $11, %ebx                       /* high bits of ecx << 21 */
        mov     %eax, (%edx, %ecx, 8)
        mov     %ebx, 4(%edx, %ecx, 8)
        cmp     $512, %ecx
        jae     2f
        mov     %eax, PHYS(l2_hv)(, %ecx, 8)
        movl    $0, PHYS(l2_hv) + 4(, %ecx, 8)
2:      inc     %ecx
        cmp     $2048, %ecx
        jb      1b

        /* L3 tables: 4 x 1 GiB of identity, and the image's GiB */
        xor     %ecx, %ecx
3:      mov     %ecx, %eax
        shl     $12, %eax
        add     $PHYS(l2_ident) + PTE_TABLE, %eax
        mov     %eax, PHYS(l3_ident)(, %ecx, 8)
        inc     %ecx
        cmp     $4, %ecx
        jb      3b
        movl    $PHYS(l2_hv) + PTE_TABLE, PHYS(l3_hv) + 8 * ((HV_VIRT_START >> L3_SHIFT) & 511)

        /* L4: identity (slot 0), direct map, hypervisor image */
        movl    $PHYS(l3_ident) + PTE_TABLE, PHYS(boot_l4)
        movl    $PHYS(l3_ident) + PTE_TABLE, PHYS(boot_l4) + 8 * ((DIRECTMAP_VIRT_START >> L4_SHIFT) & 511)
        movl    $PHYS(l3_hv) + PTE_TABLE, PHYS(boot_l4) + 8 * ((HV_VIRT_START >> L4_SHIFT) & 511)

        /* PAE on, CR3, EFER.LME (+NXE), paging on */
        mov     %cr4, %eax
        or      $X86_CR4_PAE, %eax
        mov     %eax, %cr4
        mov     $PHYS(boot_l4), %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      $EFER_LME, %eax
        bt      $20, %ebp
        jnc     4f
        or      $EFER_NXE, %eax
4:      wrmsr
        mov     $(X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET | X86_CR0_MP | X86_CR0_PE), %eax
        mov     %eax, %cr0

        lgdt    PHYS(boot_gdtr)
        ljmp    $0x08, $PHYS(start64)

        /* ebx = message (physical address): print it on COM1 and VGA, then halt */
early_fail:
        mov     $0xb8000, %edi
5:      movzbl  (%ebx), %eax
        test    %eax, %eax
        jz      7f
        mov     $0x3fd, %dx
6:      inb     %dx, %al
        test    $0x20, %al
        jz      6b
        movzbl  (%ebx), %eax
        mov     $0x3f8, %dx
        outb    %al, %dx
        or      $0x4f00, %eax
        mov     %ax, (%edi)
        add     $2, %edi
        inc     %ebx
        jmp     5b
7:      hlt
        jmp     7b

        .code64
start64:
        movabs  $high64, %rax
        jmp     *%rax
high64:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        /* CPU 0's stack: struct cpu_info at the top (see asm/current.h) */
        lea     cpu0_stack + STACK_START_OFFSET(%rip), %rsp
        xor     %ebp, %ebp                      /* ends stack traces */
        mov     %edi, %edi                      /* magic (zero-extended) */
        mov     %esi, %esi                      /* MBI machine address */
        call    __start_parva
        ud2

        .section .rodata, "a"
msg_not_mb2:
        .asciz  "Parva: not started by a multiboot2 loader; halting.\r\n"
msg_no_lm:
        .asciz  "Parva: this CPU has no 64-bit long mode; halting.\r\n"

        .balign 8
boot_gdt:
        .quad   0
        .quad   0x00af9a000000ffff              /* 0x08: 64-bit code */
        .quad   0x00cf92000000ffff              /* 0x10: data */
boot_gdt_end:
boot_gdtr:
        .short  boot_gdt_end - boot_gdt - 1
        .long   PHYS(boot_gdt)

        .section .bss.page_aligned, "aw", @nobits
        .balign 4096
        .globl  boot_l4
boot_l4:        .skip 4096
l3_ident:       .skip 4096
l3_hv:          .skip 4096
l2_hv:          .skip 4096
l2_ident:       .skip 4 * 4096

        .section .bss.stack_aligned, "aw", @nobits
        .balign STACK_SIZE
        .globl  cpu0_stack
cpu0_stack:     .skip STACK_SIZE
