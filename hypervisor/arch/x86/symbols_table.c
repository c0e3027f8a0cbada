/* symbols_table.c - binds the generic symbol lookup to the table linked into this image. */
#include <parva/symbols.h>

extern const unsigned long symbols_nr;
extern const unsigned long symbols_addr[];
extern const uint32_t symbols_name_off[];
extern const char symbols_names[];
extern char _etext[];

static const struct symbol_table *table(void)
{
    static struct symbol_table t;

    t = (struct symbol_table){
        .nr = symbols_nr, .addr = symbols_addr, .name_off = symbols_name_off,
        .names = symbols_names, .text_end = (unsigned long)_etext,
    };
    return &t;
}

void symbols_describe(unsigned long addr, char *buf, size_t len)
{
    symbols_describe_in(table(), addr, buf, len);
}

bool symbols_lookup(unsigned long addr, const char **name, unsigned long *offset, unsigned long *size)
{
    return symbols_lookup_in(table(), addr, name, offset, size);
}
