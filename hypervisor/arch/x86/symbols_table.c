/* symbols_table.c - binds the generic symbol lookup to the table linked into this image. */
#include <parva/symbols.h>

extern const unsigned long symbols_nr;
extern const unsigned long symbols_addr[];
extern const uint32_t symbols_name_off[];
extern const char symbols_names[];
extern char _etext[];

void symbols_describe(unsigned long addr, char *buf, size_t len)
{
    const struct symbol_table t = {
        .nr = symbols_nr, .addr = symbols_addr, .name_off = symbols_name_off,
        .names = symbols_names, .text_end = (unsigned long)_etext,
    };

    symbols_describe_in(&t, addr, buf, len);
}
