/*
 * param.h - hypervisor command-line options: registration macros and the parser (Xen's names and syntax).
 *
 * An option is a descriptor placed by one of the *_param() macros in the
 * linker section "param_table"; param_parse_cmdline() walks the section from
 * __start_param_table to __stop_param_table.  The host linker defines those
 * two symbols by itself (the section name is a C identifier); the
 * hypervisor's linker script must define them around
 *     . = ALIGN(PARAM_DESC_ALIGN); KEEP(*(param_table))
 *
 * Descriptors are exactly PARAM_DESC_ALIGN bytes and aligned to that, so the
 * section is a plain array whatever alignment the compiler would pick.  gcc's
 * AddressSanitizer leaves variables with an explicit section alone (no red
 * zones), which keeps the array walk valid in the unit tests too.
 */
#ifndef PARVA_PARAM_H
#define PARVA_PARAM_H

#include <parva/compiler.h>
#include <parva/types.h>

/* Longest word (name=value) the parser accepts, NUL included; longer words are reported and skipped. */
#define PARAM_WORD_MAX      128
/* Size of the saved copy of the command line, NUL included (Xen's xen_commandline_t). */
#define PARAM_CMDLINE_MAX   1024

#define PARAM_DESC_ALIGN    32

enum param_type {
    PARAM_BOOL = 1,     /* bool */
    PARAM_UINT,         /* unsigned integer of 1, 2, 4 or 8 bytes */
    PARAM_SIZE,         /* unsigned integer of 4 or 8 bytes holding a byte count */
    PARAM_STRING,       /* char array, NUL-terminated */
    PARAM_CUSTOM,       /* int fn(const char *value): 0 or -errno */
};

struct param_desc {
    const char *name;
    union {
        void *var;
        int (*func)(const char *value);
    } u;
    uint32_t len;       /* size of the variable in bytes (0 for PARAM_CUSTOM) */
    uint32_t type;      /* enum param_type */
} __aligned(PARAM_DESC_ALIGN);

extern const struct param_desc __start_param_table[], __stop_param_table[];

#define __param_paste2(a, b)    a##b
#define __param_paste(a, b)     __param_paste2(a, b)
#define __param_desc                                                                \
    static const struct param_desc __used __section("param_table")                  \
        __aligned(PARAM_DESC_ALIGN) __param_paste(param_desc_, __COUNTER__)

#define __param_is_unsigned(var)    ((__typeof__(var))-1 > 0)
#define __param_is_array(var)                                                       \
    (!__builtin_types_compatible_p(__typeof__(var), __typeof__(&(var)[0])))

/* `name` sets var (bool) true, `no-name` false, `name=<yes|no|on|off|true|false|enable|disable|1|0>`. */
#define boolean_param(_name, _var)                                                  \
    _Static_assert(__builtin_types_compatible_p(__typeof__(_var), bool),            \
                   "boolean_param needs a bool: " #_var);                           \
    __param_desc = { .name = (_name), .u.var = &(_var),                             \
                     .len = sizeof(_var), .type = PARAM_BOOL }

/* `name=<integer>`: decimal, 0x hex or 0 octal, into an unsigned variable of any size. */
#define integer_param(_name, _var)                                                  \
    _Static_assert(__param_is_unsigned(_var) &&                                     \
                   (sizeof(_var) == 1 || sizeof(_var) == 2 ||                       \
                    sizeof(_var) == 4 || sizeof(_var) == 8),                        \
                   "integer_param needs an unsigned integer: " #_var);              \
    __param_desc = { .name = (_name), .u.var = &(_var),                             \
                     .len = sizeof(_var), .type = PARAM_UINT }

/* `name=<size>` with an optional T/G/M/K/B suffix (none: KiB), stored in bytes. */
#define size_param(_name, _var)                                                     \
    _Static_assert(__param_is_unsigned(_var) &&                                     \
                   (sizeof(_var) == 4 || sizeof(_var) == 8),                        \
                   "size_param needs a 32- or 64-bit unsigned integer: " #_var);    \
    __param_desc = { .name = (_name), .u.var = &(_var),                             \
                     .len = sizeof(_var), .type = PARAM_SIZE }

/* `name=<string>` copied into a char array; a value that does not fit is truncated and reported. */
#define string_param(_name, _var)                                                   \
    _Static_assert(__param_is_array(_var) &&                                        \
                   __builtin_types_compatible_p(__typeof__((_var)[0]), char) &&     \
                   sizeof(_var) >= 2 && sizeof(_var) <= 0xffffffffUL,               \
                   "string_param needs a char array: " #_var);                      \
    __param_desc = { .name = (_name), .u.var = (_var),                              \
                     .len = sizeof(_var), .type = PARAM_STRING }

/*
 * `name=<value>` handed to fn(value), which returns 0 or -errno.  Bare `name`
 * passes "", `no-name` passes "no" (as Xen).  fn should check the whole value
 * before changing anything, so a rejected value leaves its settings as they were.
 */
#define custom_param(_name, fn)                                                     \
    __param_desc = { .name = (_name), .u.func = (fn),                               \
                     .len = 0, .type = PARAM_CUSTOM }

/*
 * Parse a command line: words separated by spaces, tabs or newlines, each
 * `name` or `name=value`; '-' and '_' are equal in names.  Unknown options,
 * bad values, truncated strings and overlong words are reported with printk
 * and skipped (a rejected value leaves the variable unchanged).  Also saves
 * a copy for param_saved_cmdline().  Returns the number of problems
 * reported (0: all good); NULL is an empty line.
 */
int param_parse_cmdline(const char *cmdline);

/* The last command line given to param_parse_cmdline() (truncated to PARAM_CMDLINE_MAX - 1). */
const char *param_saved_cmdline(void);

/*
 * Xen's boolean words: 1 for yes/on/true/enable/1, 0 for no/off/false/disable/0,
 * -1 for anything else (case-sensitive).  The word is [s, e), or up to the
 * NUL when e is NULL.
 */
int parse_bool(const char *s, const char *e);

#endif /* PARVA_PARAM_H */
