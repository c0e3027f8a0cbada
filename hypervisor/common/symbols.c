/* symbols.c - looks up hypervisor addresses in the link-time symbol table, for stack traces. */
#include <parva/lib.h>
#include <parva/symbols.h>

bool symbols_lookup_in(const struct symbol_table *t, unsigned long addr, const char **name,
                       unsigned long *offset, unsigned long *size)
{
    unsigned long lo = 0, hi = t->nr, end;

    if ( !t->nr || addr < t->addr[0] || addr >= t->text_end )
        return false;
    /* Binary search for the last symbol at or below addr. */
    while ( hi - lo > 1 )
    {
        unsigned long mid = lo + (hi - lo) / 2;

        if ( t->addr[mid] <= addr )
            lo = mid;
        else
            hi = mid;
    }
    /* Aliases share an address: report the first of them. */
    while ( lo > 0 && t->addr[lo - 1] == t->addr[lo] )
        lo--;
    end = t->text_end;
    for ( hi = lo + 1; hi < t->nr; hi++ )
        if ( t->addr[hi] > t->addr[lo] )
        {
            end = t->addr[hi];
            break;
        }
    *name = t->names + t->name_off[lo];
    *offset = addr - t->addr[lo];
    *size = end - t->addr[lo];
    return true;
}

void symbols_describe_in(const struct symbol_table *t, unsigned long addr, char *buf, size_t len)
{
    const char *name;
    unsigned long off, size;

    if ( symbols_lookup_in(t, addr, &name, &off, &size) )
        snprintf(buf, len, "%s+%#lx/%#lx", name, off, size);
    else
        snprintf(buf, len, "??");
}
