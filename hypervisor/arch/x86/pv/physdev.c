/*
 * physdev.c (pv) - the interrupt and PCI operations of HYPERVISOR_physdev_op for the hardware
 * domain, as Xen 4.17 answers a PV dom0 without an IOMMU; PHYSDEVOP_set_iopl stays in hc_cpu.c.
 *
 * Each operation copies its argument in once, checks it, calls arch/x86/pirq.c (the pirq table and
 * the interrupt state machine) or io_apic.c, and copies results out.  Every operation here needs
 * the privileged domain: another one gets -EPERM (Parva has no pass-through to other domains).
 * MSI and MSI-X are refused with -EPERM, Xen's answer when MSI is disabled (pci_enable_msi()
 * without use_msi): Linux then drives the device with its INTx line.  The PCI device bookkeeping
 * operations succeed and only log, as they do on Xen without an IOMMU.  PHYSDEVOP_apic_write,
 * which Linux 6.1 never issues (its PV IO-APIC operations only read), is not offered.
 */
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/io_apic.h>
#include <asm/mm.h>
#include <asm/pirq.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <xen/physdev.h>

union physdev_args {
    struct physdev_eoi eoi;
    struct physdev_pirq_eoi_gmfn eoi_gmfn;
    struct physdev_irq_status_query status;
    struct physdev_apic apic;
    struct physdev_irq irq;
    struct physdev_map_pirq map;
    struct physdev_unmap_pirq unmap;
    struct physdev_setup_gsi setup_gsi;
    struct physdev_get_free_pirq free_pirq;
    struct physdev_manage_pci manage_pci;
    struct physdev_manage_pci_ext manage_pci_ext;
    struct physdev_pci_device_add device_add;
    struct physdev_pci_device device;
    struct physdev_restore_msi restore_msi;
    struct physdev_pci_mmcfg_reserved mmcfg;
};

/* Each operation's argument: its size, and whether it is copied back on success. */
static const struct {
    uint8_t size;
    bool copy_back;
} op_args[] = {
    [PHYSDEVOP_IRQ_UNMASK_NOTIFY]   = { 1, false },     /* no argument: size 1 marks it known */
    [PHYSDEVOP_irq_status_query]    = { sizeof(struct physdev_irq_status_query), true },
    [PHYSDEVOP_apic_read]           = { sizeof(struct physdev_apic), true },
    [PHYSDEVOP_alloc_irq_vector]    = { sizeof(struct physdev_irq), true },
    [PHYSDEVOP_eoi]                 = { sizeof(struct physdev_eoi), false },
    [PHYSDEVOP_map_pirq]            = { sizeof(struct physdev_map_pirq), true },
    [PHYSDEVOP_unmap_pirq]          = { sizeof(struct physdev_unmap_pirq), false },
    [PHYSDEVOP_manage_pci_add]      = { sizeof(struct physdev_manage_pci), false },
    [PHYSDEVOP_manage_pci_remove]   = { sizeof(struct physdev_manage_pci), false },
    [PHYSDEVOP_pirq_eoi_gmfn_v1]    = { sizeof(struct physdev_pirq_eoi_gmfn), false },
    [PHYSDEVOP_restore_msi]         = { sizeof(struct physdev_restore_msi), false },
    [PHYSDEVOP_manage_pci_add_ext]  = { sizeof(struct physdev_manage_pci_ext), false },
    [PHYSDEVOP_setup_gsi]           = { sizeof(struct physdev_setup_gsi), false },
    [PHYSDEVOP_get_free_pirq]       = { sizeof(struct physdev_get_free_pirq), true },
    [PHYSDEVOP_pci_mmcfg_reserved]  = { sizeof(struct physdev_pci_mmcfg_reserved), false },
    [PHYSDEVOP_pci_device_add]      = { sizeof(struct physdev_pci_device_add), false },
    [PHYSDEVOP_pci_device_remove]   = { sizeof(struct physdev_pci_device), false },
    [PHYSDEVOP_restore_msi_ext]     = { sizeof(struct physdev_pci_device), false },
    [PHYSDEVOP_pirq_eoi_gmfn_v2]    = { sizeof(struct physdev_pirq_eoi_gmfn), false },
};

/* PHYSDEVOP_map_pirq: only the caller itself may be the target (no pass-through yet). */
static int map_pirq(struct domain *cur, struct physdev_map_pirq *m)
{
    struct domain *d;

    if ( m->domid != DOMID_SELF && m->domid != cur->domain_id )
    {
        d = domain_lookup(m->domid);
        if ( !d )
            return -ESRCH;
        put_domain(d);
        return -EPERM;
    }
    switch ( m->type )
    {
    case MAP_PIRQ_TYPE_GSI:
        return pirq_map_gsi(cur, m->index, &m->pirq);
    case MAP_PIRQ_TYPE_MSI:
    case MAP_PIRQ_TYPE_MSI_SEG:
    case MAP_PIRQ_TYPE_MULTI_MSI:
        return -EPERM;          /* MSI is not offered: Xen's answer with MSI disabled */
    default:
        return -EINVAL;
    }
}

/* PHYSDEVOP_pirq_eoi_gmfn_v1/v2: a frame of the caller's, taken as a writable page for good. */
static int set_eoi_map(struct domain *d, unsigned long gmfn, bool v1)
{
    unsigned long mfn = gmfn;   /* a PV guest's frame numbers are machine frames */
    struct page_info *pg;
    int rc;

    if ( !mfn_valid(mfn) )
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if ( !get_page_and_type(pg, d, PGT_writable_page) )
        return -EINVAL;
    rc = pirq_set_eoi_map(d, mfn_to_virt(mfn), mfn, v1);
    if ( rc )
        put_page_and_type(pg);
    return rc;
}

static long pci_device_op(unsigned int cmd, const union physdev_args *a)
{
    static const char *const what[] = {
        [PHYSDEVOP_manage_pci_add] = "add", [PHYSDEVOP_manage_pci_add_ext] = "add",
        [PHYSDEVOP_pci_device_add] = "add", [PHYSDEVOP_manage_pci_remove] = "remove",
        [PHYSDEVOP_pci_device_remove] = "remove",
    };
    unsigned int seg = 0, bus, devfn;

    switch ( cmd )
    {
    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove:
        bus = a->manage_pci.bus;
        devfn = a->manage_pci.devfn;
        break;
    case PHYSDEVOP_manage_pci_add_ext:
        if ( a->manage_pci_ext.is_extfn > 1 || a->manage_pci_ext.is_virtfn > 1 )
            return -EINVAL;
        bus = a->manage_pci_ext.bus;
        devfn = a->manage_pci_ext.devfn;
        break;
    case PHYSDEVOP_pci_device_add:
        seg = a->device_add.seg;
        bus = a->device_add.bus;
        devfn = a->device_add.devfn;
        break;
    default:
        seg = a->device.seg;
        bus = a->device.bus;
        devfn = a->device.devfn;
        break;
    }
    printk(XENLOG_INFO "PCI %s device %04x:%02x:%02x.%u\n", what[cmd], seg, bus & 0xff, (devfn >> 3) & 0x1f,
           devfn & 7);
    return 0;                   /* no IOMMU: nothing to set up, as Xen */
}

long physdev_pirq_op(unsigned int cmd, unsigned long arg)
{
    struct domain *d = current->domain;
    union physdev_args a;
    unsigned int port;
    long rc;

    if ( cmd >= ARRAY_SIZE(op_args) || !op_args[cmd].size )
        return -ENOSYS;
    if ( !d->is_privileged )
        return -EPERM;
    if ( cmd != PHYSDEVOP_IRQ_UNMASK_NOTIFY && copy_from_guest_va(&a, arg, op_args[cmd].size) )
        return -EFAULT;

    switch ( cmd )
    {
    case PHYSDEVOP_IRQ_UNMASK_NOTIFY:
        rc = pirq_unmask_notify(d);
        break;
    case PHYSDEVOP_irq_status_query:
        rc = pirq_status(d, (int)a.status.irq, &a.status.flags);
        break;
    case PHYSDEVOP_eoi:
        port = pirq_auto_unmask_port(d, (int)a.eoi.irq);
        if ( port )
            evtchn_unmask_port(d, port);
        rc = pirq_guest_eoi(d, (int)a.eoi.irq);
        break;
    case PHYSDEVOP_pirq_eoi_gmfn_v1:
    case PHYSDEVOP_pirq_eoi_gmfn_v2:
        rc = set_eoi_map(d, a.eoi_gmfn.gmfn, cmd == PHYSDEVOP_pirq_eoi_gmfn_v1);
        break;
    case PHYSDEVOP_setup_gsi:
        rc = pirq_setup_gsi(a.setup_gsi.gsi, a.setup_gsi.triggering, a.setup_gsi.polarity);
        break;
    case PHYSDEVOP_map_pirq:
        rc = map_pirq(d, &a.map);
        break;
    case PHYSDEVOP_unmap_pirq:
        if ( a.unmap.domid != DOMID_SELF && a.unmap.domid != d->domain_id )
        {
            struct domain *t = domain_lookup(a.unmap.domid);

            rc = t ? -EPERM : -ESRCH;
            if ( t )
                put_domain(t);
        }
        else
            rc = pirq_unmap(d, a.unmap.pirq);
        break;
    case PHYSDEVOP_get_free_pirq:
        rc = pirq_get_free(d, a.free_pirq.type);
        if ( rc >= 0 )
        {
            a.free_pirq.pirq = (uint32_t)rc;
            rc = 0;
        }
        break;
    case PHYSDEVOP_apic_read:
        rc = ioapic_guest_read(a.apic.apic_physbase, a.apic.reg, &a.apic.value);
        break;
    case PHYSDEVOP_alloc_irq_vector:
        a.irq.vector = a.irq.irq;   /* as Xen: the vector is the hypervisor's business */
        rc = 0;
        break;
    case PHYSDEVOP_restore_msi:
    case PHYSDEVOP_restore_msi_ext:
    case PHYSDEVOP_pci_mmcfg_reserved:
        rc = 0;                     /* no MSI state to restore; MMCONFIG areas are dom0's to use */
        break;
    default:
        rc = pci_device_op(cmd, &a);
        break;
    }

    if ( rc == 0 && op_args[cmd].copy_back && copy_to_guest_va(arg, &a, op_args[cmd].size) )
        rc = -EFAULT;
    return rc;
}

void physdev_domain_destroy(struct domain *d)
{
    unsigned long mfn = pirq_domain_destroy(d);

    if ( mfn )
        put_page_and_type(mfn_to_page(mfn));
}
