/*
 * acpi_rsdp.c - finding and checking the ACPI Root System Description Pointer.
 *
 * Design: the RSDP normally comes from the boot loader (a Multiboot2 copy of
 * 20 or 36 bytes) and is checked by acpi_rsdp_check().  Without one,
 * acpi_find_rsdp_legacy() does the BIOS search the specification describes:
 * 16-byte boundaries in the first KiB of the Extended BIOS Data Area (its
 * segment is the word at 0x40E), then in the BIOS ROM area 0xE0000-0xFFFFF.
 * A candidate must pass the same checks as a copy, within what is mapped.
 *
 * Locking: none (boot CPU only).
 */
#include <parva/acpi.h>
#include <parva/lib.h>

#define RSDP_SIGNATURE      "RSD PTR "
#define RSDP_CHECKSUM       8
#define RSDP_REVISION       15
#define RSDP_LENGTH         20
#define RSDP_ALIGN          16

#define BDA_EBDA_SEGMENT    0x40e       /* real-mode segment of the EBDA */
#define EBDA_LOWEST         0x400       /* above the BDA ... */
#define EBDA_LIMIT          0xa0000     /* ... and below the legacy video area */
#define EBDA_SCAN_LEN       1024
#define BIOS_ROM_START      0xe0000
#define BIOS_ROM_END        0x100000

uint8_t acpi_checksum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while ( len-- )
        sum += *b++;
    return sum;
}

int acpi_rsdp_check(const void *rsdp, size_t len)
{
    const uint8_t *p = rsdp;
    uint32_t length;

    if ( !p || len < ACPI_RSDP_V1_LEN )
        return -EINVAL;
    if ( memcmp(p, RSDP_SIGNATURE, 8) )
        return -EINVAL;
    if ( acpi_checksum(p, ACPI_RSDP_V1_LEN) )
        return -EINVAL;
    if ( p[RSDP_REVISION] < 2 || len < ACPI_RSDP_V2_LEN )
        return 0;                       /* 1.0, or a 1.0-sized copy of a newer one */

    length = acpi_rd32(p + RSDP_LENGTH);
    if ( length < ACPI_RSDP_V2_LEN || length > len )
        return -EINVAL;
    if ( acpi_checksum(p, length) )
        return -EINVAL;
    return 0;
}

/*
 * Look for a good RSDP at the 16-byte boundaries of [start, start + slots);
 * map_len bytes from start are mapped (at least slots, more so that a
 * candidate near the end can be read whole).
 */
static paddr_t scan_area(paddr_t start, size_t slots, size_t map_len)
{
    const uint8_t *p = acpi_map(start, map_len);
    size_t off;

    if ( !p )
        return 0;
    for ( off = 0; off < slots && off + ACPI_RSDP_V1_LEN <= map_len; off += RSDP_ALIGN )
    {
        if ( memcmp(p + off, RSDP_SIGNATURE, 8) )
            continue;
        if ( acpi_rsdp_check(p + off, map_len - off) == 0 )
            return start + off;
    }
    return 0;
}

paddr_t acpi_find_rsdp_legacy(void)
{
    const uint8_t *bda = acpi_map(BDA_EBDA_SEGMENT, 2);
    paddr_t ebda = 0, pa;

    if ( bda )
        ebda = (paddr_t)acpi_rd16(bda) << 4;
    if ( ebda >= EBDA_LOWEST && ebda < EBDA_LIMIT )
    {
        /* The first KiB, plus room for a 36-byte RSDP starting in its last slot. */
        size_t map_len = min((size_t)(EBDA_LIMIT - ebda),
                             (size_t)(EBDA_SCAN_LEN + ACPI_RSDP_V2_LEN - RSDP_ALIGN));

        pa = scan_area(ebda, EBDA_SCAN_LEN, map_len);
        if ( pa )
            return pa;
    }
    return scan_area(BIOS_ROM_START, BIOS_ROM_END - BIOS_ROM_START, BIOS_ROM_END - BIOS_ROM_START);
}
