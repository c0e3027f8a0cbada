/*
 * domain.c (pv) - the x86 PV side of domain and vCPU lifetime: initial vCPU state, shutdown, teardown,
 * and the report printed when a domain crashes.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/symbols.h>
#include <asm/guest_access.h>
#include <asm/m2p.h>
#include <asm/mm.h>
#include <asm/pirq.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

int arch_vcpu_create(struct vcpu *v)
{
    struct arch_vcpu *a = &v->arch;

    a->kernel_mode = true;
    a->regs.cs = FLAT_KERNEL_CS;
    a->regs.ss = FLAT_KERNEL_SS;
    a->regs.rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
    a->kernel_ss = FLAT_KERNEL_SS;
    pv_init_debugregs(v);
    return 0;
}

void arch_domain_shutdown(struct domain *d)
{
    (void)d;                            /* nothing arch-specific: the scheduler stops its vCPUs */
}

void arch_domain_destroy(struct domain *d)
{
    struct vcpu *v;

    for_each_vcpu ( d, v )
    {
        pv_release_descriptor_frames(v);
        pv_release_vcpu_info(v);
    }
    physdev_domain_destroy(d);          /* its ports are closed: unmap its pirqs, drop the EOI bitmap */
    pv_mm_relinquish(d);
}

/* The page-table walk for a guest address, as Xen prints it with a guest's unhandled #PF. */
static void show_guest_walk(const struct vcpu *v, unsigned long va)
{
    uint64_t e = pfn_to_paddr(read_cr3() >> PAGE_SHIFT) | _PAGE_PRESENT;
    static const char *const names[] = { "L1", "L2", "L3", "L4" };
    unsigned int level;

    printk("Pagetable walk from %016lx:\n", va);
    for ( level = 4; level >= 1; level-- )
    {
        unsigned int idx = (va >> (L1_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);

        if ( !(e & _PAGE_PRESENT) || !mfn_valid(pte_mfn(e)) || (level < 4 && (e & _PAGE_PSE)) )
            break;
        e = ((const uint64_t *)mfn_to_virt(pte_mfn(e)))[idx];
        printk(" %s[0x%03x] = %016lx %016lx\n", names[level - 1], idx, e,
               get_gpfn_from_mfn(pte_mfn(e)));
    }
}

/* The guest's registers and the top of its stack, as Xen prints them for a crashed domain. */
void arch_domain_crash_report(struct domain *d)
{
    struct vcpu *v = current;
    const struct cpu_user_regs *r;
    unsigned long stack[16];
    unsigned int i, n;

    if ( !v || v->domain != d )
        return;
    r = &get_cpu_info()->guest_cpu_user_regs;
    printk("Domain %u (vcpu#%u) crashed on cpu#%u:\n", d->domain_id, v->vcpu_id, smp_processor_id());
    printk("----[ Parva %d.%d  x86_64 ]----\n", PARVA_VERSION_MAJOR, PARVA_VERSION_MINOR);
    printk("RIP:    %04x:[<%016lx>]\n", r->cs, r->rip);
    printk("RFLAGS: %016lx   CONTEXT: pv guest (d%uv%u, %s mode)\n", r->rflags, d->domain_id, v->vcpu_id,
           v->arch.kernel_mode ? "kernel" : "user");
    printk("rax: %016lx   rbx: %016lx   rcx: %016lx\n", r->rax, r->rbx, r->rcx);
    printk("rdx: %016lx   rsi: %016lx   rdi: %016lx\n", r->rdx, r->rsi, r->rdi);
    printk("rbp: %016lx   rsp: %016lx   r8:  %016lx\n", r->rbp, r->rsp, r->r8);
    printk("r9:  %016lx   r10: %016lx   r11: %016lx\n", r->r9, r->r10, r->r11);
    printk("r12: %016lx   r13: %016lx   r14: %016lx\n", r->r12, r->r13, r->r14);
    printk("r15: %016lx   cr2: %016lx   cr3: %016lx\n", r->r15, v->vcpu_info->arch.cr2, read_cr3());
    printk("fsb: %016lx   gsb: %016lx   gss: %016lx\n", v->arch.fs_base, v->arch.gs_base_kernel,
           v->arch.gs_base_user);
    printk("ss: %04x   cs: %04x\n", r->ss, r->cs);
    if ( r->entry_vector == 14 )
        show_guest_walk(v, v->vcpu_info->arch.cr2);
    n = sizeof(stack) - copy_from_guest_va(stack, r->rsp, sizeof(stack));
    printk("Guest stack trace from rsp=%016lx:\n", r->rsp);
    for ( i = 0; i < n / 8; i++ )
        printk("%s%016lx%s", (i % 4) == 0 ? "   " : " ", stack[i], (i % 4) == 3 ? "\n" : "");
    if ( (n / 8) % 4 )
        printk("\n");
    if ( n < sizeof(stack) )
        printk("   (stack unreadable beyond this)\n");
}
