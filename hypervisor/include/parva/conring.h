/*
 * conring.h - the in-memory console ring: the newest bytes of everything the hypervisor printed.
 *
 * Bytes are numbered from boot on (absolute 64-bit indices that never wrap):
 * the ring holds [conring_oldest(), conring_newest()), at most `size` bytes,
 * and a reader keeps its own index to read on from where it stopped (as
 * Xen's SYSCTL_readconsole does for `xl dmesg`).
 *
 * Locking: none inside; every call on a ring must hold the lock that owns it
 * (the console lock for the hypervisor's ring).
 */
#ifndef PARVA_CONRING_H
#define PARVA_CONRING_H

#include <parva/compiler.h>
#include <parva/types.h>

struct conring {
    char *buf;
    uint32_t size;      /* bytes at buf; a power of two */
    uint64_t prod;      /* index of the next byte to be written: bytes ever put */
    uint64_t start;     /* index of the oldest byte held; prod - start <= size */
};

/*
 * A ring over a static char array, usable before any code has run (for the
 * boot log).  The array size must be a power of two (checked at build time,
 * as is that the argument is an array and not a pointer).
 */
#define CONRING_SIZE_OK(a)                                                      \
    (!__builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0])) &&       \
     (sizeof(a) & (sizeof(a) - 1)) == 0 && sizeof(a) <= 0x80000000UL)
#define CONRING_INIT(array)                                                     \
    { .buf = (array),                                                           \
      .size = (uint32_t)sizeof(array) +                                         \
              0 * sizeof(struct { _Static_assert(CONRING_SIZE_OK(array),         \
                                                 "conring needs a power-of-two array"); int x; }), \
      .prod = 0, .start = 0 }

/* Start an empty ring over buf; -EINVAL unless size is a power of two. */
int conring_init(struct conring *r, char *buf, uint32_t size);

/* Append len bytes; when the ring is full the oldest bytes are overwritten. */
void conring_put(struct conring *r, const char *s, size_t len);

/*
 * Copy up to len bytes starting at index *idx into dst and advance *idx past
 * them; returns the number of bytes copied (0 when nothing is newer than *idx).
 * An *idx older than the oldest byte held reads from the oldest one (so 0 means
 * "everything still held"); an *idx past conring_newest() reads nothing and is
 * left alone.
 */
size_t conring_read(const struct conring *r, uint64_t *idx, char *dst, size_t len);

/* Index of the oldest byte held, and of the next byte to be written. */
uint64_t conring_oldest(const struct conring *r);
uint64_t conring_newest(const struct conring *r);

/* Forget all bytes held so far (indices keep counting). */
void conring_clear(struct conring *r);
/* Forget the bytes before index upto (those read, say); newer ones stay. */
void conring_discard(struct conring *r, uint64_t upto);

/*
 * Move to a new buffer (for instance a larger one from the heap), keeping the
 * newest bytes that fit and all indices; the old buffer is no longer used.
 * newbuf must not overlap the old buffer.  -EINVAL unless newsize is a power
 * of two, leaving the ring as it was.
 */
int conring_move(struct conring *r, char *newbuf, uint32_t newsize);

#endif /* PARVA_CONRING_H */
