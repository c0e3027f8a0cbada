/*
 * ptwr - writable page tables: with VMASST_TYPE_writable_pagetables on, a write by the guest kernel to
 * a read-only mapped L1 page-table page is emulated (validated, then applied) instead of faulting. The
 * forms Linux uses are checked: a plain 8-byte store, a 4-byte store to half an entry, xchg, lock
 * cmpxchg (both outcomes), lock btr/bts, lock or/and; each result is read back and used. A store of an
 * entry that may not be installed (the L1 itself, writable) is refused: the #PF reaches the guest.
 */
#include "guest.h"

const char test_title[] = "writable page tables (emulated L1 writes)";

/* Bits Xen may add to a present L1 entry of a 64-bit PV guest: USER (and its marker, bit 52). */
#define XEN_ADDED   (_PAGE_USER | (1ull << 52))

static volatile uint64_t *l1;
static unsigned long base;
static uint64_t *page_a, *page_b;

static uint64_t entry(unsigned int i)
{
    return l1[i] & ~XEN_ADDED;
}

static bool read_va(unsigned long va, uint64_t *v)
{
    invlpg_local(va);
    return read64_safe((void *)va, v);
}

void test_main(start_info_t *si)
{
    uint64_t a, b, old, v;
    bool ok;

    if ( !check_rc("enable VMASST_TYPE_writable_pagetables",
                   hypercall_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0) )
        return;
    base = pt_free_2m_va();
    l1 = base ? pt_hook_l1(base) : NULL;
    if ( !l1 )
    {
        report_error("cannot link a test L1 table");
        return;
    }
    page_a = alloc_page();
    page_b = alloc_page();
    page_a[0] = 0xaaaa;
    page_b[0] = 0xbbbb;
    a = virt_to_maddr(page_a) | PTE_RW_FLAGS;
    b = virt_to_maddr(page_b) | PTE_RW_FLAGS;

    /* Plain store. */
    ex_reset();
    l1[0] = a;
    check_eq("emulated writes so far (no #PF reached the guest)", ex_last.vector, EX_NONE);
    printf("l1[0] after a plain store of %#llx: %#llx\n", (unsigned long long)a, (unsigned long long)l1[0]);
    check_eq("plain store", entry(0), a);
    check(read_va(base, &v) && v == 0xaaaa, "the new mapping does not show page A");

    /* 4-byte store to the low half: replaces the low 32 bits only. */
    asm volatile ( "movl %k1, %0" : "+m" (l1[0]) : "r" ((uint32_t)b) : "memory" );
    check_eq("4-byte store", entry(0), (a & ~0xffffffffull) | (uint32_t)b);
    l1[0] = a;

    /* xchg returns the old entry. */
    old = b;
    asm volatile ( "xchg %0, %1" : "+r" (old), "+m" (l1[1]) :: "memory" );
    check_eq("xchg: old value", old, 0);
    check_eq("xchg: new value", entry(1), b);
    check(read_va(base + PAGE_SIZE, &v) && v == 0xbbbb, "the xchg'd mapping does not show page B");

    /* lock cmpxchg: success, then failure (the entry must stay). */
    old = entry(1) | (l1[1] & XEN_ADDED);
    asm volatile ( "lock cmpxchg %2, %1\n\tsete %b3"
                   : "+a" (old), "+m" (l1[1]), "+r" (a), "=q" (ok) :: "memory", "cc" );
    check(ok, "lock cmpxchg with the right old value failed (old %#llx)", (unsigned long long)old);
    check_eq("lock cmpxchg: new value", entry(1), virt_to_maddr(page_a) | PTE_RW_FLAGS);
    old = 0x1234000 | PTE_RW_FLAGS;
    v = b;
    asm volatile ( "lock cmpxchg %2, %1\n\tsete %b3"
                   : "+a" (old), "+m" (l1[1]), "+r" (v), "=q" (ok) :: "memory", "cc" );
    check(!ok, "lock cmpxchg with a wrong old value succeeded");
    check_eq("lock cmpxchg (failed): value returned", old & ~XEN_ADDED, virt_to_maddr(page_a) | PTE_RW_FLAGS);
    check_eq("lock cmpxchg (failed): entry unchanged", entry(1), virt_to_maddr(page_a) | PTE_RW_FLAGS);

    /* lock btr clears RW: writes through the mapping fault; lock bts sets it again. */
    asm volatile ( "lock btrq $1, %0" : "+m" (l1[0]) :: "memory", "cc" );
    check_eq("lock btr of RW", entry(0), a & ~_PAGE_RW);
    invlpg_local(base);
    ex_reset();
    check(!write64_safe((void *)base, 1), "write through the entry without RW did not fault");
    check_eq("write without RW: error code", ex_last.error_code, 3);
    asm volatile ( "lock btsq $1, %0" : "+m" (l1[0]) :: "memory", "cc" );
    check_eq("lock bts of RW", entry(0), a);
    invlpg_local(base);
    check(write64_safe((void *)(base + 8), 0x5555), "write after lock bts faulted");
    check_eq("the write reached page A", page_a[1], 0x5555);

    /* lock and / lock or. */
    asm volatile ( "lock andq %1, %0" : "+m" (l1[0]) : "r" (~(uint64_t)_PAGE_DIRTY) : "memory", "cc" );
    check_eq("lock and (clear D)", entry(0) & (PTE_ADDR_MASK | 0xfff), a & ~_PAGE_DIRTY);
    asm volatile ( "lock orq %1, %0" : "+m" (l1[0]) : "r" ((uint64_t)_PAGE_DIRTY) : "memory", "cc" );
    check_eq("lock or (set D)", entry(0) & (PTE_ADDR_MASK | 0xfff), a);

    /* Clearing an entry: the VA is unmapped afterwards. */
    l1[1] = 0;
    check_eq("store of 0", l1[1], 0);
    ex_reset();
    check(!read_va(base + PAGE_SIZE, &v), "the cleared mapping is still readable");
    check_eq("read after clearing: error code", ex_last.error_code, 0);

    /* A refused store: mapping the L1 itself writable. The write faults (P|W) at the entry. */
    ex_reset();
    check(!write64_safe(&l1[2], virt_to_maddr((void *)l1) | PTE_RW_FLAGS),
          "mapping the L1 table writable through itself was accepted");
    check_eq("refused store: vector", ex_last.vector, 14);
    check_eq("refused store: error code", ex_last.error_code, 3);
    check_eq("refused store: cr2", ex_last.cr2, (unsigned long)&l1[2]);
    check_eq("refused store: entry unchanged", l1[2], 0);
    /* The same frame read-only is fine. */
    l1[2] = virt_to_maddr((void *)l1) | PTE_RO_FLAGS;
    check_eq("read-only self mapping", entry(2), virt_to_maddr((void *)l1) | PTE_RO_FLAGS);

    l1[0] = 0;
    l1[2] = 0;
    check_rc("unlink the test L1", pt_unhook_l1(base, (uint64_t *)l1), 0);
}
