/*
 * io_apic.c - IO-APICs: the redirection entries that turn GSIs into vectors on a CPU.
 *
 * Every IO-APIC listed in the MADT is mapped and all its entries masked at
 * boot; the legacy 8259 PICs are remapped out of the exception vectors and
 * masked for good.  irq.c decides which GSI goes to which vector.
 *
 * Locking: ioapic_lock (irq-safe) serialises the select/window register
 * pairs.  Leaf lock.
 */
#include <parva/acpi.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/spinlock.h>
#include <asm/io_apic.h>
#include <asm/iomem.h>
#include <asm/irq.h>
#include <asm/paging.h>
#include <asm/processor.h>

#define IOREGSEL        0x00
#define IOWIN           0x10
#define IOAPIC_ID       0x00
#define IOAPIC_VER      0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))

#define RTE_MASKED      (1U << 16)
#define RTE_LEVEL       (1U << 15)
#define RTE_ACTIVE_LOW  (1U << 13)

struct ioapic {
    volatile uint8_t *mmio;
    uint64_t phys;                  /* the MADT's address (PHYSDEVOP_apic_read names it) */
    uint8_t id;
    uint32_t gsi_base;
    unsigned int nr_pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int nr_ioapics;
static DEFINE_SPINLOCK(ioapic_lock);

static uint32_t io_read(const struct ioapic *a, unsigned int reg)
{
    mmio_write32(a->mmio + IOREGSEL, reg);
    return mmio_read32(a->mmio + IOWIN);
}

static void io_write(const struct ioapic *a, unsigned int reg, uint32_t v)
{
    mmio_write32(a->mmio + IOREGSEL, reg);
    mmio_write32(a->mmio + IOWIN, v);
}

static struct ioapic *ioapic_for_gsi(unsigned int gsi, unsigned int *pin)
{
    unsigned int i;

    for ( i = 0; i < nr_ioapics; i++ )
        if ( gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].nr_pins )
        {
            *pin = gsi - ioapics[i].gsi_base;
            return &ioapics[i];
        }
    return NULL;
}

/*
 * Remap the 8259s to vectors 0x20-0x2f (away from exceptions) and mask every line.  Done before
 * the local APIC masks LINT0: a PIC output left high behind a masked LINT0 can otherwise reach the
 * CPU as an interrupt nobody can acknowledge (QEMU delivers it as vector -1, a #GP).
 */
void __init pic_disable(void)
{
    outb(0x11, 0x20);   outb(0x11, 0xa0);   /* ICW1: init, ICW4 follows */
    outb(0x20, 0x21);   outb(0x28, 0xa1);   /* ICW2: vector bases */
    outb(0x04, 0x21);   outb(0x02, 0xa1);   /* ICW3: cascade on IRQ2 */
    outb(0x01, 0x21);   outb(0x01, 0xa1);   /* ICW4: 8086 mode */
    outb(0xff, 0x21);   outb(0xff, 0xa1);   /* mask all */
}

void __init ioapic_init(const struct acpi_madt_info *madt)
{
    unsigned int i, pin;

    for ( i = 0; i < madt->nr_ioapics && nr_ioapics < ARRAY_SIZE(ioapics); i++ )
    {
        struct ioapic *a = &ioapics[nr_ioapics];

        iomem_reserve(madt->ioapics[i].address, PAGE_SIZE);
        a->mmio = ioremap(madt->ioapics[i].address, PAGE_SIZE, PAGE_HV_UC);
        if ( !a->mmio )
            continue;
        a->id = madt->ioapics[i].id;
        a->phys = madt->ioapics[i].address;
        a->gsi_base = madt->ioapics[i].gsi_base;
        a->nr_pins = ((io_read(a, IOAPIC_VER) >> 16) & 0xff) + 1;
        for ( pin = 0; pin < a->nr_pins; pin++ )
        {
            io_write(a, IOAPIC_REDTBL(pin) + 1, 0);
            io_write(a, IOAPIC_REDTBL(pin), RTE_MASKED);
        }
        printk("IOAPIC[%u]: apic_id %u, version %u, address %#x, GSI %u-%u\n", nr_ioapics, a->id,
               io_read(a, IOAPIC_VER) & 0xff, madt->ioapics[i].address, a->gsi_base,
               a->gsi_base + a->nr_pins - 1);
        nr_ioapics++;
    }
    if ( !nr_ioapics )
        printk(XENLOG_WARNING "No IO-APIC: device interrupts are unavailable\n");
}

bool ioapic_has_gsi(unsigned int gsi)
{
    unsigned int pin;

    return ioapic_for_gsi(gsi, &pin) != NULL;
}

int ioapic_route(unsigned int gsi, uint8_t vector, uint32_t dest_apic_id, unsigned int mode)
{
    unsigned int pin;
    struct ioapic *a = ioapic_for_gsi(gsi, &pin);
    uint32_t lo = vector;
    unsigned long flags;

    if ( !a )
        return -ENODEV;
    if ( mode & IRQ_TRIGGER_LEVEL )
        lo |= RTE_LEVEL;
    if ( mode & IRQ_POLARITY_LOW )
        lo |= RTE_ACTIVE_LOW;
    spin_lock_irqsave(&ioapic_lock, flags);
    io_write(a, IOAPIC_REDTBL(pin), lo | RTE_MASKED);
    io_write(a, IOAPIC_REDTBL(pin) + 1, dest_apic_id << 24);   /* physical destination */
    io_write(a, IOAPIC_REDTBL(pin), lo);
    spin_unlock_irqrestore(&ioapic_lock, flags);
    return 0;
}

/* PHYSDEVOP_apic_read: any register of the IO-APIC at physbase, as Xen's ioapic_guest_read(). */
int ioapic_guest_read(unsigned long physbase, unsigned int reg, uint32_t *val)
{
    unsigned long flags;
    unsigned int i;

    for ( i = 0; i < nr_ioapics; i++ )
        if ( ioapics[i].phys == physbase )
        {
            spin_lock_irqsave(&ioapic_lock, flags);
            *val = io_read(&ioapics[i], reg);
            spin_unlock_irqrestore(&ioapic_lock, flags);
            return 0;
        }
    return -EINVAL;
}

void ioapic_mask(unsigned int gsi, bool masked)
{
    unsigned int pin;
    struct ioapic *a = ioapic_for_gsi(gsi, &pin);
    unsigned long flags;
    uint32_t lo;

    if ( !a )
        return;
    spin_lock_irqsave(&ioapic_lock, flags);
    lo = io_read(a, IOAPIC_REDTBL(pin));
    io_write(a, IOAPIC_REDTBL(pin), masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
    spin_unlock_irqrestore(&ioapic_lock, flags);
}
