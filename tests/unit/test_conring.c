/* test_conring.c - unit tests for the console ring (common/conring.c). */
#include <stdlib.h>
#include <string.h>
#include <parva/conring.h>
#include <parva/lib.h>

/* Ring buffers come from malloc with their exact size, so ASan catches any access past them. */
static char *new_buf(size_t size)
{
    char *b = malloc(size);

    assert_non_null(b);
    memset(b, '?', size);
    return b;
}

/* Read everything from *idx on (in chunks of at most chunk bytes) into out; returns the byte count. */
static size_t read_all(const struct conring *r, uint64_t *idx, char *out, size_t max, size_t chunk)
{
    size_t total = 0, n;

    while ( total < max &&
            (n = conring_read(r, idx, out + total, chunk < max - total ? chunk : max - total)) != 0 )
        total += n;
    return total;
}

/* The ring holds exactly the string expect, as bytes [newest - len, newest). */
static void check_contents(const char *file, int line, const struct conring *r, const char *expect)
{
    size_t len = strlen(expect), n;
    char out[512];
    uint64_t idx = 0;

    n = read_all(r, &idx, out, sizeof(out), sizeof(out));
    _assert_int_equal(n, len, file, line);
    _assert_true(memcmp(out, expect, len) == 0, "ring contents", file, line);
    _assert_int_equal(idx, conring_newest(r), file, line);
    _assert_int_equal(conring_newest(r) - conring_oldest(r), len, file, line);
}
#define CHECK_CONTENTS(r, expect) check_contents(__FILE__, __LINE__, r, expect)

static void put_str(struct conring *r, const char *s)
{
    conring_put(r, s, strlen(s));
}

static void test_init_rejects_sizes_that_are_not_powers_of_two(void **state)
{
    struct conring r;
    char buf[64];

    (void)state;
    assert_int_equal(conring_init(&r, buf, 0), -EINVAL);
    assert_int_equal(conring_init(&r, buf, 3), -EINVAL);
    assert_int_equal(conring_init(&r, buf, 48), -EINVAL);
    assert_int_equal(conring_init(&r, buf, 0xffffffffU), -EINVAL);
    assert_int_equal(conring_init(&r, NULL, 16), -EINVAL);
    assert_int_equal(conring_init(&r, buf, 1), 0);
    assert_int_equal(conring_init(&r, buf, 64), 0);
    assert_int_equal(r.size, 64);
    assert_int_equal(conring_oldest(&r), 0);
    assert_int_equal(conring_newest(&r), 0);
}

static char boot_ring_buf[32];
static struct conring boot_ring = CONRING_INIT(boot_ring_buf);

static void test_static_ring_works_without_init(void **state)
{
    (void)state;
    assert_ptr_equal(boot_ring.buf, boot_ring_buf);
    assert_int_equal(boot_ring.size, 32);
    CHECK_CONTENTS(&boot_ring, "");
    put_str(&boot_ring, "(XEN) early\n");
    CHECK_CONTENTS(&boot_ring, "(XEN) early\n");
}

static void test_empty_ring_reads_nothing(void **state)
{
    struct conring r;
    char *buf = new_buf(16), out[4] = "xyz";
    uint64_t idx = 0;

    (void)state;
    assert_int_equal(conring_init(&r, buf, 16), 0);
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 0);
    assert_int_equal(idx, 0);
    assert_string_equal(out, "xyz");
    free(buf);
}

static void test_put_then_read_in_pieces(void **state)
{
    struct conring r;
    char *buf = new_buf(16), out[16];
    uint64_t idx = 0;

    (void)state;
    assert_int_equal(conring_init(&r, buf, 16), 0);
    put_str(&r, "hello");
    assert_int_equal(conring_newest(&r), 5);
    assert_int_equal(conring_oldest(&r), 0);

    assert_int_equal(conring_read(&r, &idx, out, 2), 2);
    assert_memory_equal(out, "he", 2);
    assert_int_equal(idx, 2);
    assert_int_equal(conring_read(&r, &idx, out, 0), 0);   /* len 0 reads nothing */
    assert_int_equal(idx, 2);
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 3);
    assert_memory_equal(out, "llo", 3);
    assert_int_equal(idx, 5);
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 0);   /* caught up */
    assert_int_equal(idx, 5);

    /* A reader picks up exactly what was added since. */
    put_str(&r, " world");
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 6);
    assert_memory_equal(out, " world", 6);
    assert_int_equal(idx, 11);
    CHECK_CONTENTS(&r, "hello world");
    free(buf);
}

static void test_wrap_around_keeps_newest_bytes_in_order(void **state)
{
    struct conring r;
    char *buf = new_buf(16), out[32];
    uint64_t idx = 0;

    (void)state;
    assert_int_equal(conring_init(&r, buf, 16), 0);
    put_str(&r, "0123456789");
    put_str(&r, "abcdefghij");         /* 20 bytes into 16: "0123" overwritten */
    assert_int_equal(conring_newest(&r), 20);
    assert_int_equal(conring_oldest(&r), 4);
    CHECK_CONTENTS(&r, "456789abcdefghij");

    /* A reading spanning the wrap point, in small pieces. */
    idx = 5;
    assert_int_equal(read_all(&r, &idx, out, sizeof(out), 3), 15);
    assert_memory_equal(out, "56789abcdefghij", 15);

    /* Exactly full, then one more byte. */
    assert_int_equal(conring_init(&r, buf, 16), 0);
    put_str(&r, "ABCDEFGHIJKLMNOP");
    CHECK_CONTENTS(&r, "ABCDEFGHIJKLMNOP");
    put_str(&r, "Q");
    CHECK_CONTENTS(&r, "BCDEFGHIJKLMNOPQ");
    free(buf);
}

static void test_stale_reader_restarts_at_oldest_byte(void **state)
{
    struct conring r;
    char *buf = new_buf(8), out[16];
    uint64_t idx = 0;

    (void)state;
    assert_int_equal(conring_init(&r, buf, 8), 0);
    put_str(&r, "abc");
    assert_int_equal(conring_read(&r, &idx, out, 2), 2);   /* reader at 2 */
    put_str(&r, "defghijkl");          /* 12 bytes: the reader's next byte (2) is gone */
    assert_int_equal(conring_oldest(&r), 4);
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 8);
    assert_memory_equal(out, "efghijkl", 8);
    assert_int_equal(idx, 12);
    free(buf);
}

static void test_reader_past_newest_reads_nothing(void **state)
{
    struct conring r;
    char *buf = new_buf(8), out[8];
    uint64_t idx = 100;

    (void)state;
    assert_int_equal(conring_init(&r, buf, 8), 0);
    put_str(&r, "abc");
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 0);
    assert_int_equal(idx, 100);
    idx = 3;
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 0);
    assert_int_equal(idx, 3);
    free(buf);
}

static void test_put_larger_than_ring_keeps_its_tail(void **state)
{
    struct conring r;
    char *buf = new_buf(16);
    const char *big = "The quick brown fox jumps over the lazy dog";     /* 43 bytes */

    (void)state;
    assert_int_equal(conring_init(&r, buf, 16), 0);
    put_str(&r, "xyz");
    put_str(&r, big);
    assert_int_equal(conring_newest(&r), 46);
    assert_int_equal(conring_oldest(&r), 30);
    CHECK_CONTENTS(&r, "ver the lazy dog");

    /* Also when the ring is empty and the put ends off the buffer's start. */
    assert_int_equal(conring_init(&r, buf, 16), 0);
    put_str(&r, big);
    CHECK_CONTENTS(&r, big + 43 - 16);
    assert_int_equal(conring_newest(&r), 43);
    put_str(&r, "");                   /* an empty put changes nothing */
    assert_int_equal(conring_newest(&r), 43);
    CHECK_CONTENTS(&r, big + 43 - 16);
    free(buf);
}

static void test_one_byte_ring(void **state)
{
    struct conring r;
    char *buf = new_buf(1);

    (void)state;
    assert_int_equal(conring_init(&r, buf, 1), 0);
    put_str(&r, "abc");
    CHECK_CONTENTS(&r, "c");
    put_str(&r, "d");
    CHECK_CONTENTS(&r, "d");
    assert_int_equal(conring_newest(&r), 4);
    free(buf);
}

static void test_clear_forgets_held_bytes_but_keeps_counting(void **state)
{
    struct conring r;
    char *buf = new_buf(16), out[16];
    uint64_t idx = 1;

    (void)state;
    assert_int_equal(conring_init(&r, buf, 16), 0);
    put_str(&r, "boot log");
    conring_clear(&r);
    assert_int_equal(conring_oldest(&r), 8);
    assert_int_equal(conring_newest(&r), 8);
    CHECK_CONTENTS(&r, "");

    put_str(&r, "new");
    CHECK_CONTENTS(&r, "new");
    /* A reader from before the clear continues with what came after it. */
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 3);
    assert_memory_equal(out, "new", 3);
    assert_int_equal(idx, 11);

    /* Filling the ring after a clear wraps normally. */
    put_str(&r, "0123456789abcdefXY");
    CHECK_CONTENTS(&r, "23456789abcdefXY");
    conring_clear(&r);
    CHECK_CONTENTS(&r, "");
    free(buf);
}

static void test_move_to_bigger_buffer_keeps_everything(void **state)
{
    struct conring r;
    char *small = new_buf(16), *big = new_buf(64), out[64];
    uint64_t idx;

    (void)state;
    assert_int_equal(conring_init(&r, small, 16), 0);
    put_str(&r, "0123456789");
    put_str(&r, "abcdefghij");                         /* wrapped: holds [4, 20) */
    idx = 6;                                           /* a reader in the middle */
    assert_int_equal(conring_move(&r, big, 64), 0);
    assert_ptr_equal(r.buf, big);
    assert_int_equal(r.size, 64);
    assert_int_equal(conring_oldest(&r), 4);
    assert_int_equal(conring_newest(&r), 20);
    CHECK_CONTENTS(&r, "456789abcdefghij");
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 14);
    assert_memory_equal(out, "6789abcdefghij", 14);

    /* The old buffer is no longer touched, and the new one holds 64 bytes. */
    memset(small, '#', 16);
    put_str(&r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    put_str(&r, "abcdefghijklmnopqrstuvwxyz");
    for ( size_t i = 0; i < 16; i++ )
        assert_int_equal(small[i], '#');
    CHECK_CONTENTS(&r, "89abcdefghijABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    free(small);
    free(big);
}

static void test_move_to_smaller_buffer_keeps_newest_bytes(void **state)
{
    struct conring r;
    char *big = new_buf(64), *small = new_buf(8), *tiny = new_buf(4);
    uint64_t idx = 0;
    char out[16];

    (void)state;
    assert_int_equal(conring_init(&r, big, 64), 0);
    put_str(&r, "The quick brown fox jumps over");      /* 30 bytes */
    assert_int_equal(conring_move(&r, small, 8), 0);
    assert_int_equal(conring_oldest(&r), 22);
    assert_int_equal(conring_newest(&r), 30);
    CHECK_CONTENTS(&r, "mps over");
    /* A reader from before the move restarts at the oldest byte kept. */
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 8);
    assert_memory_equal(out, "mps over", 8);
    assert_int_equal(idx, 30);

    /* The smaller ring wraps at its own size, and can shrink again from a wrapped state. */
    put_str(&r, "!!!");
    CHECK_CONTENTS(&r, " over!!!");
    assert_int_equal(conring_move(&r, tiny, 4), 0);
    CHECK_CONTENTS(&r, "r!!!");
    assert_int_equal(conring_oldest(&r), 29);
    put_str(&r, "?");
    CHECK_CONTENTS(&r, "!!!?");
    assert_int_equal(conring_read(&r, &idx, out, sizeof(out)), 4);
    assert_memory_equal(out, "!!!?", 4);
    free(big);
    free(small);
    free(tiny);
}

static void test_move_keeps_all_when_it_fits_and_rejects_bad_sizes(void **state)
{
    struct conring r;
    char *a = new_buf(32), *b = new_buf(16), *c = new_buf(4);

    (void)state;
    assert_int_equal(conring_init(&r, a, 32), 0);
    put_str(&r, "0123456789abcdefghijklmnopqrstuvwxyz");    /* 36 bytes: holds [4, 36) */
    conring_clear(&r);
    put_str(&r, "short");                                   /* holds [36, 41), wrapped in a */
    assert_int_equal(conring_move(&r, b, 16), 0);
    CHECK_CONTENTS(&r, "short");
    assert_int_equal(conring_oldest(&r), 36);

    /* Bad sizes leave the ring as it was. */
    assert_int_equal(conring_move(&r, c, 3), -EINVAL);
    assert_int_equal(conring_move(&r, c, 0), -EINVAL);
    assert_int_equal(conring_move(&r, NULL, 4), -EINVAL);
    assert_ptr_equal(r.buf, b);
    assert_int_equal(r.size, 16);
    CHECK_CONTENTS(&r, "short");

    /* Moving an empty (cleared) ring. */
    conring_clear(&r);
    assert_int_equal(conring_move(&r, c, 4), 0);
    CHECK_CONTENTS(&r, "");
    assert_int_equal(conring_newest(&r), 41);
    put_str(&r, "xyz12");
    CHECK_CONTENTS(&r, "yz12");
    free(a);
    free(b);
    free(c);
}

/*
 * Random puts, reads, clears and moves against a model that keeps every
 * byte ever put and the oldest index the ring should still hold.
 */
static void test_random_operations_match_model(void **state)
{
    static const uint32_t sizes[] = { 1, 2, 4, 8, 16, 32, 64, 128 };
    enum { LOG_MAX = 400000, STEPS = 3000 };
    char *log = malloc(LOG_MAX), *buf;
    struct conring r;
    uint64_t oldest = 0, reader = 0;
    unsigned int seed = 12345, step;

    (void)state;
    assert_non_null(log);
    buf = new_buf(16);
    assert_int_equal(conring_init(&r, buf, 16), 0);

    for ( step = 0; step < STEPS; step++ )
    {
        unsigned int op;
        uint64_t prod = conring_newest(&r);

        seed = seed * 1103515245 + 12345;
        op = (seed >> 16) % 100;

        if ( op < 60 )
        {
            char chunk[200];
            size_t len = (seed >> 8) % 150, i;

            assert_true(prod + len <= LOG_MAX);
            for ( i = 0; i < len; i++ )
                chunk[i] = log[prod + i] = (char)('!' + (prod + i) % 90);
            conring_put(&r, chunk, len);
            if ( prod + len - oldest > r.size )
                oldest = prod + len - r.size;
        }
        else if ( op < 85 )
        {
            char out[64];
            size_t want = (seed >> 4) % 64, n;
            uint64_t from = reader < oldest ? oldest : reader;

            n = conring_read(&r, &reader, out, want);
            assert_int_equal(n, min(want, (size_t)(prod - from)));
            assert_memory_equal(out, log + from, n);
            assert_int_equal(reader, from + n);
        }
        else if ( op < 90 )
        {
            conring_clear(&r);
            oldest = prod;
        }
        else
        {
            uint32_t newsize = sizes[(seed >> 12) % ARRAY_SIZE(sizes)];
            char *nb = new_buf(newsize);

            assert_int_equal(conring_move(&r, nb, newsize), 0);
            free(buf);
            buf = nb;
            if ( prod - oldest > newsize )
                oldest = prod - newsize;
        }

        /* The ring holds exactly [oldest, newest) of the log. */
        {
            char all[128];
            uint64_t idx = 0;
            size_t n;

            assert_int_equal(conring_oldest(&r), oldest);
            n = read_all(&r, &idx, all, sizeof(all), 7);
            assert_int_equal(n, conring_newest(&r) - oldest);
            assert_memory_equal(all, log + oldest, n);
        }
    }
    free(buf);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_sizes_that_are_not_powers_of_two),
        cmocka_unit_test(test_static_ring_works_without_init),
        cmocka_unit_test(test_empty_ring_reads_nothing),
        cmocka_unit_test(test_put_then_read_in_pieces),
        cmocka_unit_test(test_wrap_around_keeps_newest_bytes_in_order),
        cmocka_unit_test(test_stale_reader_restarts_at_oldest_byte),
        cmocka_unit_test(test_reader_past_newest_reads_nothing),
        cmocka_unit_test(test_put_larger_than_ring_keeps_its_tail),
        cmocka_unit_test(test_one_byte_ring),
        cmocka_unit_test(test_clear_forgets_held_bytes_but_keeps_counting),
        cmocka_unit_test(test_move_to_bigger_buffer_keeps_everything),
        cmocka_unit_test(test_move_to_smaller_buffer_keeps_newest_bytes),
        cmocka_unit_test(test_move_keeps_all_when_it_fits_and_rejects_bad_sizes),
        cmocka_unit_test(test_random_operations_match_model),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
