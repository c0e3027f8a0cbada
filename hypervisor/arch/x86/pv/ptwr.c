/*
 * ptwr.c (pv) - "writable page tables": a guest's writes to its own read-only L1 page-table pages,
 * emulated with validation.
 *
 * Linux writes L1 entries directly (set_pte, and atomically with xchg,
 * cmpxchg, btr... for ptep_get_and_clear and friends) and relies on the
 * hypervisor to trap and emulate them.  On a write #PF whose target is
 * mapped read-only and is an L1 page-table frame of the faulting domain, the
 * instruction is decoded (x86_decode.c), its effect on the 8-byte entry is
 * computed against the entry's current value (x86_rmw.c), and the new entry
 * goes through mod_l1_entry, which validates it exactly as mmu_update would.
 * A write the rules refuse becomes the #PF the guest would have had.  Only
 * L1 tables are writable this way; L2-L4 always use mmu_update.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/guest_access.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_emul.h>
#include <asm/pv_mm.h>
#include <asm/traps.h>
#include <asm/x86_decode.h>

bool pv_ptwr_fault(struct vcpu *v, struct cpu_user_regs *regs, unsigned long cr2)
{
    struct domain *d = v->domain;
    unsigned long root = (!v->arch.kernel_mode && v->arch.guest_table_user) ? v->arch.guest_table_user
                                                                            : v->arch.guest_table;
    uint8_t buf[X86_MAX_INSN_LEN];
    struct x86_insn insn;
    struct x86_write w;
    struct page_info *l1pg;
    uint64_t map, ea, addr, pte;
    unsigned int width, n;
    unsigned long rip = regs->rip, first;
    int rc;

    /* A write to a present page, in the guest's kernel mode (user space never writes page tables). */
    if ( (regs->error_code & (PFEC_present | PFEC_write | PFEC_reserved | PFEC_insn_fetch)) !=
         (PFEC_present | PFEC_write) || !v->arch.kernel_mode )
        return false;
    if ( !root || !pv_walk_l1e(root, cr2, &map) || (map & _PAGE_RW) || !mfn_valid(pte_mfn(map)) )
        return false;
    l1pg = mfn_to_page(pte_mfn(map));
    if ( page_get_owner(l1pg) != d || (l1pg->u.inuse.type_info & PGT_type_mask) != PGT_l1_page_table )
        return false;

    first = PAGE_SIZE - (rip & ~PAGE_MASK);
    n = first < X86_MAX_INSN_LEN ? first : X86_MAX_INSN_LEN;
    if ( copy_from_guest_va(buf, rip, n) )
        return false;
    if ( n < X86_MAX_INSN_LEN && !copy_from_guest_va(buf + n, rip + n, X86_MAX_INSN_LEN - n) )
        n = X86_MAX_INSN_LEN;
    if ( x86_decode(buf, n, &insn) || !insn.has_mem )
        return false;
    ea = x86_effective_address(&insn, regs, v->arch.fs_base, v->arch.gs_base_kernel);
    if ( x86_pte_write_target(&insn, regs, ea, &addr, &width) || (addr >> PAGE_SHIFT) != (cr2 >> PAGE_SHIFT) )
        return false;

    pv_mm_lock(d);
    pte = ((const uint64_t *)mfn_to_virt(pte_mfn(map)))[(addr & ~PAGE_MASK) >> 3];
    rc = x86_emulate_pte_write(&insn, regs, pte, addr & 7, &w);
    if ( !rc && w.write )
        rc = mod_l1_entry(l1pg, (addr & ~PAGE_MASK) >> 3, w.new_pte, false, d, NULL);
    pv_mm_unlock(d);
    if ( rc )
        return false;                   /* refused: the guest gets its page fault */
    x86_pte_write_commit(&insn, &w, regs);
    regs->rip += insn.length;
    return true;
}
