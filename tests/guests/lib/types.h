/* types.h - basic freestanding types and compiler helpers for the test kernels. */
#ifndef GUEST_TYPES_H
#define GUEST_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#include "asm-defs.h"

#define ARRAY_SIZE(a)       (sizeof(a) / sizeof((a)[0]))
#define __noreturn          __attribute__((noreturn))
#define __aligned(n)        __attribute__((aligned(n)))
#define __used              __attribute__((used))
#define __printf(a, b)      __attribute__((format(printf, a, b)))
#define __page_aligned_bss  __attribute__((section(".bss.page_aligned"), aligned(PAGE_SIZE)))
#define barrier()           asm volatile ( "" ::: "memory" )
#define ACCESS_ONCE(x)      (*(volatile __typeof__(x) *)&(x))
#define BUILD_BUG_ON(c)     _Static_assert(!(c), #c)

#endif /* GUEST_TYPES_H */
