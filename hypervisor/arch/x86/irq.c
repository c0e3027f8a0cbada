/*
 * irq.c - the interrupt routing table (GSI -> vector -> handler) and interrupt dispatch.
 *
 * Design: a device interrupt is known by its ACPI global system interrupt
 * (GSI).  Legacy ISA IRQs become GSIs through the MADT's interrupt source
 * overrides (e.g. ISA IRQ 0 is GSI 2 on most PCs), which also give their
 * trigger mode and polarity; ISA defaults are edge/active-high.  Routing a
 * GSI takes a free vector from 0x30-0xdf, points the IO-APIC pin at the
 * boot CPU, and records the handler.  This is the table that later routes
 * physical interrupts to dom0 as event channels (PHYSDEVOP_map_pirq).
 *
 * Locking: irq_lock (irq-safe) protects the table while it is changed.
 * Dispatch reads an entry without the lock: an entry is complete before its
 * vector is unmasked, and entries are never removed yet.
 */
#include <parva/acpi.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/spinlock.h>
#include <parva/timer.h>
#include <asm/apic.h>
#include <asm/current.h>
#include <asm/io_apic.h>
#include <asm/irq.h>
#include <asm/pirq.h>
#include <asm/pv.h>
#include <asm/smp.h>
#include <asm/traps.h>

struct irq_desc {
    unsigned int gsi;
    unsigned int mode;          /* IRQ_TRIGGER_LEVEL | IRQ_POLARITY_LOW */
    irq_handler_t handler;
    void *data;
    const char *name;
    unsigned long count;
};

static struct irq_desc *vector_desc[256];
static struct irq_desc descs[LAST_DYNAMIC_VECTOR - FIRST_DYNAMIC_VECTOR + 1];
static DEFINE_SPINLOCK(irq_lock);
static const struct acpi_madt_info *madt;

void __init irq_init_overrides(const struct acpi_madt_info *mi)
{
    madt = mi;
}

unsigned int isa_irq_to_gsi(unsigned int isa_irq, unsigned int *mode)
{
    static const struct acpi_madt_info none;
    bool level, low;
    unsigned int gsi = acpi_isa_irq_to_gsi(madt ? madt : &none, isa_irq, &level, &low);

    *mode = (level ? IRQ_TRIGGER_LEVEL : 0) | (low ? IRQ_POLARITY_LOW : 0);
    return gsi;
}

int request_gsi(unsigned int gsi, unsigned int mode, irq_handler_t handler, void *data, const char *name)
{
    unsigned long flags;
    unsigned int v;
    struct irq_desc *d = NULL;
    int rc;

    if ( gsi >= NR_GSIS || !handler )
        return -EINVAL;
    if ( !ioapic_has_gsi(gsi) )
        return -ENODEV;
    spin_lock_irqsave(&irq_lock, flags);
    for ( v = FIRST_DYNAMIC_VECTOR; v <= LAST_DYNAMIC_VECTOR; v++ )
    {
        if ( vector_desc[v] && vector_desc[v]->gsi == gsi )
        {
            spin_unlock_irqrestore(&irq_lock, flags);
            return -EBUSY;
        }
        if ( !d && !vector_desc[v] )
            d = &descs[v - FIRST_DYNAMIC_VECTOR];
    }
    if ( !d )
    {
        spin_unlock_irqrestore(&irq_lock, flags);
        return -ENOSPC;
    }
    v = FIRST_DYNAMIC_VECTOR + (unsigned int)(d - descs);
    *d = (struct irq_desc){ .gsi = gsi, .mode = mode, .handler = handler, .data = data, .name = name };
    vector_desc[v] = d;
    rc = ioapic_route(gsi, v, pcpus[0].apic_id, mode);
    if ( rc )
        vector_desc[v] = NULL;
    spin_unlock_irqrestore(&irq_lock, flags);
    if ( !rc )
        printk(XENLOG_INFO "IRQ: GSI %u -> vector %#x on CPU 0 (%s, active %s) for %s\n", gsi, v,
               (mode & IRQ_TRIGGER_LEVEL) ? "level" : "edge", (mode & IRQ_POLARITY_LOW) ? "low" : "high",
               name);
    return rc;
}

int request_isa_irq(unsigned int isa_irq, irq_handler_t handler, void *data, const char *name)
{
    unsigned int mode, gsi;

    if ( isa_irq >= 16 )
        return -EINVAL;
    gsi = isa_irq_to_gsi(isa_irq, &mode);
    return request_gsi(gsi, mode, handler, data, name);
}

/* ---- the hardware side of guests' physical interrupts (pirq.c; pirq_lock held) ---- */

unsigned int pirq_hw_nr_gsis(void)
{
    static unsigned int nr;             /* the IO-APICs are fixed after boot */
    unsigned int gsi;

    if ( !nr )
        for ( gsi = 0; gsi < NR_GSIS; gsi++ )
            if ( ioapic_has_gsi(gsi) )
                nr = gsi + 1;
    return nr;
}

/* The hypervisor's own: a GSI it routed for itself (com1's), and the PIT's (ISA IRQ 0, as Xen keeps). */
bool pirq_hw_gsi_reserved(unsigned int gsi)
{
    unsigned int mode, v;

    if ( gsi == isa_irq_to_gsi(0, &mode) )
        return true;
    for ( v = FIRST_DYNAMIC_VECTOR; v <= LAST_DYNAMIC_VECTOR; v++ )
    {
        const struct irq_desc *d = __atomic_load_n(&vector_desc[v], __ATOMIC_ACQUIRE);

        if ( d && d->gsi == gsi && d->handler != pirq_gsi_interrupt )
            return true;
    }
    return false;
}

unsigned int pirq_hw_default_mode(unsigned int gsi)
{
    unsigned int isa, mode;

    for ( isa = 0; isa < 16; isa++ )
        if ( isa_irq_to_gsi(isa, &mode) == gsi )
            return mode;
    return IRQ_TRIGGER_LEVEL | IRQ_POLARITY_LOW;      /* a PCI interrupt line */
}

/*
 * Route gsi to pirq_gsi_interrupt() with mode, unmasked.  The first time the GSI gets a vector of
 * its own, which it keeps when the guest unbinds it (entries are never removed), so a later
 * binding only rewrites the pin.
 */
int pirq_hw_route(unsigned int gsi, unsigned int mode)
{
    unsigned long flags;
    unsigned int v, found = 0, free = 0;
    struct irq_desc *d;
    int rc;

    if ( gsi >= NR_GSIS || !ioapic_has_gsi(gsi) )
        return -ENODEV;
    spin_lock_irqsave(&irq_lock, flags);
    for ( v = FIRST_DYNAMIC_VECTOR; v <= LAST_DYNAMIC_VECTOR && !found; v++ )
    {
        if ( vector_desc[v] && vector_desc[v]->gsi == gsi )
            found = v;
        else if ( !free && !vector_desc[v] )
            free = v;
    }
    if ( found && vector_desc[found]->handler != pirq_gsi_interrupt )
        rc = -EBUSY;
    else if ( !found && !free )
        rc = -ENOSPC;
    else
    {
        v = found ? found : free;
        d = &descs[v - FIRST_DYNAMIC_VECTOR];
        if ( !found )
        {
            *d = (struct irq_desc){ .gsi = gsi, .handler = pirq_gsi_interrupt, .name = "dom0 (pirq)" };
            __atomic_store_n(&vector_desc[v], d, __ATOMIC_RELEASE);
        }
        d->mode = mode;
        rc = ioapic_route(gsi, (uint8_t)v, pcpus[0].apic_id, mode);
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    if ( !rc && !found )
        printk(XENLOG_INFO "IRQ: GSI %u -> vector %#x on CPU 0 (%s, active %s) for dom0 (pirq)\n", gsi, v,
               (mode & IRQ_TRIGGER_LEVEL) ? "level" : "edge", (mode & IRQ_POLARITY_LOW) ? "low" : "high");
    return rc;
}

void pirq_hw_mask(unsigned int gsi, bool masked)
{
    ioapic_mask(gsi, masked);
}

void irq_dump_routing(void)
{
    unsigned int v;

    printk("Interrupt routing (GSI -> vector -> handler):\n");
    for ( v = FIRST_DYNAMIC_VECTOR; v <= LAST_DYNAMIC_VECTOR; v++ )
    {
        const struct irq_desc *d = vector_desc[v];

        if ( d )
            printk("   GSI %3u  vector %#04x  %-5s %-4s  count %-8lu %s\n", d->gsi, v,
                   (d->mode & IRQ_TRIGGER_LEVEL) ? "level" : "edge",
                   (d->mode & IRQ_POLARITY_LOW) ? "low" : "high", d->count, d->name);
    }
    pirq_dump();
}

void do_interrupt(struct cpu_user_regs *regs)
{
    unsigned int v = regs->entry_vector;
    struct irq_desc *d;

    switch ( v )
    {
    case LOCAL_TIMER_VECTOR:
        lapic_timer_interrupt();
        break;
    case CALL_FUNCTION_VECTOR:
        smp_call_function_interrupt();
        break;
    case EVENT_CHECK_VECTOR:
        /* A wake-up: another CPU changed this one's timers, or raised an event for its vCPU. */
        this_pcpu()->ipis_received++;
        timer_interrupt();
        break;
    case ERROR_APIC_VECTOR:
        lapic_error_interrupt();
        break;
    case SPURIOUS_APIC_VECTOR:
        goto out;                               /* no EOI for spurious interrupts */
    default:
        if ( v >= 0x20 && v < 0x30 )
            goto out;                           /* a masked 8259 can still raise IRQ7/15 spuriously */
        d = vector_desc[v];
        if ( d )
        {
            d->count++;
            d->handler(d->gsi, d->data);
        }
        else
            printk(XENLOG_WARNING "CPU %u: unexpected interrupt on vector %#x\n", smp_processor_id(), v);
        break;
    }
    lapic_eoi();
 out:
    if ( guest_mode(regs) )
        pv_exit_to_guest(regs);
}
