/*
 * boot_alloc.c - the boot allocator: frames carved from a list of free ranges before the heap exists.
 *
 * Design: ranges[] holds up to BOOTMEM_MAX_RANGES half-open frame ranges,
 * sorted by start, never overlapping or touching (touching ranges are
 * merged when added).  Adding merges with every range it overlaps or
 * touches; reserving trims ranges and splits one in two when the hole is
 * in its middle.  Allocation is top-down from the highest range that fits,
 * so low memory (DMA, 32-bit structures) lasts; it is a reserve of the
 * chosen frames.  Frame 0 is never handed out, so 0 can mean failure.
 * When the array is full, memory that does not fit is dropped with a
 * message: a smaller heap, never a corrupt list.  bootmem_end() gives every
 * range to the buddy heap and closes the allocator.
 *
 * Locking: none.  The allocator is used on the boot CPU only, before any
 * other CPU runs.
 */
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>

struct bootmem_range {
    unsigned long start, end;       /* frames [start, end) */
};

static struct bootmem_range ranges[BOOTMEM_MAX_RANGES];
static unsigned int nr_ranges;
static bool bootmem_closed;         /* bootmem_end() has run */

static void remove_ranges(unsigned int idx, unsigned int n)
{
    memmove(&ranges[idx], &ranges[idx + n], (nr_ranges - idx - n) * sizeof(ranges[0]));
    nr_ranges -= n;
}

/* Insert at idx (order kept by the caller); false when the array is full. */
static bool insert_range(unsigned int idx, unsigned long start, unsigned long end)
{
    if ( nr_ranges == BOOTMEM_MAX_RANGES )
        return false;
    memmove(&ranges[idx + 1], &ranges[idx], (nr_ranges - idx) * sizeof(ranges[0]));
    ranges[idx].start = start;
    ranges[idx].end = end;
    nr_ranges++;
    return true;
}

void bootmem_add(unsigned long start_mfn, unsigned long end_mfn)
{
    unsigned int first, last;

    if ( bootmem_closed )
    {
        printk(XENLOG_WARNING "bootmem: add of %#lx-%#lx after bootmem_end ignored\n",
               start_mfn, end_mfn);
        return;
    }
    if ( start_mfn >= end_mfn )
        return;

    /* ranges[first..last-1] overlap or touch [start, end). */
    for ( first = 0; first < nr_ranges && ranges[first].end < start_mfn; first++ )
        continue;
    for ( last = first; last < nr_ranges && ranges[last].start <= end_mfn; last++ )
        continue;

    if ( first == last )
    {
        if ( !insert_range(first, start_mfn, end_mfn) )
            printk(XENLOG_ERR "bootmem: more than %u free ranges, dropping frames %#lx-%#lx\n",
                   BOOTMEM_MAX_RANGES, start_mfn, end_mfn - 1);
        return;
    }

    ranges[first].start = min(ranges[first].start, start_mfn);
    ranges[first].end = max(ranges[last - 1].end, end_mfn);
    remove_ranges(first + 1, last - first - 1);
}

void bootmem_reserve(unsigned long start_mfn, unsigned long end_mfn)
{
    unsigned int i = 0;

    if ( start_mfn >= end_mfn )
        return;

    while ( i < nr_ranges )
    {
        struct bootmem_range *r = &ranges[i];

        if ( r->start >= end_mfn )
            break;
        if ( r->end <= start_mfn )
        {
            i++;
            continue;
        }

        if ( start_mfn <= r->start && end_mfn >= r->end )
        {
            remove_ranges(i, 1);            /* all of it: the next range moves to i */
            continue;
        }
        if ( start_mfn > r->start && end_mfn < r->end )
        {
            /* A hole in the middle: [r->start, start) and [end, r->end) remain. */
            unsigned long lo_end = start_mfn, hi_start = end_mfn, hi_end = r->end;

            r->end = lo_end;
            if ( !insert_range(i + 1, hi_start, hi_end) )
            {
                /* No room for both pieces: keep the larger one. */
                if ( hi_end - hi_start > lo_end - r->start )
                {
                    printk(XENLOG_ERR "bootmem: more than %u free ranges, dropping frames %#lx-%#lx\n",
                           BOOTMEM_MAX_RANGES, r->start, lo_end - 1);
                    r->start = hi_start;
                    r->end = hi_end;
                }
                else
                    printk(XENLOG_ERR "bootmem: more than %u free ranges, dropping frames %#lx-%#lx\n",
                           BOOTMEM_MAX_RANGES, hi_start, hi_end - 1);
            }
            break;
        }
        if ( start_mfn > r->start )
            r->end = start_mfn;             /* the reservation covers its tail */
        else
            r->start = end_mfn;             /* ... or its head */
        i++;
    }
}

unsigned long bootmem_alloc(unsigned long nr, unsigned long align)
{
    unsigned int i;

    if ( bootmem_closed )
    {
        printk(XENLOG_ERR "bootmem: allocation of %lu frames after bootmem_end\n", nr);
        return 0;
    }
    if ( nr == 0 || !is_power_of_2(align) )
    {
        printk(XENLOG_ERR "bootmem: bad allocation of %lu frames aligned to %lu\n", nr, align);
        return 0;
    }

    for ( i = nr_ranges; i-- > 0; )
    {
        unsigned long start = ranges[i].start, end = ranges[i].end, mfn;

        if ( end - start < nr )
            continue;
        mfn = ROUNDDOWN(end - nr, align);
        if ( mfn < start || mfn == 0 )
            continue;
        bootmem_reserve(mfn, mfn + nr);
        return mfn;
    }
    return 0;
}

bool bootmem_range(unsigned int idx, unsigned long *start_mfn, unsigned long *end_mfn)
{
    if ( idx >= nr_ranges )
        return false;
    *start_mfn = ranges[idx].start;
    *end_mfn = ranges[idx].end;
    return true;
}

unsigned long bootmem_free_count(void)
{
    unsigned long n = 0;
    unsigned int i;

    for ( i = 0; i < nr_ranges; i++ )
        n += ranges[i].end - ranges[i].start;
    return n;
}

void bootmem_end(void)
{
    unsigned int i;

    for ( i = 0; i < nr_ranges; i++ )
        heap_add_pages(ranges[i].start, ranges[i].end - ranges[i].start);
    nr_ranges = 0;
    bootmem_closed = true;
}
