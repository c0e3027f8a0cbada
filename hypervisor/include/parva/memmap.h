/*
 * memmap.h - E820-style machine memory maps: entry types, sanitising (sort,
 * resolve overlaps, merge) and queries.
 *
 * A map is a plain array of struct memmap_entry plus a count.  Maps come
 * from firmware via the boot loader and may be unsorted, overlapping or
 * contain empty entries; memmap_sanitize() turns one into a sorted list of
 * non-overlapping ranges where adjacent ranges of the same type are merged.
 * The queries assume a sanitised map.
 */
#ifndef PARVA_MEMMAP_H
#define PARVA_MEMMAP_H

#include <parva/compiler.h>
#include <parva/types.h>

/* E820 types.  Any other value is kept as it is and treated as reserved. */
#define E820_RAM            1
#define E820_RESERVED       2
#define E820_ACPI           3   /* ACPI tables, reclaimable once parsed */
#define E820_NVS            4   /* ACPI non-volatile storage */
#define E820_UNUSABLE       5

struct memmap_entry {
    uint64_t addr;              /* first byte */
    uint64_t size;              /* bytes; the range is [addr, addr + size) */
    uint32_t type;              /* E820_* */
};

/* Most entries memmap_sanitize() produces (the size of its scratch map); larger max is capped. */
#define MEMMAP_MAX_ENTRIES  256

/*
 * Sanitise map[0..*nr) in place, into at most max entries: drop empty
 * entries and entries whose end does not fit in 64 bits (reported), give
 * every address covered by several entries the winning type (any non-RAM
 * type beats RAM; between two non-RAM types the higher number wins), merge
 * adjacent or overlapping ranges of the same type, sort by address.
 * Returns 0; -EINVAL if *nr > max; -ENOSPC if the result has more than max
 * entries, leaving map and *nr unchanged.  Boot time only: not reentrant.
 */
int memmap_sanitize(struct memmap_entry *map, unsigned int *nr, unsigned int max);

/* Total bytes of the given type (map sanitised, so nothing is counted twice). */
uint64_t memmap_total(const struct memmap_entry *map, unsigned int nr, uint32_t type);

/* Whether all of [addr, addr + size) is of the given type; false for an empty or wrapping range. */
bool memmap_is_type(const struct memmap_entry *map, unsigned int nr, uint64_t addr, uint64_t size,
                    uint32_t type);

/* "usable", "reserved", "ACPI data", "ACPI NVS", "unusable", or "unknown" for other types. */
const char *memmap_type_name(uint32_t type);

/* Log the map (XENLOG_INFO), one line per entry as Xen does: " [start, end] (type)", end inclusive. */
void memmap_print(const struct memmap_entry *map, unsigned int nr);

#endif /* PARVA_MEMMAP_H */
