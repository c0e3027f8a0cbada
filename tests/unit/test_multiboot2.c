/*
 * test_multiboot2.c - unit tests for the Multiboot2 information parser (common/multiboot2.c).
 *
 * MBIs are built in a staging buffer with small helpers, then copied into a
 * heap buffer of exactly the size handed to mb2_parse(), so that AddressSanitizer
 * reports any read past what the parser was allowed to touch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <parva/bootinfo.h>
#include <parva/lib.h>

#define MBI_PADDR   0x10000ULL

struct mbi {
    uint8_t buf[16384] __aligned(8);
    size_t len;
};

static struct boot_info bi;

static void put32(struct mbi *m, size_t off, uint32_t v)
{
    memcpy(m->buf + off, &v, sizeof(v));
}

static void put64(struct mbi *m, size_t off, uint64_t v)
{
    memcpy(m->buf + off, &v, sizeof(v));
}

static void mbi_begin(struct mbi *m)
{
    memset(m->buf, 0xcc, sizeof(m->buf));
    put32(m, 4, 0);
    m->len = 8;
}

/* A tag whose size field says size_field, with plen payload bytes; returns the tag's offset. */
static size_t mbi_raw_tag(struct mbi *m, uint32_t type, uint32_t size_field, const void *p, size_t plen)
{
    size_t off = m->len;

    assert_true(off + 8 + plen + 8 <= sizeof(m->buf));
    put32(m, off, type);
    put32(m, off + 4, size_field);
    if ( plen )
        memcpy(m->buf + off + 8, p, plen);
    m->len = ROUNDUP(off + 8 + plen, 8);
    return off;
}

static size_t mbi_tag(struct mbi *m, uint32_t type, const void *p, size_t plen)
{
    return mbi_raw_tag(m, type, 8 + plen, p, plen);
}

static void mbi_string(struct mbi *m, uint32_t type, const char *s)
{
    mbi_tag(m, type, s, strlen(s) + 1);
}

static void mbi_module(struct mbi *m, uint32_t start, uint32_t end, const char *s)
{
    static uint8_t p[4096];
    size_t len = strlen(s) + 1;

    assert_true(8 + len <= sizeof(p));
    memcpy(p, &start, 4);
    memcpy(p + 4, &end, 4);
    memcpy(p + 8, s, len);
    mbi_tag(m, MB2_TAG_MODULE, p, 8 + len);
}

static void mbi_meminfo(struct mbi *m, uint32_t lower, uint32_t upper)
{
    uint32_t p[2] = { lower, upper };

    mbi_tag(m, MB2_TAG_BASIC_MEMINFO, p, sizeof(p));
}

/* A memory map tag with entries laid out entry_size apart. */
static void mbi_mmap(struct mbi *m, uint32_t entry_size, uint32_t version,
                     const struct memmap_entry *e, unsigned int nr)
{
    size_t off = m->len, i;

    assert_true(off + 16 + (size_t)nr * entry_size + 8 <= sizeof(m->buf));
    put32(m, off, MB2_TAG_MMAP);
    put32(m, off + 4, 16 + nr * entry_size);
    put32(m, off + 8, entry_size);
    put32(m, off + 12, version);
    for ( i = 0; i < nr; i++ )
    {
        size_t eo = off + 16 + i * entry_size;

        memset(m->buf + eo, 0xee, entry_size);
        put64(m, eo, e[i].addr);
        if ( entry_size >= 16 )
            put64(m, eo + 8, e[i].size);
        if ( entry_size >= 24 )
        {
            put32(m, eo + 16, e[i].type);
            put32(m, eo + 20, 0);
        }
    }
    m->len = ROUNDUP(off + 16 + (size_t)nr * entry_size, 8);
}

static void mbi_u32_tag(struct mbi *m, uint32_t type, uint32_t v)
{
    mbi_tag(m, type, &v, sizeof(v));
}

static void rsdp_bytes(uint8_t *r, size_t len, uint8_t rev, const char *oem)
{
    size_t i;

    for ( i = 0; i < len; i++ )
        r[i] = (uint8_t)(i * 7 + rev);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, oem, 6);
    r[15] = rev;
}

static void mbi_end(struct mbi *m)
{
    mbi_raw_tag(m, MB2_TAG_END, 8, NULL, 0);
    put32(m, 0, (uint32_t)m->len);
}

/* A heap copy of the first len bytes, exactly len bytes long (ASan catches reads past it). */
static uint8_t *exact_copy(const struct mbi *m, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);

    assert_non_null(p);
    memcpy(p, m->buf, len);
    return p;
}

/* Parse the first mbi_max bytes of m from an exactly sized buffer. */
static int parse_exact(const struct mbi *m, size_t mbi_max)
{
    uint8_t *p = exact_copy(m, mbi_max);
    int rc;

    memset(&bi, 0xa5, sizeof(bi));
    harness_log_clear();
    rc = mb2_parse(p, MBI_PADDR, mbi_max, &bi);
    free(p);
    return rc;
}

static int parse(const struct mbi *m)
{
    return parse_exact(m, m->len);
}

static void assert_bi_empty(void)
{
    static const struct boot_info zero;

    assert_memory_equal(&bi, &zero, sizeof(bi));
}

static const struct memmap_entry qemu_map[] = {
    { 0, 0x9fc00, E820_RAM }, { 0x9fc00, 0x400, E820_RESERVED }, { 0xf0000, 0x10000, E820_RESERVED },
    { 0x100000, 0x7fee0000, E820_RAM }, { 0x7ffe0000, 0x20000, E820_RESERVED },
    { 0xfffc0000, 0x40000, E820_RESERVED },
};

#define CMDLINE     "console=com1 com1=115200,8n1 dom0_mem=512M loglvl=all"
#define LOADER      "GRUB 2.06-13+deb12u1"
#define DOM0_CMD    "/boot/vmlinuz-6.1.0-18-amd64 root=/dev/xvda1 console=hvc0"
#define INITRD_CMD  "/boot/initrd.img-6.1.0-18-amd64"

/* What GRUB hands over for `multiboot2 /boot/parva ...` and two `module2` lines. */
static void build_grub_mbi(struct mbi *m)
{
    uint8_t v1[20], v2[36];

    rsdp_bytes(v1, sizeof(v1), 0, "BOCHS1");
    rsdp_bytes(v2, sizeof(v2), 2, "BOCHS2");
    mbi_begin(m);
    mbi_string(m, MB2_TAG_CMDLINE, CMDLINE);
    mbi_string(m, MB2_TAG_LOADER_NAME, LOADER);
    mbi_module(m, 0x1000000, 0x1a3c5e0, DOM0_CMD);
    mbi_module(m, 0x1a3d000, 0x3f0c1ab, INITRD_CMD);
    mbi_meminfo(m, 639, 2096000);
    mbi_u32_tag(m, MB2_TAG_BOOTDEV, 0xe0);
    mbi_mmap(m, 24, 0, qemu_map, ARRAY_SIZE(qemu_map));
    mbi_tag(m, MB2_TAG_FRAMEBUFFER, "\x00\x80\x0b\x00\x00\x00\x00\x00\xa0\x00\x00\x00\x50\x00\x00\x00"
                                    "\x19\x00\x00\x00\x10\x02", 22);
    mbi_tag(m, MB2_TAG_ACPI_OLD, v1, sizeof(v1));
    mbi_tag(m, MB2_TAG_ACPI_NEW, v2, sizeof(v2));
    mbi_u32_tag(m, MB2_TAG_LOAD_BASE_ADDR, 0x200000);
    mbi_end(m);
}

static void test_parses_a_grub_like_mbi(void **state)
{
    static struct mbi m;
    uint8_t v2[36];
    unsigned int i;

    (void)state;
    build_grub_mbi(&m);
    assert_int_equal(parse(&m), 0);

    assert_int_equal(bi.mbi_start, MBI_PADDR);
    assert_int_equal(bi.mbi_end, MBI_PADDR + m.len);
    assert_true(bi.has_cmdline);
    assert_false(bi.cmdline_truncated);
    assert_string_equal(bi.cmdline, CMDLINE);
    assert_true(bi.has_loader_name);
    assert_string_equal(bi.loader_name, LOADER);
    assert_true(bi.has_meminfo);
    assert_int_equal(bi.mem_lower_kb, 639);
    assert_int_equal(bi.mem_upper_kb, 2096000);

    assert_true(bi.has_memmap);
    assert_int_equal(bi.nr_memmap, ARRAY_SIZE(qemu_map));
    for ( i = 0; i < ARRAY_SIZE(qemu_map); i++ )
    {
        assert_int_equal(bi.memmap[i].addr, qemu_map[i].addr);
        assert_int_equal(bi.memmap[i].size, qemu_map[i].size);
        assert_int_equal(bi.memmap[i].type, qemu_map[i].type);
    }

    assert_int_equal(bi.nr_modules, 2);
    assert_int_equal(bi.modules[0].start, 0x1000000);
    assert_int_equal(bi.modules[0].end, 0x1a3c5e0);
    assert_string_equal(bi.modules[0].cmdline, DOM0_CMD);
    assert_int_equal(bi.modules[1].start, 0x1a3d000);
    assert_int_equal(bi.modules[1].end, 0x3f0c1ab);
    assert_string_equal(bi.modules[1].cmdline, INITRD_CMD);
    assert_false(bi.modules[0].cmdline_truncated);

    rsdp_bytes(v2, sizeof(v2), 2, "BOCHS2");
    assert_int_equal(bi.rsdp_len, 36);
    assert_memory_equal(bi.rsdp, v2, 36);

    assert_true(bi.has_load_base);
    assert_int_equal(bi.load_base, 0x200000);
    assert_int_equal(bi.efi_tags, 0);
    assert_int_equal(bi.bad_tags, 0);
    assert_int_equal(bi.memmap_dropped, 0);
    assert_int_equal(bi.modules_dropped, 0);
    assert_string_equal(harness_log, "");       /* nothing to complain about */
}

static void test_copies_survive_the_mbi_being_overwritten(void **state)
{
    static struct mbi m;
    uint8_t *p;

    (void)state;
    build_grub_mbi(&m);
    p = exact_copy(&m, m.len);
    assert_int_equal(mb2_parse(p, MBI_PADDR, m.len, &bi), 0);
    memset(p, 0, m.len);        /* the MBI area becomes free memory */
    free(p);
    assert_string_equal(bi.cmdline, CMDLINE);
    assert_string_equal(bi.modules[0].cmdline, DOM0_CMD);
    assert_string_equal(bi.loader_name, LOADER);
}

static void test_prefers_acpi_new_rsdp_whichever_comes_first(void **state)
{
    static struct mbi m;
    uint8_t v1[20], v2[36];

    (void)state;
    rsdp_bytes(v1, sizeof(v1), 0, "OLDOEM");
    rsdp_bytes(v2, sizeof(v2), 2, "NEWOEM");
    mbi_begin(&m);
    mbi_tag(&m, MB2_TAG_ACPI_NEW, v2, sizeof(v2));
    mbi_tag(&m, MB2_TAG_ACPI_OLD, v1, sizeof(v1));
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_int_equal(bi.rsdp_len, BOOTINFO_RSDP_V2_SIZE);
    assert_memory_equal(bi.rsdp, v2, sizeof(v2));
    assert_int_equal(bi.bad_tags, 0);
}

static void test_uses_acpi_old_rsdp_alone(void **state)
{
    static struct mbi m;
    uint8_t v1[20];

    (void)state;
    rsdp_bytes(v1, sizeof(v1), 0, "OLDOEM");
    mbi_begin(&m);
    mbi_tag(&m, MB2_TAG_ACPI_OLD, v1, sizeof(v1));
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_int_equal(bi.rsdp_len, BOOTINFO_RSDP_V1_SIZE);
    assert_memory_equal(bi.rsdp, v1, sizeof(v1));
}

static void test_skips_short_rsdp_copies(void **state)
{
    static struct mbi m;
    uint8_t v[36];

    (void)state;
    rsdp_bytes(v, sizeof(v), 2, "SHORT!");
    mbi_begin(&m);
    mbi_tag(&m, MB2_TAG_ACPI_OLD, v, 19);
    mbi_tag(&m, MB2_TAG_ACPI_NEW, v, 20);      /* a v1-sized copy in the v2 tag */
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_int_equal(bi.rsdp_len, 0);
    assert_int_equal(bi.bad_tags, 2);
    assert_non_null(strstr(harness_log, "RSDP copy too small"));
}

static void test_flags_efi_tags_and_skips_unknown_ones(void **state)
{
    static struct mbi m;
    uint8_t junk[40];

    (void)state;
    memset(junk, 0x77, sizeof(junk));
    mbi_begin(&m);
    mbi_tag(&m, MB2_TAG_EFI64, junk, 8);
    mbi_tag(&m, 99, junk, 13);                  /* unknown, odd size: padding must be honoured */
    mbi_tag(&m, MB2_TAG_EFI_MMAP, junk, 40);
    mbi_tag(&m, MB2_TAG_EFI_BS, NULL, 0);
    mbi_tag(&m, MB2_TAG_EFI64_IH, junk, 8);
    mbi_tag(&m, MB2_TAG_SMBIOS, junk, 31);
    mbi_string(&m, MB2_TAG_CMDLINE, "after the unknown tags");
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_int_equal(bi.efi_tags, (1U << MB2_TAG_EFI64) | (1U << MB2_TAG_EFI_MMAP) |
                                  (1U << MB2_TAG_EFI_BS) | (1U << MB2_TAG_EFI64_IH));
    assert_int_equal(bi.efi_tags & ~MB2_EFI_TAGS_MASK, 0);
    assert_string_equal(bi.cmdline, "after the unknown tags");
    assert_int_equal(bi.bad_tags, 0);
}

static void test_minimal_mbi_has_nothing(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_end(&m);
    assert_int_equal(m.len, 16);
    assert_int_equal(parse(&m), 0);
    assert_false(bi.has_cmdline);
    assert_false(bi.has_memmap);
    assert_false(bi.has_meminfo);
    assert_int_equal(bi.nr_modules, 0);
    assert_int_equal(bi.mbi_end - bi.mbi_start, 16);
}

static void test_ignores_bytes_after_the_end_tag(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "x");
    mbi_end(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "not me");
    put32(&m, 0, (uint32_t)m.len);
    assert_int_equal(parse(&m), 0);
    assert_string_equal(bi.cmdline, "x");
}

/* Structural errors: -EINVAL and an all-zero boot_info. */

static void test_rejects_total_size_below_16(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    put32(&m, 0, 8);
    assert_int_equal(parse_exact(&m, 8), -EINVAL);
    assert_bi_empty();
    put32(&m, 0, 0);
    assert_int_equal(parse_exact(&m, 8), -EINVAL);
    assert_bi_empty();
    /* Fewer than 8 readable bytes: total_size itself cannot be trusted to be there. */
    assert_int_equal(parse_exact(&m, 4), -EINVAL);
    assert_bi_empty();
    assert_int_equal(parse_exact(&m, 0), -EINVAL);
    assert_bi_empty();
}

static void test_rejects_total_size_beyond_what_is_mapped(void **state)
{
    static struct mbi m;

    (void)state;
    build_grub_mbi(&m);
    assert_int_equal(parse_exact(&m, m.len - 8), -EINVAL);
    assert_bi_empty();
    assert_non_null(strstr(harness_log, "bad total_size"));
}

static void test_any_truncation_is_rejected_without_reading_past_it(void **state)
{
    static struct mbi m;
    size_t len;

    (void)state;
    build_grub_mbi(&m);
    for ( len = 0; len < m.len; len++ )
    {
        assert_int_equal(parse_exact(&m, len), -EINVAL);
        assert_bi_empty();
    }
    /* The same, with total_size shrunk to match: the end tag is then missing or cut. */
    for ( len = 16; len < m.len; len++ )
    {
        put32(&m, 0, (uint32_t)len);
        assert_int_equal(parse_exact(&m, len), -EINVAL);
        assert_bi_empty();
    }
}

static void test_rejects_a_tag_smaller_than_its_header(void **state)
{
    static struct mbi m;
    uint32_t size;

    (void)state;
    for ( size = 0; size < 8; size++ )
    {
        mbi_begin(&m);
        mbi_string(&m, MB2_TAG_CMDLINE, "ok");
        mbi_raw_tag(&m, MB2_TAG_LOADER_NAME, size, "GRUB", 5);
        mbi_end(&m);
        assert_int_equal(parse(&m), -EINVAL);
        assert_bi_empty();
    }
}

static void test_rejects_a_tag_running_past_total_size(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "ok");
    mbi_raw_tag(&m, MB2_TAG_LOADER_NAME, 4096, "GRUB", 5);
    mbi_end(&m);
    assert_int_equal(parse(&m), -EINVAL);
    assert_bi_empty();

    /* A huge size must not wrap the offset arithmetic. */
    mbi_begin(&m);
    mbi_raw_tag(&m, 77, 0xfffffff9U, "x", 1);
    mbi_end(&m);
    assert_int_equal(parse(&m), -EINVAL);
    assert_bi_empty();
}

static void test_rejects_a_missing_end_tag(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "no end");
    mbi_meminfo(&m, 639, 1000);
    put32(&m, 0, (uint32_t)m.len);
    assert_int_equal(parse(&m), -EINVAL);
    assert_bi_empty();
    assert_non_null(strstr(harness_log, "no end tag"));

    /* The last tag's padding runs past total_size: no room for an end tag either. */
    mbi_begin(&m);
    mbi_tag(&m, 77, "abcd", 4);
    mbi_raw_tag(&m, 78, 12, "wxyz", 4);
    put32(&m, 0, (uint32_t)m.len - 4);
    assert_int_equal(parse_exact(&m, m.len - 4), -EINVAL);
    assert_bi_empty();
}

static void test_rejects_an_end_tag_of_the_wrong_size(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "x");
    mbi_raw_tag(&m, MB2_TAG_END, 16, "\0\0\0\0\0\0\0\0", 8);
    put32(&m, 0, (uint32_t)m.len);
    assert_int_equal(parse(&m), -EINVAL);
    assert_bi_empty();
}

static void test_rejects_a_misaligned_mbi(void **state)
{
    static struct mbi m;
    uint8_t *p;

    (void)state;
    mbi_begin(&m);
    mbi_end(&m);
    p = malloc(m.len + 4);
    assert_non_null(p);
    memcpy(p + 4, m.buf, m.len);
    memset(&bi, 0xa5, sizeof(bi));
    assert_int_equal(mb2_parse(p + 4, MBI_PADDR + 4, m.len, &bi), -EINVAL);
    assert_bi_empty();
    memcpy(p, m.buf, m.len);
    assert_int_equal(mb2_parse(p, MBI_PADDR + 4, m.len, &bi), -EINVAL);     /* machine address */
    assert_int_equal(mb2_parse(p, MBI_PADDR, m.len, &bi), 0);
    free(p);
}

/* Per-tag errors: the tag is reported, counted and skipped; the rest is parsed. */

static void test_skips_unterminated_strings(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_tag(&m, MB2_TAG_CMDLINE, "no terminator", 13);
    mbi_tag(&m, MB2_TAG_LOADER_NAME, "GRUB", 4);
    mbi_tag(&m, MB2_TAG_CMDLINE, NULL, 0);                  /* no room for even a NUL */
    mbi_module(&m, 0x100000, 0x200000, "good module");
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_false(bi.has_cmdline);
    assert_false(bi.has_loader_name);
    assert_int_equal(bi.bad_tags, 3);
    assert_int_equal(bi.nr_modules, 1);
    assert_string_equal(bi.modules[0].cmdline, "good module");
    assert_non_null(strstr(harness_log, "not NUL-terminated"));
}

static void test_string_terminated_in_the_padding_is_rejected(void **state)
{
    static struct mbi m;

    (void)state;
    /* The size field excludes the NUL that sits in the padding: outside the tag. */
    mbi_begin(&m);
    mbi_raw_tag(&m, MB2_TAG_CMDLINE, 8 + 5, "hello\0\0", 8);
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_false(bi.has_cmdline);
    assert_int_equal(bi.bad_tags, 1);
}

static void test_truncates_long_command_lines(void **state)
{
    static struct mbi m;
    static char longline[3000], longmod[2500];

    (void)state;
    memset(longline, 'a', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    memset(longmod, 'm', sizeof(longmod) - 1);
    longmod[sizeof(longmod) - 1] = '\0';
    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, longline);
    mbi_module(&m, 0x100000, 0x200000, longmod);
    mbi_module(&m, 0x200000, 0x300000, "short");
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_true(bi.has_cmdline);
    assert_true(bi.cmdline_truncated);
    assert_int_equal(strlen(bi.cmdline), BOOTINFO_CMDLINE_SIZE - 1);
    assert_memory_equal(bi.cmdline, longline, BOOTINFO_CMDLINE_SIZE - 1);
    assert_true(bi.modules[0].cmdline_truncated);
    assert_int_equal(strlen(bi.modules[0].cmdline), BOOTINFO_MODULE_CMDLINE_SIZE - 1);
    assert_false(bi.modules[1].cmdline_truncated);
    assert_string_equal(bi.modules[1].cmdline, "short");
    assert_int_equal(bi.bad_tags, 0);
    assert_non_null(strstr(harness_log, "command line truncated"));
}

static void test_command_line_that_just_fits_is_whole(void **state)
{
    static struct mbi m;
    static char line[BOOTINFO_CMDLINE_SIZE];

    (void)state;
    memset(line, 'z', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, line);
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_false(bi.cmdline_truncated);
    assert_string_equal(bi.cmdline, line);
}

static void test_skips_a_module_that_ends_before_it_starts(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_module(&m, 0x300000, 0x200000, "backwards");
    mbi_module(&m, 0x400000, 0x400000, "empty but valid");
    mbi_raw_tag(&m, MB2_TAG_MODULE, 12, "\0\0\0\0", 4);     /* too small for mod_end */
    mbi_tag(&m, MB2_TAG_MODULE, "\0\0\x50\0\0\0\x60\0", 8);  /* no string at all */
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_int_equal(bi.nr_modules, 1);
    assert_int_equal(bi.modules[0].start, 0x400000);
    assert_int_equal(bi.modules[0].end, 0x400000);
    assert_string_equal(bi.modules[0].cmdline, "empty but valid");
    assert_int_equal(bi.bad_tags, 3);
    assert_non_null(strstr(harness_log, "bad module range"));
}

static void test_counts_modules_past_the_limit(void **state)
{
    static struct mbi m;
    char name[32];
    unsigned int i;

    (void)state;
    mbi_begin(&m);
    for ( i = 0; i < BOOTINFO_MAX_MODULES + 4; i++ )
    {
        snprintf(name, sizeof(name), "module-%u", i);
        mbi_module(&m, 0x1000000 + i * 0x100000, 0x1080000 + i * 0x100000, name);
    }
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_int_equal(bi.nr_modules, BOOTINFO_MAX_MODULES);
    assert_int_equal(bi.modules_dropped, 4);
    assert_string_equal(bi.modules[BOOTINFO_MAX_MODULES - 1].cmdline, "module-15");
    assert_int_equal(bi.modules[BOOTINFO_MAX_MODULES - 1].start, 0x1000000 + 15 * 0x100000);
    assert_non_null(strstr(harness_log, "more than 16 modules"));
}

static void test_skips_a_memory_map_with_bad_entry_size(void **state)
{
    static struct mbi m;
    static const uint32_t sizes[] = { 0, 8, 16, 20, 28 };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(sizes); i++ )
    {
        mbi_begin(&m);
        mbi_mmap(&m, sizes[i], 0, qemu_map, sizes[i] ? 3 : 0);
        mbi_meminfo(&m, 639, 1000);
        mbi_end(&m);
        assert_int_equal(parse(&m), 0);
        assert_false(bi.has_memmap);
        assert_int_equal(bi.nr_memmap, 0);
        assert_int_equal(bi.bad_tags, 1);
        assert_true(bi.has_meminfo);        /* the fallback is still there */
        assert_non_null(strstr(harness_log, "entry_size"));
    }
}

static void test_reads_larger_memory_map_entries_with_their_stride(void **state)
{
    static struct mbi m;
    unsigned int i;

    (void)state;
    mbi_begin(&m);
    mbi_mmap(&m, 32, 0, qemu_map, ARRAY_SIZE(qemu_map));
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_int_equal(bi.nr_memmap, ARRAY_SIZE(qemu_map));
    for ( i = 0; i < ARRAY_SIZE(qemu_map); i++ )
    {
        assert_int_equal(bi.memmap[i].addr, qemu_map[i].addr);
        assert_int_equal(bi.memmap[i].size, qemu_map[i].size);
        assert_int_equal(bi.memmap[i].type, qemu_map[i].type);
    }
}

static void test_reads_an_unknown_memory_map_version_as_version_0(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_mmap(&m, 24, 1, qemu_map, 2);
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_int_equal(bi.nr_memmap, 2);
    assert_int_equal(bi.memmap[1].addr, 0x9fc00);
    assert_int_equal(bi.bad_tags, 0);
    assert_non_null(strstr(harness_log, "entry_version 1"));
}

static void test_ignores_a_partial_memory_map_entry(void **state)
{
    static struct mbi m;
    size_t off;

    (void)state;
    mbi_begin(&m);
    off = m.len;
    mbi_mmap(&m, 24, 0, qemu_map, 3);
    put32(&m, off + 4, 16 + 2 * 24 + 20);   /* the third entry is cut after 20 bytes */
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_int_equal(bi.nr_memmap, 2);
    assert_non_null(strstr(harness_log, "ends inside an entry"));

    mbi_begin(&m);
    mbi_raw_tag(&m, MB2_TAG_MMAP, 12, "\x18\0\0\0", 4);    /* no room for entry_version */
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_false(bi.has_memmap);
    assert_int_equal(bi.bad_tags, 1);
}

static void test_counts_memory_map_entries_past_the_limit(void **state)
{
    static struct mbi m;
    static struct memmap_entry e[BOOTINFO_MAX_MEMMAP + 2];
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(e); i++ )
        e[i] = (struct memmap_entry){ (uint64_t)i << 20, 1 << 20, i % 2 ? E820_RESERVED : E820_RAM };
    mbi_begin(&m);
    mbi_mmap(&m, 24, 0, e, ARRAY_SIZE(e));
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_int_equal(bi.nr_memmap, BOOTINFO_MAX_MEMMAP);
    assert_int_equal(bi.memmap_dropped, 2);
    assert_int_equal(bi.memmap[BOOTINFO_MAX_MEMMAP - 1].addr, (uint64_t)(BOOTINFO_MAX_MEMMAP - 1) << 20);
    assert_non_null(strstr(harness_log, "more than 128 memory map entries"));
}

static void test_keeps_the_first_of_duplicate_single_tags(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "first");
    mbi_string(&m, MB2_TAG_CMDLINE, "second");
    mbi_meminfo(&m, 1, 2);
    mbi_meminfo(&m, 3, 4);
    mbi_mmap(&m, 24, 0, qemu_map, 1);
    mbi_mmap(&m, 24, 0, qemu_map + 1, 1);
    mbi_u32_tag(&m, MB2_TAG_LOAD_BASE_ADDR, 0x200000);
    mbi_u32_tag(&m, MB2_TAG_LOAD_BASE_ADDR, 0x400000);
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_string_equal(bi.cmdline, "first");
    assert_int_equal(bi.mem_lower_kb, 1);
    assert_int_equal(bi.nr_memmap, 1);
    assert_int_equal(bi.memmap[0].addr, 0);
    assert_int_equal(bi.load_base, 0x200000);
    assert_int_equal(bi.bad_tags, 4);
}

static void test_skips_short_fixed_size_tags(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_tag(&m, MB2_TAG_BASIC_MEMINFO, "\x7f\x02\0\0", 4);
    mbi_tag(&m, MB2_TAG_LOAD_BASE_ADDR, "\0\0", 2);
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    assert_false(bi.has_meminfo);
    assert_false(bi.has_load_base);
    assert_int_equal(bi.bad_tags, 2);
}

/* Random corruption of a good MBI: never a bad read, and either success or a clean -EINVAL. */
static void test_survives_random_corruption(void **state)
{
    static struct mbi good, m;
    static const struct boot_info zero;
    uint32_t seed = 4242;
    unsigned int iter, k;

    (void)state;
    build_grub_mbi(&good);
    for ( iter = 0; iter < 3000; iter++ )
    {
        int rc;

        m = good;
        for ( k = 0; k < 1 + iter % 6; k++ )
        {
            size_t off;

            seed = seed * 1103515245U + 12345U;
            off = (seed >> 8) % m.len;
            seed = seed * 1103515245U + 12345U;
            if ( iter & 1 )
                m.buf[off] = (uint8_t)(seed >> 16);                 /* random byte */
            else
                m.buf[off] ^= (uint8_t)(1U << ((seed >> 16) % 8));  /* one bit flipped */
        }
        rc = parse(&m);
        assert_true(rc == 0 || rc == -EINVAL);
        if ( rc )
            assert_memory_equal(&bi, &zero, sizeof(bi));
        else
        {
            assert_true(bi.nr_memmap <= BOOTINFO_MAX_MEMMAP);
            assert_true(bi.nr_modules <= BOOTINFO_MAX_MODULES);
            assert_true(memchr(bi.cmdline, '\0', sizeof(bi.cmdline)) != NULL);
            assert_true(memchr(bi.loader_name, '\0', sizeof(bi.loader_name)) != NULL);
            for ( k = 0; k < bi.nr_modules; k++ )
                assert_true(bi.modules[k].start <= bi.modules[k].end);
        }
    }
}

static void test_print_logs_what_was_found(void **state)
{
    static struct mbi m;

    (void)state;
    build_grub_mbi(&m);
    assert_int_equal(parse(&m), 0);
    harness_log_clear();
    mb2_print(&bi);
    assert_non_null(strstr(harness_log, "Boot loader: " LOADER "\n"));
    assert_non_null(strstr(harness_log, "Command line: " CMDLINE "\n"));
    assert_non_null(strstr(harness_log, " [0000000000000000, 000000000009fbff] (usable)\n"));
    assert_non_null(strstr(harness_log, " [00000000fffc0000, 00000000ffffffff] (reserved)\n"));
    assert_non_null(strstr(harness_log, "[0000000001000000, 0000000001a3c5e0) "));
    assert_non_null(strstr(harness_log, "\"" DOM0_CMD "\""));
    assert_non_null(strstr(harness_log, "\"" INITRD_CMD "\""));
    assert_non_null(strstr(harness_log, "ACPI RSDP (2.0+)"));
    assert_non_null(strstr(harness_log, "OEM \"BOCHS2\""));
    assert_null(strstr(harness_log, "EFI"));
    assert_null(strstr(harness_log, "dropped"));
}

static void test_print_reports_problems(void **state)
{
    static struct mbi m;

    (void)state;
    mbi_begin(&m);
    mbi_tag(&m, MB2_TAG_CMDLINE, "unterminated", 12);
    mbi_tag(&m, MB2_TAG_EFI64, "\0\0\0\0\0\0\0\0", 8);
    mbi_end(&m);
    assert_int_equal(parse(&m), 0);
    harness_log_clear();
    mb2_print(&bi);
    assert_non_null(strstr(harness_log, "Command line: (none)"));
    assert_non_null(strstr(harness_log, "No Multiboot2 memory map"));
    assert_non_null(strstr(harness_log, "EFI tags present: 0x1000"));
    assert_non_null(strstr(harness_log, "1 tags skipped"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parses_a_grub_like_mbi),
        cmocka_unit_test(test_copies_survive_the_mbi_being_overwritten),
        cmocka_unit_test(test_prefers_acpi_new_rsdp_whichever_comes_first),
        cmocka_unit_test(test_uses_acpi_old_rsdp_alone),
        cmocka_unit_test(test_skips_short_rsdp_copies),
        cmocka_unit_test(test_flags_efi_tags_and_skips_unknown_ones),
        cmocka_unit_test(test_minimal_mbi_has_nothing),
        cmocka_unit_test(test_ignores_bytes_after_the_end_tag),
        cmocka_unit_test(test_rejects_total_size_below_16),
        cmocka_unit_test(test_rejects_total_size_beyond_what_is_mapped),
        cmocka_unit_test(test_any_truncation_is_rejected_without_reading_past_it),
        cmocka_unit_test(test_rejects_a_tag_smaller_than_its_header),
        cmocka_unit_test(test_rejects_a_tag_running_past_total_size),
        cmocka_unit_test(test_rejects_a_missing_end_tag),
        cmocka_unit_test(test_rejects_an_end_tag_of_the_wrong_size),
        cmocka_unit_test(test_rejects_a_misaligned_mbi),
        cmocka_unit_test(test_skips_unterminated_strings),
        cmocka_unit_test(test_string_terminated_in_the_padding_is_rejected),
        cmocka_unit_test(test_truncates_long_command_lines),
        cmocka_unit_test(test_command_line_that_just_fits_is_whole),
        cmocka_unit_test(test_skips_a_module_that_ends_before_it_starts),
        cmocka_unit_test(test_counts_modules_past_the_limit),
        cmocka_unit_test(test_skips_a_memory_map_with_bad_entry_size),
        cmocka_unit_test(test_reads_larger_memory_map_entries_with_their_stride),
        cmocka_unit_test(test_reads_an_unknown_memory_map_version_as_version_0),
        cmocka_unit_test(test_ignores_a_partial_memory_map_entry),
        cmocka_unit_test(test_counts_memory_map_entries_past_the_limit),
        cmocka_unit_test(test_keeps_the_first_of_duplicate_single_tags),
        cmocka_unit_test(test_skips_short_fixed_size_tags),
        cmocka_unit_test(test_survives_random_corruption),
        cmocka_unit_test(test_print_logs_what_was_found),
        cmocka_unit_test(test_print_reports_problems),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
