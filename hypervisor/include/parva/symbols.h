/* symbols.h - the hypervisor's function symbol table, for stack traces. */
#ifndef PARVA_SYMBOLS_H
#define PARVA_SYMBOLS_H

#include <parva/types.h>

/*
 * The table (generated at link time by hypervisor/scripts/gensyms.sh):
 * symbols_nr functions sorted by address; name i is at symbols_names +
 * symbols_name_off[i].
 */
struct symbol_table {
    unsigned long nr;
    const unsigned long *addr;
    const uint32_t *name_off;
    const char *names;
    unsigned long text_end;     /* the last function ends here */
};

/* Find the function containing addr: its name, offset and size; false if none. */
bool symbols_lookup_in(const struct symbol_table *t, unsigned long addr, const char **name,
                       unsigned long *offset, unsigned long *size);
/* "name+0x1c/0x80", or "??" when addr is in no known function. */
void symbols_describe_in(const struct symbol_table *t, unsigned long addr, char *buf, size_t len);
/* The same against the hypervisor's own table. */
void symbols_describe(unsigned long addr, char *buf, size_t len);
bool symbols_lookup(unsigned long addr, const char **name, unsigned long *offset, unsigned long *size);

#endif /* PARVA_SYMBOLS_H */
