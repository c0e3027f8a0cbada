/*
 * acpi.c - the x86 side of ACPI: mapping firmware tables, reading and writing ACPI registers (GAS).
 *
 * The tables are parsed by common/acpi_*.c through acpi_map(); the parsed
 * result lives in acpi_info for the rest of the boot (CPUs, IO-APICs,
 * power-off, reset, HPET).
 */
#include <parva/acpi.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/acpi.h>
#include <asm/paging.h>
#include <asm/processor.h>

struct acpi_info acpi_info;

/*
 * The table parser uses each mapping only until its next acpi_map() call
 * (parva/acpi.h), so one window of vmap space is reused for all tables;
 * a table larger than the window gets a mapping of its own.
 */
#define WINDOW_PAGES    64
static unsigned long window;

const void *acpi_map(uint64_t paddr, size_t len)
{
    unsigned long first = PFN_DOWN(paddr), nr;

    if ( !len || paddr + len < paddr )
        return NULL;
    nr = PFN_UP(paddr + len) - first;
    if ( nr > WINDOW_PAGES )
        return ioremap(paddr, len, PAGE_HV_RO);
    if ( !window && !(window = vmap_reserve(WINDOW_PAGES, PAGE_SIZE)) )
        return NULL;
    map_pages(window, first, nr, PAGE_HV_RO | MAP_SMALL);
    return (const uint8_t *)window + (paddr & ~PAGE_MASK);
}

/* ACPI registers in memory space: a few pages mapped once each (there are only a handful). */
static volatile void *gas_mmio(uint64_t addr)
{
    static struct { uint64_t page; volatile uint8_t *va; } cache[8];
    uint64_t page = addr & PAGE_MASK;
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(cache) && cache[i].va; i++ )
        if ( cache[i].page == page )
            return cache[i].va + (addr & ~PAGE_MASK);
    if ( i == ARRAY_SIZE(cache) )
        return NULL;
    cache[i].va = ioremap(page, PAGE_SIZE, PAGE_HV_UC);
    if ( !cache[i].va )
        return NULL;
    cache[i].page = page;
    return cache[i].va + (addr & ~PAGE_MASK);
}

/* Read or write an ACPI register of up to 32 bits in I/O or memory space. */
static int gas_access(const struct acpi_gas *g, uint32_t *val, bool write)
{
    unsigned int width = g->bit_width ? g->bit_width : 8 << (g->access_size ? g->access_size - 1 : 0);

    if ( !g->address )
        return -ENODEV;
    if ( g->space_id == ACPI_GAS_IO )
    {
        if ( g->address > 0xffff )
            return -EINVAL;
        switch ( width )
        {
        case 8:  if ( write ) outb(*val, g->address); else *val = inb(g->address); return 0;
        case 16: if ( write ) outw(*val, g->address); else *val = inw(g->address); return 0;
        case 32: if ( write ) outl(*val, g->address); else *val = inl(g->address); return 0;
        default: return -EINVAL;
        }
    }
    if ( g->space_id == ACPI_GAS_MEMORY )
    {
        volatile void *p = gas_mmio(g->address);

        if ( !p )
            return -ENOMEM;
        switch ( width )
        {
        case 8:  if ( write ) *(volatile uint8_t *)p = *val; else *val = *(volatile uint8_t *)p; return 0;
        case 16: if ( write ) *(volatile uint16_t *)p = *val; else *val = *(volatile uint16_t *)p; return 0;
        case 32: if ( write ) *(volatile uint32_t *)p = *val; else *val = *(volatile uint32_t *)p; return 0;
        default: return -EINVAL;
        }
    }
    return -EOPNOTSUPP;
}

int acpi_gas_read(const struct acpi_gas *g, uint32_t *val)
{
    return gas_access(g, val, false);
}

int acpi_gas_write(const struct acpi_gas *g, uint32_t val)
{
    return gas_access(g, &val, true);
}
