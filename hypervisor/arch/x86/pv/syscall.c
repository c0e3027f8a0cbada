/*
 * syscall.c (pv) - the SYSCALL entry point of each CPU: MSRs and a per-CPU stub that finds the stack.
 *
 * SYSCALL from a PV guest (its kernel's hypercalls, its user's system calls)
 * arrives in ring 0 on the guest's stack, with no free register.  Each CPU
 * therefore gets its own stub, generated here with that CPU's addresses baked
 * in, which saves RAX to a scratch slot in cpu_info, switches RSP to the
 * guest register frame in cpu_info, pushes SS/RSP/RFLAGS/CS/RIP as an
 * exception would, reloads RAX and jumps to lstar_common (pv/entry.S).
 * The stubs live in two executable pages of the vmap area: the 64-bit
 * SYSCALL (LSTAR) stubs, then the 32-bit ones (CSTAR: SYSCALL from
 * compatibility-mode code, which AMD CPUs allow at CPL3), which differ only
 * in the CS they push (FLAT_USER_CS32), so do_guest_syscall() can tell them
 * apart.  SYSENTER stays disabled: SYSENTER_CS is 0, so it raises #GP, which
 * the guest receives.
 */
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/smp.h>

#define STUB_SIZE   64
#define STUB_PAGES  2           /* LSTAR stubs, then CSTAR stubs */
BUILD_BUG_ON(NR_CPUS * STUB_SIZE > PAGE_SIZE);

extern char lstar_common[];
static uint8_t *stub_page_rw;       /* direct-map alias, written at CPU bring-up */
static unsigned long stub_page_va;  /* executable mapping */

/* Flags SYSCALL clears: interrupts off, no single-step, DF/AC/NT clear, IOPL 0. */
#define SYSCALL_MASK (X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_AC | X86_EFLAGS_IOPL | \
                      X86_EFLAGS_RF | 0x400 /* DF */)

static uint8_t *emit(uint8_t *p, const void *bytes, unsigned int n)
{
    memcpy(p, bytes, n);
    return p + n;
}

static uint8_t *emit64(uint8_t *p, uint64_t v)
{
    return emit(p, &v, 8);
}

/* cs: the code selector the stub reports (FLAT_USER_CS64 for LSTAR, FLAT_USER_CS32 for CSTAR). */
static void write_stub(uint8_t *p, unsigned int cpu, uint16_t cs)
{
    struct cpu_info *ci = cpu_info_of_stack(pcpus[cpu].stack_block);
    uint64_t scratch = (uint64_t)&ci->syscall_scratch;
    uint64_t frame_top = (uint64_t)&ci->guest_cpu_user_regs.es;
    static const uint8_t movabs_rax_to[] = { 0x48, 0xa3 };          /* movabs %rax, moffs64 */
    static const uint8_t mov_rsp_rax[] = { 0x48, 0x89, 0xe0 };       /* mov %rsp, %rax */
    static const uint8_t movabs_rsp[] = { 0x48, 0xbc };              /* movabs $imm64, %rsp */
    static const uint8_t push_ss[] = { 0x68, 0x2b, 0xe0, 0x00, 0x00 }; /* push $0xe02b */
    static const uint8_t push_rax_r11[] = { 0x50, 0x41, 0x53 };      /* push %rax; push %r11 */
    const uint8_t push_cs[] = { 0x68, cs & 0xff, cs >> 8, 0x00, 0x00 }; /* push $cs */
    static const uint8_t push_rcx_0[] = { 0x51, 0x6a, 0x00 };        /* push %rcx; push $0 */
    static const uint8_t movabs_rax_from[] = { 0x48, 0xa1 };        /* movabs moffs64, %rax */
    static const uint8_t jmp_rip[] = { 0xff, 0x25, 0, 0, 0, 0 };     /* jmp *0(%rip) */
    uint8_t *start = p;

    p = emit64(emit(p, movabs_rax_to, 2), scratch);
    p = emit(p, mov_rsp_rax, 3);
    p = emit64(emit(p, movabs_rsp, 2), frame_top);
    p = emit(p, push_ss, 5);
    p = emit(p, push_rax_r11, 3);
    p = emit(p, push_cs, 5);
    p = emit(p, push_rcx_0, 3);
    p = emit64(emit(p, movabs_rax_from, 2), scratch);
    p = emit64(emit(p, jmp_rip, 6), (uint64_t)lstar_common);
    BUG_ON(p - start > STUB_SIZE);
}

void pv_cpu_init(unsigned int cpu)
{
    if ( !stub_page_rw )
    {
        stub_page_rw = alloc_xenheap_pages(1);
        stub_page_va = vmap_reserve(STUB_PAGES, PAGE_SIZE);
        if ( !stub_page_rw || !stub_page_va )
            panic("no memory for the SYSCALL entry stubs\n");
        map_pages(stub_page_va, virt_to_mfn(stub_page_rw), STUB_PAGES, PAGE_HV_RX | MAP_SMALL);
    }
    write_stub(stub_page_rw + cpu * STUB_SIZE, cpu, FLAT_USER_CS64);
    write_stub(stub_page_rw + PAGE_SIZE + cpu * STUB_SIZE, cpu, FLAT_USER_CS32);
    /* SYSCALL: CS = 0xe008, SS = 0xe010.  SYSRET (unused, but keep it sane): CS = 0xe033, SS = 0xe02b. */
    wrmsr(MSR_STAR, ((uint64_t)(FLAT_RING3_CS32 & ~3) << 48) | ((uint64_t)HYPERVISOR_CS << 32));
    wrmsr(MSR_LSTAR, stub_page_va + cpu * STUB_SIZE);
    wrmsr(MSR_SYSCALL_MASK, SYSCALL_MASK);
    wrmsr(MSR_CSTAR, stub_page_va + PAGE_SIZE + cpu * STUB_SIZE);
    wrmsr(MSR_IA32_SYSENTER_CS, 0);
}
