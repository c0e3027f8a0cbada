/*
 * conring.c - the in-memory console ring that keeps the boot log and every later hypervisor message.
 *
 * Design: byte index i (counted from boot) lives at buf[i & (size - 1)].
 * prod counts every byte ever put and start is the oldest index still held,
 * so the ring holds [start, prod) with prod - start <= size; overwriting the
 * oldest bytes is just moving start up.  Indices are 64-bit and never wrap,
 * which lets readers keep theirs across wrap-arounds, clears and moves.
 *
 * Locking: none here.  The ring is the caller's to protect: the console
 * lock for the hypervisor's ring, held around every call.  Nothing in this
 * file prints or takes locks, so it is safe to call from printk itself.
 */
#include <parva/conring.h>
#include <parva/errno.h>
#include <parva/lib.h>

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Copy n bytes held in ring buffer (rbuf, rsize) from index from into dst. */
static void copy_out(const char *rbuf, uint32_t rsize, uint64_t from, char *dst, size_t n)
{
    while ( n )
    {
        size_t off = (size_t)(from & (rsize - 1));
        size_t chunk = min_sz(n, rsize - off);

        memcpy(dst, rbuf + off, chunk);
        dst += chunk;
        from += chunk;
        n -= chunk;
    }
}

int conring_init(struct conring *r, char *buf, uint32_t size)
{
    if ( !buf || !is_power_of_2(size) )
        return -EINVAL;
    r->buf = buf;
    r->size = size;
    r->prod = 0;
    r->start = 0;
    return 0;
}

void conring_put(struct conring *r, const char *s, size_t len)
{
    size_t off, chunk;

    /* Only the last `size` bytes can survive: skip the rest, but count them. */
    if ( len > r->size )
    {
        r->prod += len - r->size;
        s += len - r->size;
        len = r->size;
    }

    off = (size_t)(r->prod & (r->size - 1));
    chunk = min_sz(len, r->size - off);
    memcpy(r->buf + off, s, chunk);
    memcpy(r->buf, s + chunk, len - chunk);

    r->prod += len;
    if ( r->prod - r->start > r->size )
        r->start = r->prod - r->size;
}

size_t conring_read(const struct conring *r, uint64_t *idx, char *dst, size_t len)
{
    uint64_t from = *idx < r->start ? r->start : *idx;
    size_t n;

    if ( from >= r->prod )
    {
        if ( *idx < r->start )
            *idx = from;
        return 0;
    }
    n = r->prod - from < len ? (size_t)(r->prod - from) : len;
    copy_out(r->buf, r->size, from, dst, n);
    *idx = from + n;
    return n;
}

uint64_t conring_oldest(const struct conring *r)
{
    return r->start;
}

uint64_t conring_newest(const struct conring *r)
{
    return r->prod;
}

void conring_clear(struct conring *r)
{
    r->start = r->prod;
}

void conring_discard(struct conring *r, uint64_t upto)
{
    if ( upto > r->prod )
        upto = r->prod;
    if ( upto > r->start )
        r->start = upto;
}

int conring_move(struct conring *r, char *newbuf, uint32_t newsize)
{
    uint64_t held = r->prod - r->start;
    uint64_t from, i;

    if ( !newbuf || !is_power_of_2(newsize) )
        return -EINVAL;

    from = held > newsize ? r->prod - newsize : r->start;

    /* Each chunk stops at the wrap of the old ring or of the new one. */
    for ( i = from; i < r->prod; )
    {
        size_t src = (size_t)(i & (r->size - 1)), dstoff = (size_t)(i & (newsize - 1));
        size_t chunk = min_sz(min_sz((size_t)(r->prod - i), r->size - src), newsize - dstoff);

        memcpy(newbuf + dstoff, r->buf + src, chunk);
        i += chunk;
    }

    r->buf = newbuf;
    r->size = newsize;
    r->start = from;
    return 0;
}
