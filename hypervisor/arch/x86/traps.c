/*
 * traps.c - exception handling: recoverable faults via the exception table, and the fatal-trap report.
 *
 * Design: a fault in the hypervisor is either expected (an instruction
 * listed in the exception table, e.g. a guest-memory access or rdmsr_safe,
 * which continues at its fixup) or a hypervisor bug.  A bug prints Xen's
 * familiar report (registers, control registers, a raw stack dump and a
 * symbolic call trace) and panics, which reboots or, with noreboot, halts.
 * Exceptions from guest mode go to pv_do_trap() (pv/traps.c), which emulates
 * them or bounces them to the guest; a #DB the hypervisor takes because of a
 * guest's debug settings is recorded in the current vCPU's DR6.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/symbols.h>
#include <asm/cpu_errata.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/smp.h>
#include <asm/system.h>
#include <asm/traps.h>

BUILD_BUG_ON(__builtin_offsetof(struct cpu_user_regs, rax) != 80);
BUILD_BUG_ON(__builtin_offsetof(struct cpu_user_regs, error_code) != 120);
BUILD_BUG_ON(__builtin_offsetof(struct cpu_user_regs, entry_vector) != 124);
BUILD_BUG_ON(__builtin_offsetof(struct cpu_user_regs, rip) != 128);
BUILD_BUG_ON(__builtin_offsetof(struct cpu_user_regs, cs) != 136);
BUILD_BUG_ON(__builtin_offsetof(struct cpu_user_regs, rflags) != 144);
BUILD_BUG_ON(__builtin_offsetof(struct cpu_user_regs, rsp) != 152);
BUILD_BUG_ON(__builtin_offsetof(struct cpu_user_regs, ss) != 160);
BUILD_BUG_ON(__builtin_offsetof(struct cpu_user_regs, es) != 168);
BUILD_BUG_ON(sizeof(struct cpu_info) != CPU_INFO_SIZE);
/* TSS.rsp0 (= &guest_cpu_user_regs.es) must be 16-byte aligned: the CPU aligns before pushing. */
BUILD_BUG_ON((STACK_SIZE - CPU_INFO_SIZE + __builtin_offsetof(struct cpu_user_regs, es)) % 16 != 0);
BUILD_BUG_ON(STACK_START_OFFSET % 16 != 0);

static const char *const exception_names[32] = {
    [0] = "divide error", [1] = "debug", [2] = "nmi", [3] = "int3", [4] = "overflow",
    [5] = "bounds", [6] = "invalid opcode", [7] = "device not available", [8] = "double fault",
    [9] = "coprocessor segment overrun", [10] = "invalid tss", [11] = "segment not present",
    [12] = "stack error", [13] = "general protection fault", [14] = "page fault",
    [15] = "spurious interrupt", [16] = "coprocessor error", [17] = "alignment check",
    [18] = "machine check", [19] = "simd error", [20] = "virtualisation exception",
    [21] = "control protection", [28] = "hypervisor injection", [29] = "vmm communication",
    [30] = "security exception",
};

const char *trap_name(unsigned int vector)
{
    if ( vector < 32 && exception_names[vector] )
        return exception_names[vector];
    return "???";
}

/* The exception table: "if the instruction at `insn` faults, continue at `fixup`". */
struct extable_entry {
    int32_t insn, fixup;
};
extern const struct extable_entry __start_ex_table[], __stop_ex_table[];

unsigned long search_extable(unsigned long rip)
{
    const struct extable_entry *e;

    for ( e = __start_ex_table; e < __stop_ex_table; e++ )
        if ( (unsigned long)&e->insn + e->insn == rip )
            return (unsigned long)&e->fixup + e->fixup;
    return 0;
}

/* Is [addr, addr+8) inside the stack block that holds sp? */
static bool on_stack(unsigned long sp, unsigned long addr)
{
    unsigned long base = sp & ~(STACK_SIZE - 1);

    return addr >= base && addr + 8 <= base + STACK_SIZE && !(addr & 7);
}

static void print_symbol(const char *prefix, unsigned long addr)
{
    char buf[128];

    symbols_describe(addr, buf, sizeof(buf));
    printk("%s[<%016lx>] %s\n", prefix, addr, buf);
}

void show_stack(const struct cpu_user_regs *regs)
{
    unsigned long sp = regs->rsp, *p = (unsigned long *)sp, frame, off, size;
    const char *name;
    unsigned int i;

    printk("Hypervisor stack trace from rsp=%016lx:\n", sp);
    for ( i = 0; i < 24 && on_stack(sp, (unsigned long)&p[i]); i++ )
        printk("%s%016lx%s", (i % 4) == 0 ? "   " : " ", p[i], (i % 4) == 3 ? "\n" : "");
    if ( i % 4 )
        printk("\n");

    printk("Hypervisor call trace:\n");
    print_symbol("   ", regs->rip);
    /*
     * Stopped before the function set up its frame (at its first instruction, or just after
     * `push %rbp`): its return address is on the stack but not yet in the rbp chain.
     */
    if ( symbols_lookup(regs->rip, &name, &off, &size) && !(regs->cs & 3) )
    {
        if ( off == 0 && on_stack(sp, sp) )
            print_symbol("   ", p[0]);
        else if ( off == 1 && *(const uint8_t *)(regs->rip - 1) == 0x55 && on_stack(sp, sp + 8) )
            print_symbol("   ", p[1]);
    }
    /* Follow the frame-pointer chain: [rbp] = caller's rbp, [rbp+8] = return address. */
    frame = regs->rbp;
    for ( i = 0; i < 32 && on_stack(sp, frame) && on_stack(sp, frame + 8); i++ )
    {
        unsigned long ret = ((unsigned long *)frame)[1];
        unsigned long next = ((unsigned long *)frame)[0];

        if ( !ret )
            break;
        print_symbol("   ", ret);
        if ( next <= frame )
            break;
        frame = next;
    }
}

void show_registers(const struct cpu_user_regs *regs)
{
    unsigned long rsp;

    __asm__("mov %%rsp, %0" : "=r"(rsp));
    printk("----[ Parva %d.%d  x86_64  ]----\n", PARVA_VERSION_MAJOR, PARVA_VERSION_MINOR);
    printk("CPU:    %u\n", smp_processor_id());
    print_symbol("RIP:    ", regs->rip);
    printk("CS:     %04x   RFLAGS: %016lx   CONTEXT: %s\n", regs->cs, regs->rflags,
           (regs->cs & 3) ? "guest" : "hypervisor");
    printk("rax: %016lx   rbx: %016lx   rcx: %016lx\n", regs->rax, regs->rbx, regs->rcx);
    printk("rdx: %016lx   rsi: %016lx   rdi: %016lx\n", regs->rdx, regs->rsi, regs->rdi);
    printk("rbp: %016lx   rsp: %016lx   r8:  %016lx\n", regs->rbp, regs->rsp, regs->r8);
    printk("r9:  %016lx   r10: %016lx   r11: %016lx\n", regs->r9, regs->r10, regs->r11);
    printk("r12: %016lx   r13: %016lx   r14: %016lx\n", regs->r12, regs->r13, regs->r14);
    printk("r15: %016lx   cr0: %016lx   cr4: %016lx\n", regs->r15, read_cr0(), read_cr4());
    printk("cr3: %016lx   cr2: %016lx\n", read_cr3(), read_cr2());
    printk("ss: %04x   cs: %04x   handler stack: %016lx\n", regs->ss, regs->cs, rsp);
}

static void fatal_trap(const struct cpu_user_regs *regs)
{
    unsigned int v = regs->entry_vector;
    char detail[96] = "";

    show_registers(regs);
    show_stack(regs);
    if ( v == 14 )
        snprintf(detail, sizeof(detail), "Faulting linear address: %016lx\n", read_cr2());
    panic("FATAL TRAP: vector = %u (%s)\n[error_code=%04x]\n%s", v, trap_name(v), regs->error_code, detail);
}

void do_exception(struct cpu_user_regs *regs)
{
    unsigned long fixup;
    unsigned int v = regs->entry_vector;

    if ( v == 2 )
    {
        do_nmi(regs);
        return;
    }
    if ( v == 18 )
    {
        printk(XENLOG_ERR "Machine check on CPU %u\n", smp_processor_id());
        fatal_trap(regs);
    }
    if ( unlikely(probe_active) )
        probe_exception(regs);
    if ( guest_mode(regs) )
    {
        pv_do_trap(regs);
        pv_exit_to_guest(regs);
        return;
    }
    if ( v == 1 )
    {
        /*
         * #DB in the hypervisor: a guest's data breakpoint hit while the hypervisor touched guest
         * memory, or single-stepping that leaked across SYSCALL.  Record DR6 for the guest and go on.
         */
        unsigned long dr6 = pv_take_dr6();

        if ( current )
            current->arch.debugreg[6] |= dr6 & 0xf;
        regs->rflags &= ~X86_EFLAGS_TF;
        return;
    }
    if ( !(regs->cs & 3) )
    {
        if ( v == 14 && smep_probe_fixup(regs) )
            return;
        fixup = search_extable(regs->rip);
        if ( fixup && v != 8 )
        {
            regs->rip = fixup;
            return;
        }
    }
    fatal_trap(regs);
}

void dump_execution_state(void)
{
    struct cpu_user_regs regs;

    memset(&regs, 0, sizeof(regs));
    __asm__ __volatile__("leaq 0(%%rip), %0\n\t"
                         "movq %%rsp, %1\n\t"
                         "movq %%rbp, %2"
                         : "=r"(regs.rip), "=r"(regs.rsp), "=r"(regs.rbp));
    regs.cs = HYPERVISOR_CS;
    regs.ss = HYPERVISOR_DS;
    regs.rflags = local_save_flags();
    show_registers(&regs);
    show_stack(&regs);
}
