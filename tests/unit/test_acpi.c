/*
 * test_acpi.c - unit tests for ACPI discovery and parsing (RSDP, RSDT/XSDT, FADT, MADT, HPET, \_S5_ in AML).
 *
 * Physical memory is faked with two regions laid out like QEMU's: the first
 * MiB (BDA, EBDA, BIOS ROM area with the RSDP) and 128 KiB at 0x7FFE0000
 * holding the tables.  acpi_map() hands out a fresh heap copy of exactly the
 * requested bytes and frees the previous one, so under ASan any read past a
 * mapped length, or through a mapping after the next acpi_map(), fails.
 */
#include <stdlib.h>
#include <string.h>
#include <parva/acpi.h>
#include <parva/lib.h>

/* ------------------------------------------------------------------------ */
/* Fake physical memory                                                     */

#define LOW_BASE        0x0UL
#define LOW_SIZE        0x100000UL
#define HIGH_BASE       0x7ffe0000UL
#define HIGH_SIZE       0x20000UL

#define RSDP_PA         0xf59d0UL
#define EBDA_SEG        0x9fc0
#define EBDA_PA         0x9fc00UL
#define FACS_PA         0x7ffe0000UL
#define DSDT_PA         0x7ffe0040UL
#define FACP_PA         0x7ffe19dfUL    /* odd, as QEMU's: fields are unaligned */
#define APIC_PA         0x7ffe1b00UL
#define HPET_PA         0x7ffe1c00UL
#define SSDT0_PA        0x7ffe1d00UL
#define SSDT1_PA        0x7ffe1e00UL
#define RSDT_PA         0x7ffe1f00UL
#define XSDT_PA         0x7ffe2800UL    /* room for a 512-entry RSDT before it */
#define ALT_DSDT_PA     0x7ffe3c00UL
#define SPARE_PA        0x7ffe4000UL    /* 0x7ffe4000-0x7fffffff for tests' own tables */

struct region {
    uint64_t base;
    size_t size;
    uint8_t *mem;
};

static struct region regions[2];
static void *last_map;

const void *acpi_map(uint64_t paddr, size_t len)
{
    unsigned int i;

    free(last_map);
    last_map = NULL;
    for ( i = 0; i < ARRAY_SIZE(regions); i++ )
    {
        const struct region *r = &regions[i];

        if ( paddr < r->base || len > r->size || paddr - r->base > r->size - len )
            continue;
        last_map = malloc(len ? len : 1);
        assert_non_null(last_map);
        memcpy(last_map, r->mem + (paddr - r->base), len);
        return last_map;
    }
    return NULL;
}

static uint8_t *phys(uint64_t pa, size_t len)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(regions); i++ )
        if ( pa >= regions[i].base && len <= regions[i].size &&
             pa - regions[i].base <= regions[i].size - len )
            return regions[i].mem + (pa - regions[i].base);
    fail_msg("test image has no %#lx+%#zx", pa, len);
    return NULL;
}

/* A heap copy of exactly len bytes, so that ASan catches a parser reading past len. */
static void *exact_copy(const void *p, size_t len)
{
    void *c = malloc(len ? len : 1);

    assert_non_null(c);
    if ( len )
        memcpy(c, p, len);
    return c;
}

/* ------------------------------------------------------------------------ */
/* Table builders                                                           */

static void wr16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, v); wr16(p + 2, v >> 16); }
static void wr64(uint8_t *p, uint64_t v) { wr32(p, v); wr32(p + 4, v >> 32); }

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while ( n-- )
        s += *p++;
    return s;
}

/* Set the checksum of the table at t for its length field. */
static void seal(uint8_t *t)
{
    t[9] = 0;
    t[9] = -sum(t, acpi_rd32(t + 4));
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
    memset(t, 0, len);
    memcpy(t, sig, 4);
    wr32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, "BOCHS ", 6);
    memcpy(t + 16, "BXPC", 4);
    memcpy(t + 20, sig, 4);
    wr32(t + 24, 1);
    memcpy(t + 28, "BXPC", 4);
    wr32(t + 32, 1);
}

static void gas(uint8_t *p, uint8_t space, uint8_t width, uint8_t access, uint64_t addr)
{
    p[0] = space;
    p[1] = width;
    p[2] = 0;
    p[3] = access;
    wr64(p + 4, addr);
}

/* An RSDP at r: 20 bytes for revision < 2, else 36. */
static void make_rsdp(uint8_t *r, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    memset(r, 0, rev >= 2 ? 36 : 20);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, "BOCHS ", 6);
    r[15] = rev;
    wr32(r + 16, rsdt);
    r[8] = -sum(r, 20);
    if ( rev >= 2 )
    {
        wr32(r + 20, 36);
        wr64(r + 24, xsdt);
        r[32] = -sum(r, 36);
    }
}

/* An AML table (DSDT/SSDT) with body aml at pa. */
static uint8_t *make_aml(uint64_t pa, const char *sig, const uint8_t *aml, size_t n)
{
    uint8_t *t = phys(pa, ACPI_HDR_LEN + n);

    header(t, sig, ACPI_HDR_LEN + n, 2);
    memcpy(t + ACPI_HDR_LEN, aml, n);
    seal(t);
    return t;
}

#define FADT_V1_LEN     116
#define FADT_V2_LEN     129     /* up to RESET_VALUE */
#define FADT_V3_LEN     244
#define FADT_V5_LEN     268
#define FADT_V6_LEN     276

#define TEST_FADT_FLAGS (ACPI_FADT_WBINVD | (1U << 2) | (1U << 4) | (1U << 5) | (1U << 7))

/* A QEMU-like FADT of len bytes in buffer t (not sealed). */
static void fill_fadt(uint8_t *t, uint8_t rev, uint32_t len, uint32_t dsdt)
{
    header(t, "FACP", len, rev);
    wr32(t + 36, FACS_PA);
    wr32(t + 40, dsdt);
    wr16(t + 46, 9);                            /* SCI */
    wr32(t + 48, 0xb2);                         /* SMI_CMD */
    t[52] = 0xf1;                               /* ACPI_ENABLE */
    t[53] = 0xf0;
    wr32(t + 56, 0x600);                        /* PM1a_EVT */
    wr32(t + 64, 0x604);                        /* PM1a_CNT */
    wr32(t + 76, 0x608);                        /* PM_TMR */
    wr32(t + 80, 0xafe0);                       /* GPE0 */
    t[88] = 4;
    t[89] = 2;
    t[91] = 4;
    t[92] = 4;
    wr16(t + 109, ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_8042);
    wr32(t + 112, TEST_FADT_FLAGS);
    if ( len >= FADT_V2_LEN )
    {
        gas(t + 116, ACPI_GAS_IO, 8, 1, 0xcf9);
        t[128] = 0x06;
        wr32(t + 112, TEST_FADT_FLAGS | ACPI_FADT_RESET_REG_SUP);
    }
    if ( len >= FADT_V3_LEN )
    {
        wr64(t + 132, FACS_PA);
        wr64(t + 140, dsdt);
        gas(t + 148, ACPI_GAS_IO, 32, 0, 0x600);
        gas(t + 172, ACPI_GAS_IO, 16, 0, 0xb004);   /* differs from the port: X_ must win */
        gas(t + 208, ACPI_GAS_IO, 32, 0, 0x608);
    }
    if ( len >= FADT_V5_LEN )
    {
        gas(t + 244, ACPI_GAS_MEMORY, 8, 1, 0xfe000000);
        gas(t + 256, ACPI_GAS_MEMORY, 8, 1, 0xfe000001);
    }
    if ( len >= FADT_V6_LEN )
        memcpy(t + 268, "XenVMM\0\0", 8);
}

static uint8_t *make_fadt(uint64_t pa, uint8_t rev, uint32_t len, uint32_t dsdt)
{
    uint8_t *t = phys(pa, len);

    fill_fadt(t, rev, len, dsdt);
    seal(t);
    return t;
}

/* MADT under construction. */
struct madt {
    uint8_t buf[8192];
    size_t len;
};

static void madt_begin(struct madt *m, uint8_t rev, uint32_t lapic_addr, uint32_t flags)
{
    header(m->buf, "APIC", sizeof(m->buf), rev);
    wr32(m->buf + 36, lapic_addr);
    wr32(m->buf + 40, flags);
    m->len = 44;
}

static void madt_raw(struct madt *m, const uint8_t *e, size_t n)
{
    assert_true(m->len + n <= sizeof(m->buf));
    memcpy(m->buf + m->len, e, n);
    m->len += n;
}

static void e_lapic(struct madt *m, uint8_t uid, uint8_t id, uint32_t flags)
{
    uint8_t e[8] = { ACPI_MADT_LAPIC, 8, uid, id };

    wr32(e + 4, flags);
    madt_raw(m, e, sizeof(e));
}

static void e_ioapic(struct madt *m, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
    uint8_t e[12] = { ACPI_MADT_IOAPIC, 12, id, 0 };

    wr32(e + 4, addr);
    wr32(e + 8, gsi_base);
    madt_raw(m, e, sizeof(e));
}

static void e_iso(struct madt *m, uint8_t bus, uint8_t src, uint32_t gsi, uint16_t flags)
{
    uint8_t e[10] = { ACPI_MADT_ISO, 10, bus, src };

    wr32(e + 4, gsi);
    wr16(e + 8, flags);
    madt_raw(m, e, sizeof(e));
}

static void e_nmi_src(struct madt *m, uint16_t flags, uint32_t gsi)
{
    uint8_t e[8] = { ACPI_MADT_NMI_SRC, 8 };

    wr16(e + 2, flags);
    wr32(e + 4, gsi);
    madt_raw(m, e, sizeof(e));
}

static void e_lapic_nmi(struct madt *m, uint8_t uid, uint16_t flags, uint8_t lint)
{
    uint8_t e[6] = { ACPI_MADT_LAPIC_NMI, 6, uid };

    wr16(e + 3, flags);
    e[5] = lint;
    madt_raw(m, e, sizeof(e));
}

static void e_lapic_addr(struct madt *m, uint64_t addr)
{
    uint8_t e[12] = { ACPI_MADT_LAPIC_ADDR, 12 };

    wr64(e + 4, addr);
    madt_raw(m, e, sizeof(e));
}

static void e_x2apic(struct madt *m, uint32_t id, uint32_t flags, uint32_t uid)
{
    uint8_t e[16] = { ACPI_MADT_X2APIC, 16 };

    wr32(e + 4, id);
    wr32(e + 8, flags);
    wr32(e + 12, uid);
    madt_raw(m, e, sizeof(e));
}

static void e_x2apic_nmi(struct madt *m, uint16_t flags, uint32_t uid, uint8_t lint)
{
    uint8_t e[12] = { ACPI_MADT_X2APIC_NMI, 12 };

    wr16(e + 2, flags);
    wr32(e + 4, uid);
    e[8] = lint;
    madt_raw(m, e, sizeof(e));
}

static void madt_end(struct madt *m)
{
    wr32(m->buf + 4, m->len);
    seal(m->buf);
}

static void madt_place(const struct madt *m, uint64_t pa)
{
    memcpy(phys(pa, m->len), m->buf, m->len);
}

#define POL_HIGH    ACPI_MPS_ACTIVE_HIGH
#define POL_LOW     ACPI_MPS_ACTIVE_LOW
#define TRIG_EDGE   (ACPI_MPS_EDGE << 2)
#define TRIG_LEVEL  (ACPI_MPS_LEVEL << 2)

/* QEMU's MADT for two CPUs. */
static void qemu_madt(struct madt *m)
{
    madt_begin(m, 1, 0xfee00000, ACPI_MADT_PCAT_COMPAT);
    e_lapic(m, 0, 0, ACPI_MADT_ENABLED);
    e_lapic(m, 1, 1, ACPI_MADT_ENABLED);
    e_ioapic(m, 0, 0xfec00000, 0);
    e_iso(m, 0, 0, 2, 0);
    e_iso(m, 0, 5, 5, POL_HIGH | TRIG_LEVEL);
    e_iso(m, 0, 9, 9, POL_HIGH | TRIG_LEVEL);
    e_iso(m, 0, 10, 10, POL_HIGH | TRIG_LEVEL);
    e_iso(m, 0, 11, 11, POL_HIGH | TRIG_LEVEL);
    e_lapic_nmi(m, 0xff, 0, 1);
    madt_end(m);
}

static void make_hpet(uint64_t pa, uint8_t space, uint64_t base)
{
    uint8_t *t = phys(pa, 56);

    header(t, "HPET", 56, 1);
    wr32(t + 36, 0x8086a201);
    gas(t + 40, space, 64, 0, base);
    t[52] = 0;
    wr16(t + 53, 0x80);
    seal(t);
}

/* Name (_S5, Package (0x04) { 0x05, 0x07, Zero, Zero }) amid other AML. */
static const uint8_t dsdt_aml[] = {
    0x10, 0x0c, 0x5c, 0x5f, 0x53, 0x42, 0x5f,                   /* Scope (\_SB) { */
    0x08, 0x50, 0x49, 0x43, 0x46, 0x00,                         /*   Name (PICF, Zero) } */
    0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x08, 0x04,             /* Name (_S5, Package (4) { */
    0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00,                         /*   0x05, 0x07, Zero, Zero }) */
    0x14, 0x08, 0x5f, 0x50, 0x54, 0x53, 0x01, 0xa4, 0x00,       /* Method (_PTS, 1) { Return (0) } */
};

/* AML without _S5_ (it has _S4_ and a string mentioning _S5_). */
static const uint8_t no_s5_aml[] = {
    0x08, 0x5f, 0x53, 0x34, 0x5f, 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
    0x0d, 0x5f, 0x53, 0x35, 0x5f, 0x00,                         /* "_S5_" */
};

static uint64_t root_entries[512];
static unsigned int nr_root_entries;

/* RSDT and XSDT from root_entries, and the RSDP (v1, or v2 with the XSDT) in the BIOS area. */
static void make_roots(bool v2)
{
    uint8_t *rsdt = phys(RSDT_PA, ACPI_HDR_LEN + 4 * nr_root_entries);
    uint8_t *xsdt = phys(XSDT_PA, ACPI_HDR_LEN + 8 * nr_root_entries);
    unsigned int i;

    header(rsdt, "RSDT", ACPI_HDR_LEN + 4 * nr_root_entries, 1);
    header(xsdt, "XSDT", ACPI_HDR_LEN + 8 * nr_root_entries, 1);
    for ( i = 0; i < nr_root_entries; i++ )
    {
        wr32(rsdt + ACPI_HDR_LEN + 4 * i, root_entries[i]);
        wr64(xsdt + ACPI_HDR_LEN + 8 * i, root_entries[i]);
    }
    seal(rsdt);
    seal(xsdt);
    make_rsdp(phys(RSDP_PA, 36), v2 ? 2 : 0, RSDT_PA, XSDT_PA);
}

/*
 * The whole QEMU-like image: v1 (RSDP r0, RSDT, FADT r1) or v2 (RSDP r2,
 * XSDT, FADT r6).
 */
static void build_image(bool v2)
{
    struct madt m;
    uint8_t *facs = phys(FACS_PA, 64);

    memset(regions[0].mem, 0, regions[0].size);
    memset(regions[1].mem, 0, regions[1].size);
    wr16(phys(0x40e, 2), EBDA_SEG);

    memcpy(facs, "FACS", 4);
    wr32(facs + 4, 64);
    make_aml(DSDT_PA, "DSDT", dsdt_aml, sizeof(dsdt_aml));
    if ( v2 )
        make_fadt(FACP_PA, 6, FADT_V6_LEN, DSDT_PA);
    else
        make_fadt(FACP_PA, 1, FADT_V1_LEN, DSDT_PA);
    qemu_madt(&m);
    madt_place(&m, APIC_PA);
    make_hpet(HPET_PA, ACPI_GAS_MEMORY, 0xfed00000);

    nr_root_entries = 0;
    root_entries[nr_root_entries++] = FACP_PA;
    root_entries[nr_root_entries++] = APIC_PA;
    root_entries[nr_root_entries++] = HPET_PA;
    make_roots(v2);
}

static struct acpi_info ai;
static struct acpi_madt_info mi;

static bool logged(const char *s)
{
    return strstr(harness_log, s) != NULL;
}

static int setup(void **state)
{
    (void)state;
    regions[0] = (struct region){ LOW_BASE, LOW_SIZE, calloc(1, LOW_SIZE) };
    regions[1] = (struct region){ HIGH_BASE, HIGH_SIZE, calloc(1, HIGH_SIZE) };
    assert_non_null(regions[0].mem);
    assert_non_null(regions[1].mem);
    memset(&ai, 0xcc, sizeof(ai));
    memset(&mi, 0xcc, sizeof(mi));
    harness_log_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(last_map);
    last_map = NULL;
    free(regions[0].mem);
    free(regions[1].mem);
    memset(regions, 0, sizeof(regions));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* RSDP                                                                     */

static void test_rsdp_check_accepts_v1_and_v2(void **state)
{
    uint8_t r[36];

    (void)state;
    make_rsdp(r, 0, RSDT_PA, 0);
    assert_int_equal(acpi_rsdp_check(r, 20), 0);
    assert_int_equal(acpi_rsdp_check(r, 36), 0);    /* 1.0: bytes past 20 do not matter */
    make_rsdp(r, 2, RSDT_PA, XSDT_PA);
    assert_int_equal(acpi_rsdp_check(r, 36), 0);
    /* A 1.0-sized copy of a 2.0 RSDP is used as 1.0. */
    assert_int_equal(acpi_rsdp_check(r, 20), 0);
}

static void test_rsdp_check_rejects_bad_input(void **state)
{
    uint8_t r[36];

    (void)state;
    assert_int_equal(acpi_rsdp_check(NULL, 36), -EINVAL);

    make_rsdp(r, 0, RSDT_PA, 0);
    assert_int_equal(acpi_rsdp_check(r, 19), -EINVAL);
    r[7] = 'X';                                     /* signature */
    assert_int_equal(acpi_rsdp_check(r, 20), -EINVAL);

    make_rsdp(r, 0, RSDT_PA, 0);
    r[8]++;                                         /* checksum of the first 20 bytes */
    assert_int_equal(acpi_rsdp_check(r, 20), -EINVAL);

    make_rsdp(r, 2, RSDT_PA, XSDT_PA);
    r[32]++;                                        /* extended checksum */
    assert_int_equal(acpi_rsdp_check(r, 36), -EINVAL);

    make_rsdp(r, 2, RSDT_PA, XSDT_PA);
    wr32(r + 20, 40);                               /* length past the copy */
    r[32] = 0;
    r[32] = -sum(r, 36);
    assert_int_equal(acpi_rsdp_check(r, 36), -EINVAL);

    make_rsdp(r, 2, RSDT_PA, XSDT_PA);
    wr32(r + 20, 20);                               /* length below the 2.0 size */
    r[32] = 0;
    r[32] = -sum(r, 36);
    assert_int_equal(acpi_rsdp_check(r, 36), -EINVAL);
}

static void test_legacy_scan_finds_rsdp_in_bios_area(void **state)
{
    (void)state;
    build_image(false);
    assert_int_equal(acpi_find_rsdp_legacy(), RSDP_PA);
}

static void test_legacy_scan_prefers_ebda(void **state)
{
    (void)state;
    build_image(true);
    /* QEMU's EBDA is its last KiB below 0xA0000. */
    make_rsdp(phys(EBDA_PA + 0x3e0, 36), 0, RSDT_PA, 0);
    assert_int_equal(acpi_find_rsdp_legacy(), EBDA_PA + 0x3e0);

    /* A 2.0 RSDP in the last 16-byte slot of the EBDA's first KiB is read whole. */
    wr16(phys(0x40e, 2), 0x9000);
    make_rsdp(phys(0x903f0, 36), 2, RSDT_PA, XSDT_PA);
    assert_int_equal(acpi_find_rsdp_legacy(), 0x903f0);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_int_equal(ai.rsdp_pa, 0x903f0);
    assert_true(ai.xsdt);
}

static void test_legacy_scan_ignores_ebda_past_first_kib(void **state)
{
    (void)state;
    build_image(false);
    make_rsdp(phys(EBDA_PA + 0x400, 36), 0, RSDT_PA, 0);
    assert_int_equal(acpi_find_rsdp_legacy(), RSDP_PA);
}

static void test_legacy_scan_skips_bad_candidates(void **state)
{
    uint8_t *r;

    (void)state;
    build_image(false);
    r = phys(0xe0000, 36);
    make_rsdp(r, 0, RSDT_PA, 0);
    r[8] ^= 0x55;                                   /* bad checksum */
    r = phys(0xe0100, 36);
    make_rsdp(r, 2, RSDT_PA, XSDT_PA);
    r[32] ^= 0x55;                                  /* bad extended checksum */
    make_rsdp(phys(0xe0208, 36), 0, RSDT_PA, 0);    /* not on a 16-byte boundary */
    assert_int_equal(acpi_find_rsdp_legacy(), RSDP_PA);
}

static void test_legacy_scan_with_bogus_ebda_segment(void **state)
{
    (void)state;
    build_image(false);
    wr16(phys(0x40e, 2), 0xa000);                   /* 0xA0000: video memory, not EBDA */
    assert_int_equal(acpi_find_rsdp_legacy(), RSDP_PA);
    wr16(phys(0x40e, 2), 0);
    assert_int_equal(acpi_find_rsdp_legacy(), RSDP_PA);
}

static void test_legacy_scan_finds_nothing(void **state)
{
    (void)state;
    build_image(false);
    memset(phys(RSDP_PA, 36), 0, 36);
    assert_int_equal(acpi_find_rsdp_legacy(), 0);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), -ENOENT);
    assert_true(logged("no RSDP"));
}

static void test_legacy_scan_at_last_rom_slot(void **state)
{
    (void)state;
    build_image(false);
    memset(phys(RSDP_PA, 36), 0, 36);
    make_rsdp(phys(0xfffe0, 20), 0, RSDT_PA, 0);    /* the last slot a 20-byte RSDP fits in */
    assert_int_equal(acpi_find_rsdp_legacy(), 0xfffe0);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_true(ai.fadt.valid);
}

/* ------------------------------------------------------------------------ */
/* acpi_tables_init on whole images                                         */

static void test_init_qemu_v1_layout(void **state)
{
    paddr_t pa;
    uint32_t len;

    (void)state;
    build_image(false);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);

    assert_int_equal(ai.rsdp_pa, RSDP_PA);
    assert_int_equal(ai.rsdp_revision, 0);
    assert_string_equal(ai.oem_id, "BOCHS ");
    assert_false(ai.xsdt);
    assert_int_equal(ai.root_pa, RSDT_PA);
    assert_int_equal(ai.nr_tables, 4);              /* FACP, APIC, HPET + DSDT */

    assert_true(logged("ACPI: RSDP 000F59D0, 0014 (r0 BOCHS )\n"));
    assert_true(logged("ACPI: RSDT 7FFE1F00, 0030 (r1 BOCHS  BXPCRSDT        1 BXPC        1)\n"));
    assert_true(logged("ACPI: FACP 7FFE19DF, 0074 (r1 BOCHS  BXPCFACP        1 BXPC        1)\n"));
    assert_true(logged("ACPI: DSDT 7FFE0040, "));
    assert_true(logged("ACPI: APIC 7FFE1B00, "));
    assert_true(logged("ACPI: HPET 7FFE1C00, 0038 "));

    /* FADT 1.0: ports only, no reset register, no IAPC_BOOT_ARCH. */
    assert_true(ai.fadt.valid);
    assert_int_equal(ai.fadt.revision, 1);
    assert_int_equal(ai.fadt.length, FADT_V1_LEN);
    assert_int_equal(ai.fadt.sci_int, 9);
    assert_int_equal(ai.fadt.smi_cmd, 0xb2);
    assert_int_equal(ai.fadt.acpi_enable, 0xf1);
    assert_int_equal(ai.fadt.acpi_disable, 0xf0);
    assert_int_equal(ai.fadt.flags, TEST_FADT_FLAGS);
    assert_int_equal(ai.fadt.pm1a_cnt.space_id, ACPI_GAS_IO);
    assert_int_equal(ai.fadt.pm1a_cnt.address, 0x604);
    assert_int_equal(ai.fadt.pm1a_cnt.bit_width, 16);
    assert_int_equal(ai.fadt.pm1b_cnt.address, 0);
    assert_int_equal(ai.fadt.pm1a_evt.address, 0x600);
    assert_int_equal(ai.fadt.pm1a_evt.bit_width, 32);
    assert_int_equal(ai.fadt.pm_tmr.address, 0x608);
    assert_false(ai.fadt.has_reset_reg);
    assert_false(ai.fadt.reset_reg_sup);
    assert_false(ai.fadt.iapc_boot_arch_valid);
    assert_int_equal(ai.fadt.iapc_boot_arch, 0);
    assert_int_equal(ai.fadt.dsdt, DSDT_PA);
    assert_int_equal(ai.fadt.facs, FACS_PA);
    assert_true(logged("ACPI: PM-Timer IO Port: 0x608 (24 bits)\n"));
    assert_true(logged("ACPI: SLEEP INFO: pm1x_cnt[1:604,0:0], pm1x_evt[1:600,0:0]\n"));

    assert_true(ai.s5.found);
    assert_int_equal(ai.s5.slp_typa, 5);
    assert_int_equal(ai.s5.slp_typb, 7);
    assert_string_equal(ai.s5.table, "DSDT");

    assert_true(ai.madt.valid);
    assert_int_equal(ai.madt.lapic_addr, 0xfee00000);
    assert_true(ai.madt.pcat_compat);
    assert_int_equal(ai.madt.nr_cpus, 2);
    assert_int_equal(ai.madt.cpus[1].apic_id, 1);
    assert_int_equal(ai.madt.nr_ioapics, 1);
    assert_int_equal(ai.madt.ioapics[0].address, 0xfec00000);
    assert_int_equal(ai.madt.nr_isos, 5);
    assert_int_equal(ai.madt.isos[0].gsi, 2);
    assert_true(logged("ACPI: LAPIC (acpi_id[0x01] lapic_id[0x01] enabled)\n"));
    assert_true(logged("ACPI: IOAPIC (id[0x00] address[0xfec00000] gsi_base[0])\n"));
    assert_true(logged("ACPI: INT_SRC_OVR (bus 0 bus_irq 0 global_irq 2 dfl dfl)\n"));
    assert_true(logged("ACPI: INT_SRC_OVR (bus 0 bus_irq 9 global_irq 9 high level)\n"));
    assert_true(logged("ACPI: LAPIC_NMI (acpi_id[0xff] dfl dfl lint[0x1])\n"));

    assert_true(ai.hpet.valid);
    assert_int_equal(ai.hpet.address, 0xfed00000);
    assert_int_equal(ai.hpet.id, 0x8086a201);
    assert_int_equal(ai.hpet.min_tick, 0x80);
    assert_true(logged("ACPI: HPET id: 0x8086a201 base: 0xfed00000\n"));

    assert_int_equal(acpi_find_table("DSDT", 0, &pa, &len), 0);
    assert_int_equal(pa, DSDT_PA);
    assert_int_equal(len, ACPI_HDR_LEN + sizeof(dsdt_aml));
    assert_int_equal(acpi_find_table("FACP", 0, &pa, &len), 0);
    assert_int_equal(pa, FACP_PA);
    assert_int_equal(len, FADT_V1_LEN);
    assert_int_equal(acpi_find_table("FACP", 1, &pa, &len), -ENOENT);
    assert_int_equal(acpi_find_table("SSDT", 0, &pa, &len), -ENOENT);
    assert_false(logged("<1>"));                    /* no warnings at all */
}

static void test_init_v2_copy_uses_xsdt_and_full_fadt(void **state)
{
    uint8_t copy[36];
    char buf[48];

    (void)state;
    build_image(true);
    memcpy(copy, phys(RSDP_PA, 36), 36);
    memset(phys(RSDP_PA, 36), 0, 36);               /* the copy is all there is */
    assert_int_equal(acpi_tables_init(copy, sizeof(copy), &ai), 0);

    assert_int_equal(ai.rsdp_pa, 0);
    assert_int_equal(ai.rsdp_revision, 2);
    assert_true(ai.xsdt);
    assert_int_equal(ai.root_pa, XSDT_PA);
    assert_true(logged("ACPI: RSDP (boot loader copy), 0024 (r2 BOCHS )\n"));
    assert_true(logged("ACPI: XSDT 7FFE2800, 003C (r1 "));
    assert_true(logged("ACPI: FACP 7FFE19DF, 0114 (r6 "));

    assert_true(ai.fadt.valid);
    assert_int_equal(ai.fadt.length, FADT_V6_LEN);
    assert_true(ai.fadt.iapc_boot_arch_valid);
    assert_int_equal(ai.fadt.iapc_boot_arch, ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_8042);
    assert_int_equal(ai.fadt.pm1a_cnt.address, 0xb004);     /* X_PM1a_CNT_BLK wins */
    assert_int_equal(ai.fadt.pm1a_cnt.bit_width, 16);
    assert_int_equal(ai.fadt.pm1b_cnt.address, 0);          /* X_ zero, port zero */
    assert_int_equal(ai.fadt.pm1a_evt.address, 0x600);
    assert_true(ai.fadt.has_reset_reg);
    assert_true(ai.fadt.reset_reg_sup);
    assert_int_equal(ai.fadt.reset_reg.space_id, ACPI_GAS_IO);
    assert_int_equal(ai.fadt.reset_reg.address, 0xcf9);
    assert_int_equal(ai.fadt.reset_reg.bit_width, 8);
    assert_int_equal(ai.fadt.reset_value, 6);
    assert_int_equal(ai.fadt.sleep_control.address, 0xfe000000);
    assert_int_equal(ai.fadt.sleep_status.address, 0xfe000001);
    assert_string_equal(acpi_gas_describe(&ai.fadt.reset_reg, buf, sizeof(buf)), "io 0xcf9/8");
    assert_true(logged("ACPI: reset register io 0xcf9/8, value 0x6\n"));

    assert_true(ai.s5.found);
    assert_int_equal(ai.madt.nr_cpus, 2);
    assert_true(ai.hpet.valid);
    assert_false(logged("<1>"));
}

static void test_init_v2_rsdp_in_v1_sized_copy_uses_rsdt(void **state)
{
    (void)state;
    build_image(true);
    assert_int_equal(acpi_tables_init(phys(RSDP_PA, 20), 20, &ai), 0);
    assert_false(ai.xsdt);
    assert_int_equal(ai.root_pa, RSDT_PA);
    assert_true(ai.fadt.valid);
}

static void test_init_legacy_v2_rsdp(void **state)
{
    (void)state;
    build_image(true);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_int_equal(ai.rsdp_pa, RSDP_PA);
    assert_true(ai.xsdt);
    assert_true(logged("ACPI: RSDP 000F59D0, 0024 (r2 BOCHS )\n"));
}

static void test_init_prefers_x_dsdt(void **state)
{
    static const uint8_t alt_aml[] = {
        0x08, 0x5c, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x06, 0x04, 0x01, 0x00, 0x00, 0x00,
    };
    uint8_t *fadt;

    (void)state;
    build_image(true);
    make_aml(ALT_DSDT_PA, "DSDT", alt_aml, sizeof(alt_aml));
    fadt = phys(FACP_PA, FADT_V6_LEN);
    wr64(fadt + 140, ALT_DSDT_PA);
    seal(fadt);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_int_equal(ai.fadt.dsdt, ALT_DSDT_PA);
    assert_true(ai.s5.found);
    assert_int_equal(ai.s5.slp_typa, 1);
    assert_int_equal(ai.s5.slp_typb, 0);
}

static void test_init_falls_back_to_rsdt_when_xsdt_outside_memory(void **state)
{
    uint8_t *r;

    (void)state;
    build_image(true);
    r = phys(RSDP_PA, 36);
    make_rsdp(r, 2, RSDT_PA, 0x100000000000UL);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_false(ai.xsdt);
    assert_int_equal(ai.root_pa, RSDT_PA);
    assert_true(logged("cannot be mapped"));
    assert_true(logged("XSDT at 100000000000 unusable, trying the RSDT"));
    assert_true(ai.fadt.valid);
    assert_true(ai.madt.valid);
}

static void test_init_falls_back_to_rsdt_when_xsdt_bad(void **state)
{
    uint8_t *x;

    (void)state;
    build_image(true);
    x = phys(XSDT_PA, ACPI_HDR_LEN);
    x[ACPI_HDR_CHECKSUM]++;
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_false(ai.xsdt);
    assert_true(logged("ACPI: XSDT at 7FFE2800 has a bad checksum, ignored"));

    /* An "XSDT" that is really an RSDT is not used as one. */
    build_image(true);
    memcpy(phys(XSDT_PA, 4), "RSDT", 4);
    seal(phys(XSDT_PA, ACPI_HDR_LEN + 8 * nr_root_entries));
    harness_log_clear();
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_false(ai.xsdt);
    assert_true(logged("wrong signature"));
}

static void test_init_fails_without_usable_root(void **state)
{
    (void)state;
    build_image(true);
    phys(XSDT_PA, ACPI_HDR_LEN)[ACPI_HDR_CHECKSUM]++;
    phys(RSDT_PA, ACPI_HDR_LEN)[ACPI_HDR_CHECKSUM]++;
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), -EINVAL);
    assert_true(logged("no usable RSDT or XSDT"));
    assert_false(ai.fadt.valid);
    assert_false(ai.madt.valid);
}

static void test_init_rejects_bad_rsdp_copies(void **state)
{
    uint8_t copy[36];

    (void)state;
    build_image(true);
    memcpy(copy, phys(RSDP_PA, 36), 36);
    copy[8]++;
    assert_int_equal(acpi_tables_init(copy, sizeof(copy), &ai), -EINVAL);
    assert_true(logged("bad RSDP"));

    memcpy(copy, phys(RSDP_PA, 36), 36);
    copy[32]++;
    assert_int_equal(acpi_tables_init(copy, sizeof(copy), &ai), -EINVAL);

    memcpy(copy, phys(RSDP_PA, 36), 36);
    assert_int_equal(acpi_tables_init(copy, 12, &ai), -EINVAL);

    /* After a bad copy, the caller can still fall back to the search. */
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_true(ai.fadt.valid);
}

static void test_bad_table_checksum_rejects_only_that_table(void **state)
{
    paddr_t pa;
    uint32_t len;

    (void)state;
    build_image(false);
    phys(APIC_PA, ACPI_HDR_LEN)[20] ^= 1;           /* OEM table ID changed, checksum not */
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_false(ai.madt.valid);
    assert_int_equal(ai.madt.nr_cpus, 0);
    assert_true(logged("ACPI: APIC at 7FFE1B00 has a bad checksum, ignored\n"));
    assert_true(logged("no MADT"));
    assert_int_equal(acpi_find_table("APIC", 0, &pa, &len), -ENOENT);
    assert_true(ai.fadt.valid);
    assert_true(ai.hpet.valid);
    assert_true(ai.s5.found);
    assert_int_equal(ai.nr_tables, 3);
}

static void test_bad_dsdt_checksum_loses_only_s5(void **state)
{
    (void)state;
    build_image(false);
    phys(DSDT_PA, ACPI_HDR_LEN)[ACPI_HDR_CHECKSUM]++;
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_true(ai.fadt.valid);
    assert_false(ai.s5.found);
    assert_true(logged("DSDT at 7FFE0040 has a bad checksum"));
    assert_true(logged("no \\_S5_ package found"));
}

static void test_table_length_below_header_or_huge_is_rejected(void **state)
{
    (void)state;
    build_image(false);
    wr32(phys(APIC_PA, 8) + 4, 20);                 /* shorter than the header */
    wr32(phys(HPET_PA, 8) + 4, 0x7fffffff);         /* absurd */
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_false(ai.madt.valid);
    assert_false(ai.hpet.valid);
    assert_true(ai.fadt.valid);
    assert_true(logged("ACPI: APIC at 7FFE1B00 has a bad length 0x14, ignored\n"));
    assert_true(logged("ACPI: HPET at 7FFE1C00 has a bad length 0x7fffffff, ignored\n"));
}

static void test_table_running_past_memory_is_rejected(void **state)
{
    (void)state;
    build_image(false);
    wr32(phys(DSDT_PA, 8) + 4, 0x800000);           /* 8 MiB: sane for a DSDT, but past the image */
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_true(logged("ACPI: DSDT at 7FFE0040 (0x800000 bytes) cannot be mapped, ignored\n"));
    assert_false(ai.s5.found);
    assert_true(ai.madt.valid);
}

static void test_rsdt_length_not_whole_entries(void **state)
{
    uint8_t *rsdt;

    (void)state;
    build_image(false);
    rsdt = phys(RSDT_PA, ACPI_HDR_LEN + 4 * 3 + 2);
    wr32(rsdt + 4, ACPI_HDR_LEN + 4 * 3 + 2);
    seal(rsdt);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_true(logged("ACPI: RSDT length 0x32 is not a whole number of entries\n"));
    assert_int_equal(ai.nr_tables, 4);
    assert_true(ai.madt.valid && ai.fadt.valid && ai.hpet.valid);
}

static void test_rsdt_length_claiming_extra_entries(void **state)
{
    uint8_t *rsdt;

    (void)state;
    build_image(false);
    rsdt = phys(RSDT_PA, ACPI_HDR_LEN + 4 * 5);
    wr32(rsdt + ACPI_HDR_LEN + 4 * 3, 0);               /* a null entry */
    wr32(rsdt + ACPI_HDR_LEN + 4 * 4, 0xa5a5a5a5);      /* garbage */
    wr32(rsdt + 4, ACPI_HDR_LEN + 4 * 5);
    seal(rsdt);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_true(logged("ACPI: RSDT entry 3 is null, ignored\n"));
    assert_true(logged("ACPI: table at A5A5A5A5 cannot be mapped, ignored\n"));
    assert_int_equal(ai.nr_tables, 4);
    assert_true(ai.madt.valid && ai.fadt.valid && ai.hpet.valid);
}

static void test_rsdt_with_huge_length_is_rejected(void **state)
{
    (void)state;
    build_image(false);
    wr32(phys(RSDT_PA, 8) + 4, 0x01000000);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), -EINVAL);
    assert_true(logged("RSDT at 7FFE1F00 has a bad length"));
}

static void test_root_entries_are_capped(void **state)
{
    unsigned int i;
    paddr_t pa;
    uint32_t len;

    (void)state;
    build_image(true);
    /* 70 small tables, then null entries up to 300. */
    for ( i = 0; i < 70; i++ )
    {
        uint8_t *t = phys(SPARE_PA + 64 * i, ACPI_HDR_LEN);

        header(t, "OEM0", ACPI_HDR_LEN, 1);
        seal(t);
        root_entries[nr_root_entries++] = SPARE_PA + 64 * i;
    }
    while ( nr_root_entries < 300 )
        root_entries[nr_root_entries++] = 0;
    make_roots(true);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_true(logged("ACPI: XSDT has 300 entries, only the first 256 are used\n"));
    assert_true(logged("more than 64 tables"));
    assert_int_equal(ai.nr_tables, ACPI_MAX_TABLES);
    assert_true(ai.fadt.valid && ai.madt.valid && ai.hpet.valid);
    assert_int_equal(acpi_find_table("OEM0", 60, &pa, &len), 0);
    assert_int_equal(pa, SPARE_PA + 64 * 60);
    assert_int_equal(acpi_find_table("OEM0", 61, &pa, &len), -ENOENT);
}

static void test_s5_from_ssdt_when_dsdt_lacks_it(void **state)
{
    static const uint8_t ssdt1_aml[] = {
        0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x05, 0x02, 0x01, 0x0a, 0x02,   /* {One, 0x02} */
    };
    paddr_t pa;
    uint32_t len;

    (void)state;
    build_image(false);
    make_aml(DSDT_PA, "DSDT", no_s5_aml, sizeof(no_s5_aml));
    make_aml(SSDT0_PA, "SSDT", no_s5_aml, sizeof(no_s5_aml));
    make_aml(SSDT1_PA, "SSDT", ssdt1_aml, sizeof(ssdt1_aml));
    root_entries[nr_root_entries++] = SSDT0_PA;
    root_entries[nr_root_entries++] = SSDT1_PA;
    make_roots(false);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_true(ai.s5.found);
    assert_string_equal(ai.s5.table, "SSDT");
    assert_int_equal(ai.s5.slp_typa, 1);
    assert_int_equal(ai.s5.slp_typb, 2);
    assert_true(logged("ACPI: \\_S5_ in SSDT at 7FFE1E00: SLP_TYPa 0x1 SLP_TYPb 0x2\n"));
    assert_int_equal(acpi_find_table("SSDT", 1, &pa, &len), 0);
    assert_int_equal(pa, SSDT1_PA);
    assert_int_equal(len, ACPI_HDR_LEN + sizeof(ssdt1_aml));
    assert_int_equal(acpi_find_table("SSDT", 2, &pa, &len), -ENOENT);
}

static void test_s5_missing_everywhere(void **state)
{
    (void)state;
    build_image(false);
    make_aml(DSDT_PA, "DSDT", no_s5_aml, sizeof(no_s5_aml));
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_false(ai.s5.found);
    assert_true(logged("no \\_S5_ package found"));
}

static void test_fadt_dsdt_with_wrong_signature_is_ignored(void **state)
{
    paddr_t pa;
    uint32_t len;

    (void)state;
    build_image(false);
    make_aml(DSDT_PA, "SSDT", dsdt_aml, sizeof(dsdt_aml));
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_false(ai.s5.found);
    assert_true(logged("DSDT at 7FFE0040 has the wrong signature"));
    assert_int_equal(acpi_find_table("DSDT", 0, &pa, &len), -ENOENT);
}

static void test_init_twice_starts_from_scratch(void **state)
{
    paddr_t pa;
    uint32_t len;

    (void)state;
    build_image(false);
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    phys(HPET_PA, ACPI_HDR_LEN)[ACPI_HDR_CHECKSUM]++;
    assert_int_equal(acpi_tables_init(NULL, 0, &ai), 0);
    assert_false(ai.hpet.valid);
    assert_int_equal(ai.nr_tables, 3);
    assert_int_equal(acpi_find_table("HPET", 0, &pa, &len), -ENOENT);
}

/* ------------------------------------------------------------------------ */
/* MADT                                                                     */

static int parse_madt(struct madt *m)
{
    void *c = exact_copy(m->buf, m->len);
    int rc = acpi_madt_parse(c, m->len, &mi);

    free(c);
    return rc;
}

static void test_madt_every_entry_type(void **state)
{
    struct madt m;

    (void)state;
    madt_begin(&m, 5, 0xfee00000, 0);
    e_lapic(&m, 0, 0, ACPI_MADT_ENABLED);
    e_lapic(&m, 1, 2, 0);                                       /* disabled */
    e_lapic(&m, 2, 4, ACPI_MADT_ONLINE_CAPABLE);                /* hot-pluggable */
    e_lapic(&m, 3, 0, ACPI_MADT_ENABLED);                       /* duplicate APIC ID */
    e_lapic(&m, 4, 0xff, ACPI_MADT_ENABLED);                    /* invalid APIC ID */
    e_x2apic(&m, 0x100, ACPI_MADT_ENABLED, 0x1000);
    e_x2apic(&m, 0x101, 0, 0x1001);                             /* disabled */
    e_x2apic(&m, 0xffffffff, ACPI_MADT_ENABLED, 0x1002);        /* invalid */
    e_ioapic(&m, 0, 0xfec00000, 0);
    e_ioapic(&m, 1, 0xfec01000, 24);
    e_iso(&m, 0, 0, 2, 0);
    e_iso(&m, 0, 9, 20, POL_LOW | TRIG_LEVEL);
    e_nmi_src(&m, POL_HIGH | TRIG_EDGE, 7);
    e_lapic_nmi(&m, 0xff, 0, 1);
    e_lapic_nmi(&m, 2, POL_HIGH | TRIG_EDGE, 0);
    e_x2apic_nmi(&m, 0, 0x1000, 1);
    e_lapic_addr(&m, 0x1fee00000UL);
    madt_raw(&m, (const uint8_t[]){ 0x7f, 4, 0xaa, 0xbb }, 4);   /* unknown type: skipped */
    e_lapic(&m, 5, 6, ACPI_MADT_ENABLED);                       /* after the unknown one */
    madt_end(&m);

    assert_int_equal(parse_madt(&m), 0);
    assert_true(mi.valid);
    assert_false(mi.truncated);
    assert_false(mi.pcat_compat);
    assert_int_equal(mi.lapic_addr, 0x1fee00000UL);

    assert_int_equal(mi.nr_cpus, 4);
    assert_int_equal(mi.nr_cpus_disabled, 2);
    assert_int_equal(mi.nr_cpus_dropped, 0);
    assert_int_equal(mi.cpus[0].apic_id, 0);
    assert_true(mi.cpus[0].enabled);
    assert_false(mi.cpus[0].x2apic);
    assert_int_equal(mi.cpus[1].apic_id, 4);
    assert_int_equal(mi.cpus[1].acpi_uid, 2);
    assert_false(mi.cpus[1].enabled);
    assert_true(mi.cpus[1].online_capable);
    assert_int_equal(mi.cpus[2].apic_id, 0x100);
    assert_int_equal(mi.cpus[2].acpi_uid, 0x1000);
    assert_true(mi.cpus[2].x2apic);
    assert_true(mi.cpus[2].enabled);
    assert_int_equal(mi.cpus[3].apic_id, 6);

    assert_int_equal(mi.nr_ioapics, 2);
    assert_int_equal(mi.ioapics[1].id, 1);
    assert_int_equal(mi.ioapics[1].address, 0xfec01000);
    assert_int_equal(mi.ioapics[1].gsi_base, 24);

    assert_int_equal(mi.nr_isos, 2);
    assert_int_equal(mi.isos[1].source, 9);
    assert_int_equal(mi.isos[1].gsi, 20);
    assert_int_equal(ACPI_MPS_POLARITY(mi.isos[1].flags), ACPI_MPS_ACTIVE_LOW);
    assert_int_equal(ACPI_MPS_TRIGGER(mi.isos[1].flags), ACPI_MPS_LEVEL);

    assert_int_equal(mi.nr_nmi_srcs, 1);
    assert_int_equal(mi.nmi_srcs[0].gsi, 7);

    assert_int_equal(mi.nr_lapic_nmis, 3);
    assert_int_equal(mi.lapic_nmis[0].acpi_uid, ACPI_UID_ALL);
    assert_int_equal(mi.lapic_nmis[0].lint, 1);
    assert_int_equal(mi.lapic_nmis[1].acpi_uid, 2);
    assert_int_equal(mi.lapic_nmis[1].lint, 0);
    assert_int_equal(mi.lapic_nmis[2].acpi_uid, 0x1000);
    assert_int_equal(mi.lapic_nmis[2].lint, 1);

    assert_true(logged("ACPI: LAPIC (acpi_id[0x01] lapic_id[0x02] disabled)\n"));
    assert_true(logged("ACPI: LAPIC (acpi_id[0x02] lapic_id[0x04] online-capable)\n"));
    assert_true(logged("ACPI: duplicate APIC ID 0 ignored\n"));     /* C's %#x prints 0 as "0" */
    assert_true(logged("ACPI: invalid APIC ID 0xff ignored\n"));
    assert_true(logged("ACPI: X2APIC (apic_id[0x100] uid[0x1000] enabled)\n"));
    assert_true(logged("ACPI: INT_SRC_OVR (bus 0 bus_irq 9 global_irq 20 low level)\n"));
    assert_true(logged("ACPI: NMI_SRC (high edge global_irq 7)\n"));
    assert_true(logged("ACPI: LAPIC_NMI (acpi_id[0x02] high edge lint[0x0])\n"));
    assert_true(logged("ACPI: X2APIC_NMI (uid[0x1000] dfl dfl lint[0x1])\n"));
    assert_true(logged("ACPI: LAPIC_ADDR_OVR (address[0x1fee00000])\n"));
}

static void test_madt_online_capable_needs_revision_5(void **state)
{
    struct madt m;

    (void)state;
    madt_begin(&m, 4, 0xfee00000, 0);
    e_lapic(&m, 0, 0, ACPI_MADT_ENABLED);
    e_lapic(&m, 1, 1, ACPI_MADT_ONLINE_CAPABLE);
    madt_end(&m);
    assert_int_equal(parse_madt(&m), 0);
    assert_int_equal(mi.nr_cpus, 1);
    assert_int_equal(mi.nr_cpus_disabled, 1);
}

static void test_madt_zero_length_entry_truncates(void **state)
{
    struct madt m;

    (void)state;
    madt_begin(&m, 3, 0xfee00000, ACPI_MADT_PCAT_COMPAT);
    e_lapic(&m, 0, 0, ACPI_MADT_ENABLED);
    e_ioapic(&m, 0, 0xfec00000, 0);
    madt_raw(&m, (const uint8_t[]){ ACPI_MADT_LAPIC, 0, 1, 1, 1, 0, 0, 0 }, 8);
    e_lapic(&m, 2, 2, ACPI_MADT_ENABLED);
    madt_end(&m);
    assert_int_equal(parse_madt(&m), 0);
    assert_true(mi.valid);
    assert_true(mi.truncated);
    assert_true(mi.pcat_compat);
    assert_int_equal(mi.nr_cpus, 1);
    assert_int_equal(mi.nr_ioapics, 1);
    assert_true(logged("ACPI: MADT entry at offset 0x40 (type 0, length 0) is malformed;"));
}

static void test_madt_entry_past_table_end_truncates(void **state)
{
    struct madt m;

    (void)state;
    madt_begin(&m, 3, 0xfee00000, 0);
    e_lapic(&m, 0, 0, ACPI_MADT_ENABLED);
    madt_raw(&m, (const uint8_t[]){ ACPI_MADT_X2APIC, 16, 0, 0, 1, 0, 0, 0 }, 8);  /* 8 of 16 bytes */
    madt_end(&m);
    assert_int_equal(parse_madt(&m), 0);
    assert_true(mi.truncated);
    assert_int_equal(mi.nr_cpus, 1);
}

static void test_madt_entry_shorter_than_its_type_truncates(void **state)
{
    struct madt m;

    (void)state;
    madt_begin(&m, 3, 0xfee00000, 0);
    e_lapic(&m, 0, 0, ACPI_MADT_ENABLED);
    madt_raw(&m, (const uint8_t[]){ ACPI_MADT_IOAPIC, 8, 0, 0, 0, 0, 0xc0, 0xfe }, 8);
    e_lapic(&m, 1, 1, ACPI_MADT_ENABLED);
    madt_end(&m);
    assert_int_equal(parse_madt(&m), 0);
    assert_true(mi.truncated);
    assert_int_equal(mi.nr_ioapics, 0);
    assert_int_equal(mi.nr_cpus, 1);
}

static void test_madt_trailing_byte_truncates(void **state)
{
    struct madt m;

    (void)state;
    madt_begin(&m, 3, 0xfee00000, 0);
    e_lapic(&m, 0, 0, ACPI_MADT_ENABLED);
    madt_raw(&m, (const uint8_t[]){ ACPI_MADT_LAPIC }, 1);
    madt_end(&m);
    assert_int_equal(parse_madt(&m), 0);
    assert_true(mi.truncated);
    assert_int_equal(mi.nr_cpus, 1);
    assert_true(logged("cut short by the table end"));
}

static void test_madt_without_entries_or_too_short(void **state)
{
    struct madt m;

    (void)state;
    madt_begin(&m, 3, 0xfee00000, 0);
    madt_end(&m);
    assert_int_equal(parse_madt(&m), 0);
    assert_true(mi.valid);
    assert_false(mi.truncated);
    assert_int_equal(mi.nr_cpus, 0);

    m.len = 43;
    assert_int_equal(parse_madt(&m), -EINVAL);
    assert_false(mi.valid);
}

static void test_madt_limits(void **state)
{
    static struct madt m;
    unsigned int i;

    (void)state;
    madt_begin(&m, 3, 0xfee00000, 0);
    for ( i = 0; i < 260; i++ )
        e_x2apic(&m, i, ACPI_MADT_ENABLED, i);
    for ( i = 0; i < ACPI_MAX_IOAPICS + 2; i++ )
        e_ioapic(&m, i, 0xfec00000 + 0x1000 * i, 24 * i);
    for ( i = 0; i < ACPI_MAX_ISOS + 2; i++ )
        e_iso(&m, 0, i, i, 0);
    for ( i = 0; i < ACPI_MAX_LAPIC_NMIS + 2; i++ )
        e_lapic_nmi(&m, i, 0, 1);
    for ( i = 0; i < ACPI_MAX_NMI_SRCS + 2; i++ )
        e_nmi_src(&m, 0, i);
    madt_end(&m);
    assert_int_equal(parse_madt(&m), 0);
    assert_int_equal(mi.nr_cpus, ACPI_MAX_CPUS);
    assert_int_equal(mi.nr_cpus_dropped, 4);
    assert_int_equal(mi.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
    assert_int_equal(mi.nr_ioapics, ACPI_MAX_IOAPICS);
    assert_int_equal(mi.nr_isos, ACPI_MAX_ISOS);
    assert_int_equal(mi.nr_lapic_nmis, ACPI_MAX_LAPIC_NMIS);
    assert_int_equal(mi.nr_nmi_srcs, ACPI_MAX_NMI_SRCS);
    assert_true(logged("more than 256 CPUs"));
}

/* ------------------------------------------------------------------------ */
/* FADT                                                                     */

static int parse_fadt(const uint8_t *t, size_t len, struct acpi_fadt_info *fi)
{
    void *c = exact_copy(t, len);
    int rc = acpi_fadt_parse(c, len, fi);

    free(c);
    return rc;
}

static void test_fadt_revisions(void **state)
{
    uint8_t t[FADT_V6_LEN];
    struct acpi_fadt_info fi;

    (void)state;
    /* 2.0-style short FADT: reset register but no X_ fields. */
    fill_fadt(t, 2, FADT_V2_LEN, DSDT_PA);
    assert_int_equal(parse_fadt(t, FADT_V2_LEN, &fi), 0);
    assert_true(fi.has_reset_reg);
    assert_true(fi.reset_reg_sup);
    assert_true(fi.iapc_boot_arch_valid);
    assert_int_equal(fi.pm1a_cnt.address, 0x604);
    assert_int_equal(fi.dsdt, DSDT_PA);

    /* 3.0: X_ fields win; a zero X_ field falls back to the port. */
    fill_fadt(t, 3, FADT_V3_LEN, DSDT_PA);
    gas(t + 208, 0, 0, 0, 0);                       /* X_PM_TMR_BLK absent */
    assert_int_equal(parse_fadt(t, FADT_V3_LEN, &fi), 0);
    assert_int_equal(fi.pm1a_cnt.address, 0xb004);
    assert_int_equal(fi.pm_tmr.address, 0x608);
    assert_int_equal(fi.pm_tmr.space_id, ACPI_GAS_IO);
    assert_int_equal(fi.pm_tmr.bit_width, 32);
    assert_int_equal(fi.sleep_control.address, 0);

    /* An X_ block with no bit width gets the 1.0 length. */
    gas(t + 172, ACPI_GAS_IO, 0, 0, 0xb004);
    assert_int_equal(parse_fadt(t, FADT_V3_LEN, &fi), 0);
    assert_int_equal(fi.pm1a_cnt.bit_width, 16);

    /* X_DSDT zero: the 32-bit DSDT. */
    fill_fadt(t, 5, FADT_V5_LEN, DSDT_PA);
    wr64(t + 140, 0);
    wr32(t + 112, ACPI_FADT_HW_REDUCED);
    assert_int_equal(parse_fadt(t, FADT_V5_LEN, &fi), 0);
    assert_int_equal(fi.dsdt, DSDT_PA);
    assert_int_equal(fi.sleep_control.space_id, ACPI_GAS_MEMORY);
    assert_int_equal(fi.sleep_control.address, 0xfe000000);
    assert_true(fi.has_reset_reg);
    assert_false(fi.reset_reg_sup);                 /* flag cleared */
    assert_true(logged("(hardware-reduced)"));
    assert_true(logged("(RESET_REG_SUP clear)"));

    /* X_DSDT above 4 GiB wins. */
    fill_fadt(t, 6, FADT_V6_LEN, DSDT_PA);
    wr64(t + 140, 0x100000000UL);
    assert_int_equal(parse_fadt(t, FADT_V6_LEN, &fi), 0);
    assert_int_equal(fi.dsdt, 0x100000000UL);
    assert_true(fi.valid);
}

static void test_fadt_too_short(void **state)
{
    uint8_t t[FADT_V1_LEN];
    struct acpi_fadt_info fi;

    (void)state;
    fill_fadt(t, 1, FADT_V1_LEN, DSDT_PA);
    assert_int_equal(parse_fadt(t, FADT_V1_LEN - 1, &fi), -EINVAL);
    assert_false(fi.valid);
}

/* ------------------------------------------------------------------------ */
/* HPET and GAS                                                             */

static void test_hpet_parse(void **state)
{
    struct acpi_hpet_info hi;
    uint8_t *c;

    (void)state;
    build_image(false);
    c = exact_copy(phys(HPET_PA, 56), 56);
    assert_int_equal(acpi_hpet_parse(c, 56, &hi), 0);
    assert_true(hi.valid);
    assert_int_equal(hi.address, 0xfed00000);
    assert_int_equal(acpi_hpet_parse(c, 55, &hi), -EINVAL);
    assert_false(hi.valid);
    c[40] = ACPI_GAS_IO;
    assert_int_equal(acpi_hpet_parse(c, 56, &hi), -EINVAL);
    assert_false(hi.valid);
    free(c);
}

static void test_gas_describe(void **state)
{
    struct acpi_gas g = { ACPI_GAS_MEMORY, 64, 0, 3, 0xfed00000 };
    char buf[48];

    (void)state;
    assert_string_equal(acpi_gas_describe(&g, buf, sizeof(buf)), "mem 0xfed00000/64");
    g.space_id = ACPI_GAS_FFH;
    assert_string_equal(acpi_gas_describe(&g, buf, sizeof(buf)), "ffh 0xfed00000/64");
    g.space_id = 0x42;
    assert_string_equal(acpi_gas_describe(&g, buf, sizeof(buf)), "space66 0xfed00000/64");
    g.address = 0;
    assert_string_equal(acpi_gas_describe(&g, buf, sizeof(buf)), "none");
    g = (struct acpi_gas){ ACPI_GAS_IO, 16, 0, 2, 0x604 };
    assert_string_equal(acpi_gas_describe(&g, buf, 6), "io 0x");
}

/* ------------------------------------------------------------------------ */
/* \_S5_ in AML                                                             */

/* Run the scanner on an exact-size copy; returns the result, values in a and b (0xee if untouched). */
static int find_s5(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
    void *c = exact_copy(aml, len);
    int rc;

    *a = *b = 0xee;
    rc = acpi_aml_find_s5(c, len, a, b);
    free(c);
    return rc;
}

static void expect_s5(const uint8_t *aml, size_t len, uint8_t want_a, uint8_t want_b)
{
    uint8_t a, b;

    assert_int_equal(find_s5(aml, len, &a, &b), 0);
    assert_int_equal(a, want_a);
    assert_int_equal(b, want_b);
}

/* Every proper prefix of aml must fail cleanly, without touching the outputs. */
static void expect_no_s5_in_prefixes(const uint8_t *aml, size_t len)
{
    uint8_t a, b;
    size_t n;

    for ( n = 0; n < len; n++ )
    {
        assert_int_equal(find_s5(aml, n, &a, &b), -ENOENT);
        assert_int_equal(a, 0xee);
        assert_int_equal(b, 0xee);
    }
}

static void test_s5_byte_prefix(void **state)
{
    static const uint8_t aml[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00,
    };

    (void)state;
    expect_s5(aml, sizeof(aml), 5, 7);
    expect_s5(dsdt_aml, sizeof(dsdt_aml), 5, 7);
}

static void test_s5_zero_one_and_root_prefix(void **state)
{
    static const uint8_t zero_one[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x01 };
    static const uint8_t rooted[] = {
        0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x01, 0x01, 0x00, 0x00,
    };
    static const uint8_t ones[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00 };

    (void)state;
    expect_s5(zero_one, sizeof(zero_one), 0, 1);
    expect_s5(rooted, sizeof(rooted), 1, 1);
    expect_s5(ones, sizeof(ones), 0xff, 0);
}

static void test_s5_wide_integers_take_low_byte(void **state)
{
    static const uint8_t aml[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x02,
        0x0b, 0x07, 0x01,                           /* Word 0x0107 */
        0x0c, 0x06, 0x00, 0x00, 0x01,               /* DWord 0x01000006 */
    };
    static const uint8_t qword[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x0c, 0x02,
        0x0e, 0x03, 0, 0, 0, 0, 0, 0, 0x80,         /* QWord */
        0x00,
    };

    (void)state;
    expect_s5(aml, sizeof(aml), 7, 6);
    expect_s5(qword, sizeof(qword), 3, 0);
}

static void test_s5_one_element_package_packs_both(void **state)
{
    static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b, 0x05, 0x06 };

    (void)state;
    expect_s5(aml, sizeof(aml), 5, 6);
}

static void test_s5_multibyte_pkglength(void **state)
{
    /* PkgLength 8 encoded with 1, 2 and 3 following bytes. */
    static const uint8_t two[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x49, 0x00, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00,
    };
    static const uint8_t three[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x8a, 0x00, 0x00, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00,
    };
    static const uint8_t four[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0xcb, 0x00, 0x00, 0x00, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00,
    };
    static const uint8_t reserved_bits[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x59, 0x00, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00,
    };
    uint8_t a, b;

    (void)state;
    expect_s5(two, sizeof(two), 5, 7);
    expect_s5(three, sizeof(three), 5, 7);
    expect_s5(four, sizeof(four), 5, 7);
    assert_int_equal(find_s5(reserved_bits, sizeof(reserved_bits), &a, &b), -ENOENT);
}

static void test_s5_truncated_everywhere(void **state)
{
    static const uint8_t aml[] = {
        0x08, '\\', '_', 'S', '5', '_', 0x12, 0x8e, 0x00, 0x00, 0x04,
        0x0c, 0x05, 0x00, 0x00, 0x00, 0x0b, 0x07, 0x00, 0x00, 0x00,
    };

    (void)state;
    expect_s5(aml, sizeof(aml), 5, 7);
    expect_no_s5_in_prefixes(aml, sizeof(aml));
    expect_no_s5_in_prefixes(dsdt_aml, 27);         /* the DSDT body cut inside the package */
}

static void test_s5_package_shorter_than_its_elements(void **state)
{
    /* PkgLength 4 ends after the first element although NumElements is 4. */
    static const uint8_t short_pkg[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00,
    };
    /* PkgLength runs past the AML. */
    static const uint8_t long_pkg[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02, 0x00, 0x00 };
    /* No elements. */
    static const uint8_t empty[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 };
    /* PkgLength too small to hold NumElements. */
    static const uint8_t tiny[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x02, 0x00, 0x00 };
    uint8_t a, b;

    (void)state;
    assert_int_equal(find_s5(short_pkg, sizeof(short_pkg), &a, &b), -ENOENT);
    assert_int_equal(find_s5(long_pkg, sizeof(long_pkg), &a, &b), -ENOENT);
    assert_int_equal(find_s5(empty, sizeof(empty), &a, &b), -ENOENT);
    assert_int_equal(find_s5(tiny, sizeof(tiny), &a, &b), -ENOENT);
    assert_int_equal(a, 0xee);
}

static void test_s5_non_constant_or_false_matches(void **state)
{
    /* A name reference as an element (not decodable without an interpreter). */
    static const uint8_t named[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x02, 'S', 'L', 'P', 'A', 'S', 'L', 'P', 'B',
    };
    /* A false match (not a package), then the real one. */
    static const uint8_t false_then_real[] = {
        0x08, '_', 'S', '5', '_', 0x0a, 0x03,
        0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x02, 0x01, 0x00, 0x00,
    };
    uint8_t a, b;

    (void)state;
    assert_int_equal(find_s5(named, sizeof(named), &a, &b), -ENOENT);
    assert_int_equal(find_s5(no_s5_aml, sizeof(no_s5_aml), &a, &b), -ENOENT);
    assert_int_equal(find_s5(NULL, 0, &a, &b), -ENOENT);
    expect_s5(false_then_real, sizeof(false_then_real), 2, 1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rsdp_check_accepts_v1_and_v2),
        T(test_rsdp_check_rejects_bad_input),
        T(test_legacy_scan_finds_rsdp_in_bios_area),
        T(test_legacy_scan_prefers_ebda),
        T(test_legacy_scan_ignores_ebda_past_first_kib),
        T(test_legacy_scan_skips_bad_candidates),
        T(test_legacy_scan_with_bogus_ebda_segment),
        T(test_legacy_scan_finds_nothing),
        T(test_legacy_scan_at_last_rom_slot),
        T(test_init_qemu_v1_layout),
        T(test_init_v2_copy_uses_xsdt_and_full_fadt),
        T(test_init_v2_rsdp_in_v1_sized_copy_uses_rsdt),
        T(test_init_legacy_v2_rsdp),
        T(test_init_prefers_x_dsdt),
        T(test_init_falls_back_to_rsdt_when_xsdt_outside_memory),
        T(test_init_falls_back_to_rsdt_when_xsdt_bad),
        T(test_init_fails_without_usable_root),
        T(test_init_rejects_bad_rsdp_copies),
        T(test_bad_table_checksum_rejects_only_that_table),
        T(test_bad_dsdt_checksum_loses_only_s5),
        T(test_table_length_below_header_or_huge_is_rejected),
        T(test_table_running_past_memory_is_rejected),
        T(test_rsdt_length_not_whole_entries),
        T(test_rsdt_length_claiming_extra_entries),
        T(test_rsdt_with_huge_length_is_rejected),
        T(test_root_entries_are_capped),
        T(test_s5_from_ssdt_when_dsdt_lacks_it),
        T(test_s5_missing_everywhere),
        T(test_fadt_dsdt_with_wrong_signature_is_ignored),
        T(test_init_twice_starts_from_scratch),
        T(test_madt_every_entry_type),
        T(test_madt_online_capable_needs_revision_5),
        T(test_madt_zero_length_entry_truncates),
        T(test_madt_entry_past_table_end_truncates),
        T(test_madt_entry_shorter_than_its_type_truncates),
        T(test_madt_trailing_byte_truncates),
        T(test_madt_without_entries_or_too_short),
        T(test_madt_limits),
        T(test_fadt_revisions),
        T(test_fadt_too_short),
        T(test_hpet_parse),
        T(test_gas_describe),
        T(test_s5_byte_prefix),
        T(test_s5_zero_one_and_root_prefix),
        T(test_s5_wide_integers_take_low_byte),
        T(test_s5_one_element_package_packs_both),
        T(test_s5_multibyte_pkglength),
        T(test_s5_truncated_everywhere),
        T(test_s5_package_shorter_than_its_elements),
        T(test_s5_non_constant_or_false_matches),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
