/*
 * vm-assist - HYPERVISOR_vm_assist: every type a 64-bit PV guest may use can be enabled and disabled
 * (4gb_segments, 4gb_segments_notify, writable_pagetables, pae_extended_cr3, architectural_iopl,
 * runstate_update_flag, m2p_strict); other types are -EINVAL, other commands -ENOSYS. For dom0 a
 * write to a read-only L1 page table is emulated whether writable_pagetables is on or off: Xen 4.17
 * sends every write fault on a present read-only page of the hardware domain to its read-only fault
 * emulator (for MMIO), and that emulates L1 writes without looking at the assist (a domU would need
 * the assist). So, for dom0, "always on" is the behaviour to implement.
 */
#include "guest.h"

const char test_title[] = "vm_assist";

void test_main(start_info_t *si)
{
    static const unsigned int valid[] = {
        VMASST_TYPE_4gb_segments, VMASST_TYPE_4gb_segments_notify, VMASST_TYPE_writable_pagetables,
        VMASST_TYPE_pae_extended_cr3, VMASST_TYPE_architectural_iopl, VMASST_TYPE_runstate_update_flag,
        VMASST_TYPE_m2p_strict,
    };
    unsigned long base = pt_free_2m_va();
    volatile uint64_t *l1;
    uint64_t *page = alloc_page();

    for ( unsigned int i = 0; i < ARRAY_SIZE(valid); i++ )
    {
        char what[64];

        snprintf(what, sizeof(what), "enable type %u", valid[i]);
        check_rc(what, hypercall_vm_assist(VMASST_CMD_enable, valid[i]), 0);
        snprintf(what, sizeof(what), "disable type %u", valid[i]);
        check_rc(what, hypercall_vm_assist(VMASST_CMD_disable, valid[i]), 0);
    }
    check_rc("enable type 6", hypercall_vm_assist(VMASST_CMD_enable, 6), -EINVAL);
    check_rc("enable type 31", hypercall_vm_assist(VMASST_CMD_enable, 31), -EINVAL);
    check_rc("enable type 64", hypercall_vm_assist(VMASST_CMD_enable, 64), -EINVAL);
    check_rc("command 2", hypercall_vm_assist(2, VMASST_TYPE_writable_pagetables), -ENOSYS);

    l1 = base ? pt_hook_l1(base) : NULL;
    if ( !l1 )
    {
        report_error("cannot link a test L1 table");
        return;
    }
    /* writable_pagetables is off (it was just disabled): dom0's write is emulated all the same. */
    ex_reset();
    check(write64_safe(&l1[0], virt_to_maddr(page) | PTE_RO_FLAGS),
          "dom0's write to a read-only L1 faulted with writable_pagetables off (%s, error %#lx)",
          vector_name(ex_last.vector), ex_last.error_code);
    check_eq("the entry after the write without the assist", l1[0] & PTE_ADDR_MASK, virt_to_maddr(page));

    check_rc("enable writable_pagetables", hypercall_vm_assist(VMASST_CMD_enable,
                                                                VMASST_TYPE_writable_pagetables), 0);
    ex_reset();
    check(write64_safe(&l1[0], virt_to_maddr(page) | PTE_RW_FLAGS),
          "a write to a read-only L1 faulted with writable_pagetables on");
    check_eq("the entry after the emulated write", l1[0] & PTE_ADDR_MASK, virt_to_maddr(page));
    l1[0] = 0;
    check_rc("unlink the test L1", pt_unhook_l1(base, (uint64_t *)l1), 0);
}
