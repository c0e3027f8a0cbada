/*
 * memmap.c - sanitising and querying E820-style machine memory maps.
 *
 * Design: memmap_sanitize() sweeps the address space from boundary to
 * boundary (every entry start and end is a boundary).  Between two
 * consecutive boundaries the set of covering entries does not change, so
 * the type there is the highest-priority type among them, and that range
 * is appended to the result, extending the previous range when it has the
 * same type and touches it.  Each step scans all entries, which is O(n^2)
 * overall for maps of tens of entries, and needs no sorting.  The result is
 * built in a static scratch map and copied back only when it fits, so an
 * -ENOSPC leaves the caller's map untouched, and -ENOSPC means exactly that
 * the sanitised map has more than max entries (no temporary overshoot).
 *
 * Locking: memmap_sanitize() uses a static scratch map: boot time only, one
 * caller at a time (the boot CPU).  The queries only read the map given.
 */
#include <parva/lib.h>
#include <parva/memmap.h>
#include <parva/printk.h>

static struct memmap_entry scratch[MEMMAP_MAX_ENTRIES];

static inline uint64_t entry_end(const struct memmap_entry *e)
{
    return e->addr + e->size;
}

/* Entries taken into account: not empty, and the end fits in 64 bits. */
static inline bool entry_valid(const struct memmap_entry *e)
{
    return e->size != 0 && entry_end(e) > e->addr;
}

/* Overlap winner: RAM loses to everything; otherwise the higher type number wins. */
static inline uint64_t type_priority(uint32_t type)
{
    return type == E820_RAM ? 0 : (uint64_t)type + 1;
}

/*
 * At pos: whether any valid entry covers it, its winning type, and the next
 * boundary after pos (the nearest entry start or end above it).  Returns
 * false with *next = pos when nothing lies at or above pos.
 */
static bool sweep_step(const struct memmap_entry *map, unsigned int nr, uint64_t pos,
                       uint32_t *type, uint64_t *next)
{
    bool covered = false, have_next = false;
    unsigned int i;

    *next = pos;
    for ( i = 0; i < nr; i++ )
    {
        const struct memmap_entry *e = &map[i];
        uint64_t b;

        if ( !entry_valid(e) || entry_end(e) <= pos )
            continue;
        if ( e->addr <= pos )
        {
            if ( !covered || type_priority(e->type) > type_priority(*type) )
                *type = e->type;
            covered = true;
            b = entry_end(e);
        }
        else
            b = e->addr;
        if ( !have_next || b < *next )
            *next = b;
        have_next = true;
    }
    return covered;
}

int memmap_sanitize(struct memmap_entry *map, unsigned int *nr, unsigned int max)
{
    unsigned int i, n = *nr, out = 0;
    uint64_t pos = 0, next;
    bool any = false;
    uint32_t type = 0;

    if ( n > max )
        return -EINVAL;
    if ( max > MEMMAP_MAX_ENTRIES )
        max = MEMMAP_MAX_ENTRIES;

    /* Start at the lowest valid entry; report the ones that wrap. */
    for ( i = 0; i < n; i++ )
    {
        if ( map[i].size != 0 && !entry_valid(&map[i]) )
            printk(XENLOG_WARNING "memmap: dropping entry [%#lx, +%#lx) (type %u): end beyond 64 bits\n",
                   map[i].addr, map[i].size, map[i].type);
        else if ( entry_valid(&map[i]) && (!any || map[i].addr < pos) )
        {
            pos = map[i].addr;
            any = true;
        }
    }

    while ( any )
    {
        bool covered = sweep_step(map, n, pos, &type, &next);

        if ( next == pos )
            break;                      /* nothing left above pos */
        if ( covered )
        {
            if ( out > 0 && scratch[out - 1].type == type && entry_end(&scratch[out - 1]) == pos )
                scratch[out - 1].size += next - pos;
            else if ( out == max )
            {
                printk(XENLOG_WARNING "memmap: sanitised map needs more than %u entries\n", max);
                return -ENOSPC;
            }
            else
                scratch[out++] = (struct memmap_entry){ pos, next - pos, type };
        }
        pos = next;
    }

    memcpy(map, scratch, out * sizeof(*map));
    *nr = out;
    return 0;
}

uint64_t memmap_total(const struct memmap_entry *map, unsigned int nr, uint32_t type)
{
    uint64_t total = 0;
    unsigned int i;

    for ( i = 0; i < nr; i++ )
        if ( map[i].type == type )
            total += map[i].size;
    return total;
}

bool memmap_is_type(const struct memmap_entry *map, unsigned int nr, uint64_t addr, uint64_t size,
                    uint32_t type)
{
    uint64_t pos = addr, end = addr + size, e_end;
    unsigned int i;

    if ( size == 0 || end < addr )
        return false;

    /* Go from entry to entry of this type, each covering pos: adjacent entries may continue a range. */
    while ( pos < end )
    {
        for ( i = 0; i < nr; i++ )
            if ( map[i].type == type && pos >= map[i].addr && pos - map[i].addr < map[i].size )
                break;
        if ( i == nr )
            return false;
        e_end = entry_end(&map[i]);
        if ( e_end <= pos )
            return true;                /* wraps: covers everything up to the top */
        pos = e_end;
    }
    return true;
}

const char *memmap_type_name(uint32_t type)
{
    switch ( type )
    {
    case E820_RAM:      return "usable";
    case E820_RESERVED: return "reserved";
    case E820_ACPI:     return "ACPI data";
    case E820_NVS:      return "ACPI NVS";
    case E820_UNUSABLE: return "unusable";
    default:            return "unknown";
    }
}

void memmap_print(const struct memmap_entry *map, unsigned int nr)
{
    unsigned int i;

    for ( i = 0; i < nr; i++ )
    {
        const struct memmap_entry *e = &map[i];

        if ( e->size == 0 )
            printk(XENLOG_INFO " [%016lx, empty           ] (%s, type %u)\n",
                   e->addr, memmap_type_name(e->type), e->type);
        else if ( e->type >= E820_RAM && e->type <= E820_UNUSABLE )
            printk(XENLOG_INFO " [%016lx, %016lx] (%s)\n",
                   e->addr, e->addr + e->size - 1, memmap_type_name(e->type));
        else
            printk(XENLOG_INFO " [%016lx, %016lx] (type %u)\n",
                   e->addr, e->addr + e->size - 1, e->type);
    }
}
