/*
 * test_bzimage.c - unit tests for locating a bzImage's payload and naming its format (common/bzimage.c).
 *
 * Images are a zeroed buffer with a Linux boot protocol header written at the standard offsets,
 * handed over as heap buffers of exactly their size so that AddressSanitizer catches overreads.
 */
#include <stdlib.h>
#include <string.h>
#include <parva/elf.h>

#define IMG_SIZE    0x4000

static uint8_t *img;

struct hdr {
    uint8_t setup_sects;
    uint16_t version;
    uint32_t payload_offset;
    uint32_t payload_length;
};

/* A bzImage of size bytes with the given header and payload bytes at the offset it describes. */
static uint8_t *make(size_t size, const struct hdr *h, const void *payload, size_t plen)
{
    unsigned int sects = h->setup_sects ? h->setup_sects : 4;
    uint64_t off = (uint64_t)(sects + 1) * 512 + h->payload_offset;

    img = calloc(1, size);
    assert_non_null(img);
    img[0x1f1] = h->setup_sects;
    memcpy(img + 0x202, "HdrS", 4);
    memcpy(img + 0x206, &h->version, 2);
    memcpy(img + 0x248, &h->payload_offset, 4);
    memcpy(img + 0x24c, &h->payload_length, 4);
    if ( plen && off + plen <= size )
        memcpy(img + off, payload, plen);
    return img;
}

static int teardown(void **state)
{
    (void)state;
    free(img);
    img = NULL;
    return 0;
}

static void test_every_compression_magic(void **state)
{
    static const struct {
        const char *name;
        uint8_t bytes[6];
        unsigned int len;
    } cases[] = {
        { "gzip",  { 0x1f, 0x8b, 0x08 }, 3 },
        { "gzip",  { 0x1f, 0x9e }, 2 },
        { "xz",    { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }, 6 },
        { "bzip2", { 'B', 'Z', 'h', '9' }, 4 },
        { "lzma",  { 0x5d, 0x00, 0x00, 0x80 }, 4 },
        { "lzo",   { 0x89, 0x4c, 0x5a, 0x4f, 0x00 }, 5 },
        { "lz4",   { 0x02, 0x21, 0x4c, 0x18 }, 4 },
        { "zstd",  { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
        { "none",  { 0x7f, 'E', 'L', 'F', 2, 1 }, 6 },
    };
    const struct hdr h = { .setup_sects = 3, .version = 0x020f, .payload_offset = 0x2cc,
                           .payload_length = 0x100 };
    const void *payload;
    const char *comp;
    unsigned int i;
    size_t len;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        make(IMG_SIZE, &h, cases[i].bytes, cases[i].len);
        assert_true(bzimage_is(img, IMG_SIZE));
        assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), 0);
        assert_ptr_equal(payload, img + 4 * 512 + 0x2cc);
        assert_int_equal(len, 0x100);
        assert_string_equal(comp, cases[i].name);
        free(img);
        img = NULL;
    }
}

static void test_unknown_payload_format(void **state)
{
    static const uint8_t junk[6] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x01 };   /* almost xz */
    const struct hdr h = { .setup_sects = 3, .version = 0x020f, .payload_offset = 0,
                           .payload_length = 0x100 };
    const void *payload = NULL;
    const char *comp = NULL;
    size_t len = 0;

    (void)state;
    make(IMG_SIZE, &h, junk, sizeof(junk));
    assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), -EOPNOTSUPP);
    assert_null(payload);
    assert_null(comp);
}

/* The magic must fit in the payload: a 2-byte payload cannot be xz, though the bytes follow. */
static void test_magic_longer_than_payload(void **state)
{
    static const uint8_t xz[6] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 };
    const struct hdr h = { .setup_sects = 1, .version = 0x0208, .payload_offset = 0,
                           .payload_length = 2 };
    const void *payload;
    const char *comp;
    size_t len;

    (void)state;
    make(IMG_SIZE, &h, xz, sizeof(xz));
    assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), -EOPNOTSUPP);
}

static void test_setup_sects_zero_means_four(void **state)
{
    static const uint8_t gz[2] = { 0x1f, 0x8b };
    const struct hdr h = { .setup_sects = 0, .version = 0x0208, .payload_offset = 0x10,
                           .payload_length = 0x20 };
    const void *payload;
    const char *comp;
    size_t len;

    (void)state;
    make(IMG_SIZE, &h, gz, sizeof(gz));
    assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), 0);
    assert_ptr_equal(payload, img + 5 * 512 + 0x10);
}

static void test_payload_bounds(void **state)
{
    static const uint8_t gz[2] = { 0x1f, 0x8b };
    struct hdr h = { .setup_sects = 3, .version = 0x020f, .payload_offset = 0x100 };
    const void *payload;
    const char *comp;
    size_t len;

    (void)state;
    /* Exactly to the end of the image. */
    h.payload_length = IMG_SIZE - 4 * 512 - 0x100;
    make(IMG_SIZE, &h, gz, sizeof(gz));
    assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), 0);
    assert_int_equal(len, h.payload_length);
    /* One byte more than the image holds. */
    assert_int_equal(bzimage_payload(img, IMG_SIZE - 1, &payload, &len, &comp), -EINVAL);
    free(img);

    h.payload_length = 0;
    make(IMG_SIZE, &h, gz, sizeof(gz));
    assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), -EINVAL);
    free(img);

    h.payload_offset = IMG_SIZE;                /* starts past the end */
    h.payload_length = 1;
    make(IMG_SIZE, &h, NULL, 0);
    assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), -EINVAL);
    free(img);

    h.payload_offset = 0xffffffff;              /* far past the end, no wrap-around */
    h.payload_length = 0xffffffff;
    make(IMG_SIZE, &h, NULL, 0);
    assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), -EINVAL);
    free(img);

    h.setup_sects = 0xff;                       /* setup alone is larger than the image */
    h.payload_offset = 0;
    h.payload_length = 1;
    make(IMG_SIZE, &h, NULL, 0);
    assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), -EINVAL);
}

static void test_old_boot_protocol(void **state)
{
    static const uint8_t gz[2] = { 0x1f, 0x8b };
    const struct hdr h = { .setup_sects = 3, .version = 0x0207, .payload_offset = 0,
                           .payload_length = 0x20 };
    const void *payload;
    const char *comp;
    size_t len;

    (void)state;
    make(IMG_SIZE, &h, gz, sizeof(gz));
    assert_true(bzimage_is(img, IMG_SIZE));
    assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), -EINVAL);
}

static void test_not_a_bzimage(void **state)
{
    static const uint8_t gz[2] = { 0x1f, 0x8b };
    const struct hdr h = { .setup_sects = 3, .version = 0x020f, .payload_offset = 0,
                           .payload_length = 0x20 };
    const void *payload;
    const char *comp;
    size_t len;

    (void)state;
    make(IMG_SIZE, &h, gz, sizeof(gz));
    /* Too short to hold the header up to payload_length. */
    assert_false(bzimage_is(img, 0x24f));
    assert_true(bzimage_is(img, 0x250));
    assert_int_equal(bzimage_payload(img, 0x24f, &payload, &len, &comp), -ENOEXEC);
    assert_false(bzimage_is(NULL, IMG_SIZE));

    img[0x205] = 'Z';
    assert_false(bzimage_is(img, IMG_SIZE));
    assert_int_equal(bzimage_payload(img, IMG_SIZE, &payload, &len, &comp), -ENOEXEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_every_compression_magic, teardown),
        cmocka_unit_test_teardown(test_unknown_payload_format, teardown),
        cmocka_unit_test_teardown(test_magic_longer_than_payload, teardown),
        cmocka_unit_test_teardown(test_setup_sects_zero_means_four, teardown),
        cmocka_unit_test_teardown(test_payload_bounds, teardown),
        cmocka_unit_test_teardown(test_old_boot_protocol, teardown),
        cmocka_unit_test_teardown(test_not_a_bzimage, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
