/* lib.h - the small C library the hypervisor carries: strings, numbers, rounding. */
#ifndef PARVA_LIB_H
#define PARVA_LIB_H

#include <stdarg.h>
#include <parva/compiler.h>
#include <parva/types.h>

#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })

#define ROUNDUP(x, a)   (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ROUNDDOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)

/* common/string.c (host tests use the C library's, with identical prototypes) */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);

/* common/vsprintf.c: %d %i %u %x %X %o %c %s %p %%, flags "-+ #0", width, precision, h/hh/l/ll/z/t */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
/* Like vsnprintf/snprintf, but return the number of characters actually stored. */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* common/lib.c */
/* Parse an unsigned number in base 10, 16 ("0x") or 8 ("0") when base is 0; *end past the digits. */
unsigned long long parse_ull(const char *s, const char **end, unsigned int base);
/* Parse a size with an optional T/G/M/K/B suffix (no suffix: KiB, as Xen); *end past it. */
unsigned long long parse_size(const char *s, const char **end);

static inline bool is_power_of_2(unsigned long x) { return x && !(x & (x - 1)); }
/* Index of the most significant set bit, 1-based; 0 for 0 (as Xen's flsl). */
static inline unsigned int flsl(unsigned long x) { return x ? 64 - __builtin_clzl(x) : 0; }
/* Index of the least significant set bit, 1-based; 0 for 0. */
static inline unsigned int ffs_long(unsigned long x) { return (unsigned int)__builtin_ffsl((long)x); }

#endif /* PARVA_LIB_H */
