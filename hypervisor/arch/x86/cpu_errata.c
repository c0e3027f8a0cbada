/*
 * cpu_errata.c - probing the CPU (or emulator) for behaviour the PV code must work around.
 *
 * IRET from ring 3 under SMAP.  QEMU's TCG before 9.1 reads the stack of an
 * IRET (and far RET) as a supervisor access even at CPL 3, so with CR4.SMAP
 * set a ring-3 IRETQ whose stack is a _PAGE_USER page faults (#PF, error code
 * without the U bit).  Real CPUs do not.  PV guest kernels run in ring 3 on
 * user pages and execute IRETQ (Linux's sync_core does), so on such an
 * emulator they would die at once -- this is why Xen 4.17 needs smap=0
 * under QEMU TCG.  Rather than give up SMAP, Parva tests the behaviour at
 * boot: it drops to ring 3 on a scratch user page, executes an IRETQ to
 * itself and comes back with INT3.  If the IRETQ faults, the PV trap code
 * emulates exactly that IRETQ when a guest hits the same fault (pv/traps.c).
 *
 * Locking: runs on the boot CPU before the others start, interrupts off.
 */
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <asm/cpu_errata.h>
#include <asm/cpufeature.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/system.h>
#include <asm/traps.h>

#define PROBE_VA        0x00007ff000000000UL    /* L4 slot 255: guest space, unused by the hypervisor */

struct cpu_errata cpu_errata;

/* Set while the probe runs in ring 3; do_exception() hands the exception to probe_exception(). */
bool probe_active;
static struct {
    unsigned int vector;
    uint32_t error_code;
} probe_result;

/* probe.S: save the callee-saved state, IRETQ to ring 3; probe_return() resumes after it. */
void probe_enter_user(unsigned long rip, unsigned long rsp);
__noreturn void probe_return(void);

/*
 * mov %ss,%eax; push %rax; lea 8(%rsp),%rax; push %rax; pushfq; mov %cs,%eax; push %rax;
 * lea 3(%rip),%rax; push %rax; iretq; int3
 */
static const uint8_t probe_code[] = {
    0x8c, 0xd0, 0x50, 0x48, 0x8d, 0x44, 0x24, 0x08, 0x50, 0x9c, 0x8c, 0xc8, 0x50,
    0x48, 0x8d, 0x05, 0x03, 0x00, 0x00, 0x00, 0x50, 0x48, 0xcf, 0xcc,
};

void probe_exception(struct cpu_user_regs *regs)
{
    probe_result.vector = regs->entry_vector;
    probe_result.error_code = regs->error_code;
    probe_active = false;
    probe_return();
}

void __init cpu_errata_probe(void)
{
    uint8_t *page;
    unsigned long flags, saved_rsp0;

    if ( !cpu_features.use_smap )
        return;                         /* the erratum only bites with SMAP on */
    page = alloc_xenheap_pages(1);
    if ( !page )
        panic("no memory for the CPU errata probe\n");
    memcpy(page, probe_code, sizeof(probe_code));
    map_pages(PROBE_VA, virt_to_mfn(page), 2,
              _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | MAP_SMALL);

    /*
     * The exception that ends the round trip arrives on TSS.rsp0, normally the top of this
     * stack, where this call chain still lives: point rsp0 lower in the stack for the probe.
     */
    local_irq_save(flags);
    saved_rsp0 = tss_of(0)->rsp[0];
    tss_of(0)->rsp[0] = pcpus[0].stack_block + STACK_PRIMARY * PAGE_SIZE + 2 * PAGE_SIZE;
    probe_result.vector = ~0U;
    probe_active = true;
    probe_enter_user(PROBE_VA, PROBE_VA + 2 * PAGE_SIZE - 64);
    probe_active = false;
    tss_of(0)->rsp[0] = saved_rsp0;
    local_irq_restore(flags);

    pt_free_guest_slot(l4_index(PROBE_VA));
    free_xenheap_pages(page, 1);

    if ( probe_result.vector == 3 )
        return;                         /* IRETQ worked: nothing to work around */
    if ( probe_result.vector == TRAP_page_fault && !(probe_result.error_code & PFEC_user) )
    {
        cpu_errata.iret_smap = true;
        printk(XENLOG_WARNING "CPU erratum: IRET in ring 3 reads its stack as a supervisor access under "
               "SMAP (QEMU TCG before 9.1); PV guests' IRETQs that fault so are emulated\n");
        return;
    }
    printk(XENLOG_ERR "CPU errata probe: unexpected exception %u (error %#x) from ring 3\n",
           probe_result.vector, probe_result.error_code);
}
