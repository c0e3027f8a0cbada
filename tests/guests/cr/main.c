/*
 * cr - control-register emulation for the guest kernel: %cr0 reads PE/PG and the virtual TS;
 * fpu_taskswitch(1) sets TS, an x87 instruction then raises #NM and Xen clears the virtual TS when
 * it delivers it; writing %cr0 may change TS only (anything else is #GP); clts clears TS; %cr4 shows
 * PAE but none of the bits a PV guest cannot use, and writes of bits it may not set are discarded;
 * %cr3 reads the L4's machine address and accepts a write of the current L4; a frame that is not a
 * validated L4 is refused with #GP; %cr2 follows the last page fault.
 */
#include "guest.h"

const char test_title[] = "control registers and fpu_taskswitch";

static bool fnop_safe(void)
{
    bool ok = false;

    asm volatile ( "1: fnop\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [ok] "+r" (ok) :: "memory" );
    return ok;
}

static bool write_cr0_safe(unsigned long v)
{
    bool ok = false;

    asm volatile ( "1: mov %[v], %%cr0\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [ok] "+r" (ok) : [v] "r" (v) : "memory" );
    return ok;
}

static bool write_cr3_safe(unsigned long v)
{
    bool ok = false;

    asm volatile ( "1: mov %[v], %%cr3\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [ok] "+r" (ok) : [v] "r" (v) : "memory" );
    return ok;
}

static bool write_cr4_safe(unsigned long v)
{
    bool ok = false;

    asm volatile ( "1: mov %[v], %%cr4\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [ok] "+r" (ok) : [v] "r" (v) : "memory" );
    return ok;
}

void test_main(start_info_t *si)
{
    unsigned long cr0 = read_cr0(), cr4 = read_cr4(), cr3 = read_cr3(), v;
    void *page;

    printf("cr0 %#lx cr3 %#lx cr4 %#lx\n", cr0, cr3, cr4);
    check((cr0 & (X86_CR0_PE | X86_CR0_PG)) == (X86_CR0_PE | X86_CR0_PG), "cr0 %#lx: PE or PG clear", cr0);
    check(!(cr0 & X86_CR0_TS), "cr0 %#lx: TS set at start", cr0);

    /* fpu_taskswitch(1): TS reads back; an x87 instruction raises #NM and the TS is cleared. */
    check_rc("fpu_taskswitch(1)", hypercall_fpu_taskswitch(1), 0);
    check(read_cr0() & X86_CR0_TS, "cr0.TS clear after fpu_taskswitch(1)");
    ex_reset();
    if ( check(!fnop_safe(), "fnop with TS set did not fault") )
        check_eq("fnop with TS set: vector (#NM)", ex_last.vector, 7);
    check(!(read_cr0() & X86_CR0_TS), "cr0.TS still set after #NM was delivered");
    check(fnop_safe(), "fnop after #NM faulted again");

    check_rc("fpu_taskswitch(1)", hypercall_fpu_taskswitch(1), 0);
    check_rc("fpu_taskswitch(0)", hypercall_fpu_taskswitch(0), 0);
    check(!(read_cr0() & X86_CR0_TS), "cr0.TS set after fpu_taskswitch(0)");
    check(fnop_safe(), "fnop after fpu_taskswitch(0) faulted");

    /* mov to %cr0 may toggle TS; clts clears it. */
    check(write_cr0_safe(cr0 | X86_CR0_TS), "mov to %%cr0 with TS faulted");
    check(read_cr0() & X86_CR0_TS, "cr0.TS clear after mov to %%cr0 with TS");
    asm volatile ( "clts" ::: "memory" );
    check(!(read_cr0() & X86_CR0_TS), "cr0.TS set after clts");
    ex_reset();
    check(!write_cr0_safe(cr0 ^ X86_CR0_WP), "mov to %%cr0 changing WP did not fault");
    check_eq("mov to %cr0 changing WP: vector", ex_last.vector, 13);
    check_eq("cr0 unchanged", read_cr0(), cr0);

    /* cr4: PAE, none of the hidden features. */
    check(cr4 & X86_CR4_PAE, "cr4 %#lx: PAE clear", cr4);
    check(!(cr4 & (X86_CR4_VME | X86_CR4_PVI | X86_CR4_PSE | X86_CR4_PGE | X86_CR4_PCIDE | X86_CR4_SMEP |
                   X86_CR4_SMAP | X86_CR4_PKE)),
          "cr4 %#lx shows VME/PVI/PSE/PGE/PCIDE/SMEP/SMAP/PKE", cr4);
    check(write_cr4_safe(cr4), "writing cr4 unchanged faulted");
    check_eq("cr4 after writing it unchanged", read_cr4(), cr4);
    check(write_cr4_safe(cr4 | X86_CR4_PGE | X86_CR4_PSE), "writing cr4 with PGE|PSE faulted");
    check_eq("cr4 after writing PGE|PSE (discarded)", read_cr4(), cr4);

    /* cr3: the L4 of the start of day; writing it back is a new_baseptr to the same table. */
    check_eq("cr3 (the boot L4's machine address)", cr3,
             (unsigned long)virt_to_mfn((void *)si->pt_base) << 12);
    check(write_cr3_safe(cr3), "writing cr3 with the current L4 faulted");
    check_eq("cr3 read back", read_cr3(), cr3);
    page = alloc_page();
    ex_reset();
    check(!write_cr3_safe(virt_to_maddr(page)), "writing cr3 with a writable data page did not fault");
    check_eq("cr3 = data page: vector", ex_last.vector, 13);
    check_eq("cr3 unchanged", read_cr3(), cr3);

    /* cr2 follows the last page fault delivered. */
    ex_reset();
    check(!read64_safe((void *)0x0000100000000abcul, &v), "read of an unmapped address did not fault");
    check_eq("cr2 after a page fault", read_cr2(), 0x0000100000000abcul);
}
