/*
 * pci_cfg.c - PCI configuration space for the hardware domain: its port accesses to CONFIG_ADDRESS
 * (0xcf8) and CONFIG_DATA (0xcfc-0xcff), emulated as Xen 4.17 does for a PV dom0.
 *
 * Design: a 4-byte access to 0xcf8 never reaches the hardware: it reads or
 * writes the domain's own copy (d->arch.pci_cf8).  An access within
 * 0xcfc-0xcff is cut into pieces that stay inside the register (a 3-byte
 * piece becomes 2 + 1, as in Xen's guest_io_read/write), and each piece,
 * if pci_cfg_ok() allows it, is one real configuration cycle: the domain's
 * CF8 value written to 0xcf8, then the data port, under pci_cfg_lock so no
 * other cycle comes in between.  Other accesses to 0xcf8-0xcfb (bytes and
 * words: 0xcf9 is the reset control register) go to the hardware as any
 * other dom0 port, as in Xen.  An access that straddles 0xcfc or 0xd00 is
 * refused (all-ones, write dropped): Linux never makes one.
 *
 * What dom0 may touch (pci_cfg_ok, Xen's function of that name): it may
 * read every function's configuration space, and write every function's
 * except those on the write-protect list (Xen's pci_ro_map: its PCI serial
 * card, its IOMMUs).  Parva drives no PCI function itself -- its console is
 * an ISA UART, its timers are the local APIC, the HPET and the PIT, its
 * IO-APICs and local APICs sit at fixed addresses -- so the list is empty
 * and dom0 may write everything; pci_cfg_protect() adds a function to it.
 * Extended register numbers in CF8 bits 24-27 (AMD) go to the hardware as
 * dom0 wrote them; MMCONFIG is dom0's own memory-mapped business.  Other
 * domains get all-ones and dropped writes, like any port they may not use.
 *
 * Locking: pci_cfg_lock (irq-safe, leaf) serialises the CF8/CFC pairs and
 * the write-protect list.  d->arch.pci_cf8 is written by the domain's vCPUs
 * without a lock, as Xen does (one 32-bit store).
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/spinlock.h>
#include <asm/pci_cfg.h>
#include <asm/processor.h>

#define CF8_ENABLED(cf8)    (((cf8) >> 31) & 1)
#define CF8_BDF(cf8)        (((cf8) >> 8) & 0xffff)
#define MAX_PROTECTED       8

static DEFINE_SPINLOCK(pci_cfg_lock);
static uint16_t protected_bdf[MAX_PROTECTED];
static unsigned int nr_protected;

int pci_cfg_protect(unsigned int bus, unsigned int devfn)
{
    unsigned long flags;
    int rc = -ENOSPC;

    spin_lock_irqsave(&pci_cfg_lock, flags);
    if ( nr_protected < MAX_PROTECTED )
    {
        protected_bdf[nr_protected++] = (uint16_t)(((bus & 0xff) << 8) | (devfn & 0xff));
        rc = 0;
    }
    spin_unlock_irqrestore(&pci_cfg_lock, flags);
    return rc;
}

/* Xen's pci_cfg_ok(): may d make this cycle?  pci_cfg_lock held. */
static bool pci_cfg_ok(const struct domain *d, uint32_t cf8, bool write)
{
    unsigned int i;

    if ( !d->is_privileged )
        return false;
    if ( !CF8_ENABLED(cf8) || !write )
        return true;
    for ( i = 0; i < nr_protected; i++ )
        if ( protected_bdf[i] == CF8_BDF(cf8) )
            return false;
    return true;
}

/* One configuration cycle of size bytes at CONFIG_DATA + offset. */
static uint32_t cfg_cycle(const struct domain *d, unsigned int offset, unsigned int size, const uint32_t *wval)
{
    uint32_t cf8 = __atomic_load_n(&d->arch.pci_cf8, __ATOMIC_RELAXED), val = ~0U;
    unsigned long flags;

    spin_lock_irqsave(&pci_cfg_lock, flags);
    if ( pci_cfg_ok(d, cf8, wval != NULL) )
    {
        outl(cf8, 0xcf8);
        if ( wval )
        {
            switch ( size )
            {
            case 1: outb(*wval, 0xcfc + offset); break;
            case 2: outw(*wval, 0xcfc + offset); break;
            default: outl(*wval, 0xcfc); break;
            }
        }
        else
        {
            switch ( size )
            {
            case 1: val = inb(0xcfc + offset); break;
            case 2: val = inw(0xcfc + offset); break;
            default: val = inl(0xcfc); break;
            }
        }
    }
    spin_unlock_irqrestore(&pci_cfg_lock, flags);
    return val;
}

/* The pieces of an access inside CONFIG_DATA: each at most up to the register's end, never 3 bytes. */
static unsigned int piece(unsigned int port, unsigned int left)
{
    unsigned int size = 4 - (port & 3);

    size = left < size ? left : size;
    return size == 3 ? 2 : size;
}

static bool is_cfg_data(unsigned int port, unsigned int size)
{
    return port >= 0xcfc && port + size <= 0xd00;
}

static bool straddles(unsigned int port, unsigned int size)
{
    return (port < 0xcfc && port + size > 0xcfc) || (port < 0xd00 && port + size > 0xd00);
}

bool pci_cfg_in(struct domain *d, unsigned int port, unsigned int size, uint32_t *val)
{
    unsigned int shift = 0, n;
    uint32_t data = 0;

    if ( port == 0xcf8 && size == 4 )
    {
        *val = d->is_privileged ? __atomic_load_n(&d->arch.pci_cf8, __ATOMIC_RELAXED) : ~0U;
        return true;
    }
    if ( straddles(port, size) )
    {
        *val = ~0U;
        return true;
    }
    if ( !is_cfg_data(port, size) )
        return false;
    for ( ; size; port += n, size -= n, shift += 8 * n )
    {
        n = piece(port, size);
        data |= (cfg_cycle(d, port & 3, n, NULL) & (n == 4 ? ~0U : (1U << (8 * n)) - 1)) << shift;
    }
    *val = data;
    return true;
}

bool pci_cfg_out(struct domain *d, unsigned int port, unsigned int size, uint32_t val)
{
    unsigned int n;
    uint32_t part;

    if ( port == 0xcf8 && size == 4 )
    {
        if ( d->is_privileged )
            __atomic_store_n(&d->arch.pci_cf8, val, __ATOMIC_RELAXED);
        return true;
    }
    if ( straddles(port, size) )
        return true;
    if ( !is_cfg_data(port, size) )
        return false;
    for ( ; size; port += n, size -= n, val = n == 4 ? 0 : val >> (8 * n) )
    {
        n = piece(port, size);
        part = val;
        cfg_cycle(d, port & 3, n, &part);
    }
    return true;
}
