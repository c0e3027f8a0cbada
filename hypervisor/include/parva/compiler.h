/* compiler.h - compiler attributes and helpers; force-included into every hypervisor file. */
#ifndef PARVA_COMPILER_H
#define PARVA_COMPILER_H

/*
 * The hypervisor is built -fpie so that it can live anywhere in the 64-bit
 * address space (it is linked in Xen's reserved range, outside the +-2 GiB
 * windows that -mcmodel=small/kernel need).  Hidden visibility makes every
 * symbol reference a direct RIP-relative one instead of a GOT load.
 */
#if defined(__PIE__) && !defined(PARVA_HOST_TEST)
#pragma GCC visibility push(hidden)
#endif

#define __packed        __attribute__((__packed__))
#define __aligned(a)    __attribute__((__aligned__(a)))
#define __section(s)    __attribute__((__section__(s)))
#define __used          __attribute__((__used__))
#define __unused        __attribute__((__unused__))
#define __noreturn      __attribute__((__noreturn__))
#define __weak          __attribute__((__weak__))
#define __printf(a, b)  __attribute__((__format__(__printf__, a, b)))
#define __must_check    __attribute__((__warn_unused_result__))
#define __noinline      __attribute__((__noinline__))
#undef __always_inline     /* a host C library may have its own */
#define __always_inline inline __attribute__((__always_inline__))

/* Code and data only needed during boot (not yet discarded; kept grouped). */
#define __init          __section(".init.text")
#define __initdata      __section(".init.data")

#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)

#define barrier()       __asm__ __volatile__("" ::: "memory")

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)

#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define ACCESS_ONCE(x)  (*(volatile __typeof__(x) *)&(x))
#define READ_ONCE(x)    ACCESS_ONCE(x)
#define WRITE_ONCE(x, v) (ACCESS_ONCE(x) = (v))

#define __stringify_1(x) #x
#define __stringify(x)  __stringify_1(x)

#endif /* PARVA_COMPILER_H */
