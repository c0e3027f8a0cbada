/*
 * cpu_protect.c - a boot self-test proving that SMEP and SMAP are enforced and that the guest-memory
 * accessors still work under them.
 *
 * A page mapped with _PAGE_USER (as every guest page will be) stands in
 * for guest memory at a low, guest-owned address.  With SMAP, a plain read
 * of it must fault while copy_from_guest_va() succeeds; with SMEP, calling
 * code on it must fault.  The test page and its page tables are removed
 * again before any guest exists.
 */
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <asm/asm_defns.h>
#include <asm/cpufeature.h>
#include <asm/guest_access.h>
#include <asm/mm.h>
#include <asm/paging.h>
#include <asm/traps.h>

#define TEST_VA     0x00007ff000000000UL    /* L4 slot 255: guest space, unused by the hypervisor */
#define MARKER      0x5a5aa5a5deadbeefUL

static volatile unsigned long smep_probe_va;

/* #PF handler hook: a fetch fault at the probed address returns from the "call" with -EFAULT. */
bool smep_probe_fixup(struct cpu_user_regs *regs)
{
    unsigned long *sp = (unsigned long *)regs->rsp;

    if ( !smep_probe_va || regs->rip != smep_probe_va || !(regs->error_code & PFEC_insn_fetch) )
        return false;
    regs->rip = sp[0];
    regs->rsp += 8;
    regs->rax = (unsigned long)-EFAULT;
    return true;
}

static int probe_read(unsigned long va, unsigned long *val)
{
    int rc = 0;
    unsigned long v = 0;

    __asm__ __volatile__("1: movq (%2), %1\n"
                         "2:\n"
                         "  .pushsection .text.fixup, \"ax\"\n"
                         "3: movl %3, %0\n"
                         "  jmp 2b\n"
                         "  .popsection\n"
                         _ASM_EXTABLE(1b, 3b)
                         : "+r"(rc), "+r"(v) : "r"(va), "i"(-EFAULT) : "memory");
    *val = v;
    return rc;
}

void __init protect_selftest(void)
{
    const struct cpu_features *f = &cpu_features;
    static const uint8_t code[] = { 0xb8, 0x00, 0x00, 0x00, 0x00, 0xc3 };   /* mov $0,%eax; ret */
    uint8_t *page = alloc_xenheap_pages(0);
    unsigned long val = 0, left;
    long rc;
    int r;
    bool ok = true;

    if ( !page )
        panic("no memory for the SMEP/SMAP self-test\n");
    memcpy(page, code, sizeof(code));
    *(unsigned long *)(page + 64) = MARKER;
    map_pages(TEST_VA, virt_to_mfn(page), 1,
              _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | MAP_SMALL);

    r = probe_read(TEST_VA + 64, &val);
    if ( f->use_smap ? r != -EFAULT : (r || val != MARKER) )
    {
        printk(XENLOG_ERR "SMAP self-test: plain read of a guest page %s\n",
               r ? "faulted" : "succeeded");
        ok = false;
    }
    val = 0;
    left = copy_from_guest_va(&val, TEST_VA + 64, sizeof(val));
    if ( left || val != MARKER )
    {
        printk(XENLOG_ERR "SMAP self-test: copy_from_guest_va failed (%lu bytes left)\n", left);
        ok = false;
    }
    if ( copy_from_guest_va(&val, HV_AREA_START, sizeof(val)) != sizeof(val) )
    {
        printk(XENLOG_ERR "guest accessor accepted a hypervisor address\n");
        ok = false;
    }

    smep_probe_va = TEST_VA;
    rc = ((long (*)(void))TEST_VA)();
    smep_probe_va = 0;
    if ( f->use_smep ? rc != -EFAULT : rc != 0 )
    {
        printk(XENLOG_ERR "SMEP self-test: executing a guest page %s\n", rc ? "faulted" : "succeeded");
        ok = false;
    }

    pt_free_guest_slot(l4_index(TEST_VA));
    free_xenheap_pages(page, 0);
    if ( !ok )
        panic("CPU protection self-test failed\n");
    printk("SMEP/SMAP self-test: passed (SMEP %s, SMAP %s, guest accessors bracketed)\n",
           f->use_smep ? "enforced" : "off", f->use_smap ? "enforced" : "off");
}
