/* types.h - fixed-width integer types and the hypervisor's address types. */
#ifndef PARVA_TYPES_H
#define PARVA_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;       /* machine (physical) address */
typedef uint64_t vaddr_t;       /* hypervisor or guest linear address */

#define PRIpaddr "016lx"

/* Negative errno values; the numbers are Xen's (xen/errno.h) so they reach guests unchanged. */
#include <parva/errno.h>

#endif /* PARVA_TYPES_H */
