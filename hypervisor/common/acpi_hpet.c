/* acpi_hpet.c - decoding the HPET table: the first timer block's ID, MMIO base and minimum tick. */
#include <parva/acpi.h>
#include <parva/lib.h>
#include <parva/printk.h>

#define HPET_ID             36
#define HPET_BASE           40      /* GAS */
#define HPET_NUMBER         52
#define HPET_MIN_TICK       53
#define HPET_PAGE_PROT      55
#define HPET_LEN            56

int acpi_hpet_parse(const void *hpet, size_t len, struct acpi_hpet_info *hi)
{
    const uint8_t *t = hpet;
    struct acpi_gas base;

    memset(hi, 0, sizeof(*hi));
    if ( len < HPET_LEN )
    {
        printk(XENLOG_WARNING "ACPI: HPET table too short (%zu bytes)\n", len);
        return -EINVAL;
    }
    acpi_gas_decode(&base, t + HPET_BASE);
    if ( base.space_id != ACPI_GAS_MEMORY || !base.address )
    {
        printk(XENLOG_WARNING "ACPI: HPET base not in memory space (space %u address %#lx), ignored\n",
               base.space_id, base.address);
        return -EINVAL;
    }

    hi->id = acpi_rd32(t + HPET_ID);
    hi->address = base.address;
    hi->number = t[HPET_NUMBER];
    hi->min_tick = acpi_rd16(t + HPET_MIN_TICK);
    hi->page_prot = t[HPET_PAGE_PROT];
    hi->valid = true;
    printk(XENLOG_INFO "ACPI: HPET id: %#x base: %#lx\n", hi->id, hi->address);
    return 0;
}
