/*
 * physdev-domu - an unprivileged domain gets -EPERM for every physical-interrupt and PCI operation
 * of HYPERVISOR_physdev_op (map/unmap_pirq, setup_gsi, eoi, irq_status_query, the EOI bitmap,
 * get_free_pirq, apic_read, alloc_irq_vector, pci_device_add) and for EVTCHNOP_bind_pirq, while
 * PHYSDEVOP_set_iopl still works and unknown operations stay -ENOSYS.  The kernel runs as a
 * boot-time domU without a dom0 (`domains`).  Parva-only: Xen 4.17 builds no domUs from boot
 * modules; on Xen a domU would get -EPERM from map_pirq and setup_gsi too, but may query and EOI
 * its own (unmapped: -EINVAL) pirqs, which Parva refuses outright since its domUs have none.
 */
#include "guest.h"

const char test_title[] = "physdev_op and bind_pirq are refused to an unprivileged domain";

void test_main(start_info_t *si)
{
    struct physdev_map_pirq m = { .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI, .index = 5, .pirq = 5 };
    struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = 5 };
    struct physdev_setup_gsi sg = { .gsi = 5 };
    struct physdev_eoi e = { .irq = 5 };
    struct physdev_irq_status_query q = { .irq = 5 };
    struct physdev_pirq_eoi_gmfn eg = { .gmfn = 0 };
    struct physdev_get_free_pirq fp = { .type = MAP_PIRQ_TYPE_GSI };
    struct physdev_apic apic = { .apic_physbase = 0xfec00000, .reg = 1 };
    struct physdev_irq irq = { .irq = 5 };
    struct physdev_pci_device_add add = { .seg = 0, .bus = 0, .devfn = 8 };
    struct physdev_set_iopl iopl = { .iopl = 1 };
    struct evtchn_bind_pirq bp = { .pirq = 5 };

    check(!(si->flags & SIF_PRIVILEGED), "the domain is privileged (flags %#lx)", (unsigned long)si->flags);
    check_rc("map_pirq", hypercall_physdev_op(PHYSDEVOP_map_pirq, &m), -EPERM);
    check_rc("unmap_pirq", hypercall_physdev_op(PHYSDEVOP_unmap_pirq, &u), -EPERM);
    check_rc("setup_gsi", hypercall_physdev_op(PHYSDEVOP_setup_gsi, &sg), -EPERM);
    check_rc("eoi", hypercall_physdev_op(PHYSDEVOP_eoi, &e), -EPERM);
    check_rc("irq_status_query", hypercall_physdev_op(PHYSDEVOP_irq_status_query, &q), -EPERM);
    check_rc("pirq_eoi_gmfn_v2", hypercall_physdev_op(PHYSDEVOP_pirq_eoi_gmfn_v2, &eg), -EPERM);
    check_rc("get_free_pirq", hypercall_physdev_op(PHYSDEVOP_get_free_pirq, &fp), -EPERM);
    check_rc("apic_read", hypercall_physdev_op(PHYSDEVOP_apic_read, &apic), -EPERM);
    check_rc("alloc_irq_vector", hypercall_physdev_op(PHYSDEVOP_alloc_irq_vector, &irq), -EPERM);
    check_rc("pci_device_add", hypercall_physdev_op(PHYSDEVOP_pci_device_add, &add), -EPERM);
    check_rc("IRQ_UNMASK_NOTIFY", hypercall_physdev_op(PHYSDEVOP_IRQ_UNMASK_NOTIFY, NULL), -EPERM);
    check_rc("EVTCHNOP_bind_pirq", hypercall_event_channel_op(EVTCHNOP_bind_pirq, &bp), -EPERM);
    check_rc("apic_write (not offered)", hypercall_physdev_op(PHYSDEVOP_apic_write, &apic), -ENOSYS);
    check_rc("set_iopl", hypercall_physdev_op(PHYSDEVOP_set_iopl, &iopl), 0);
}
