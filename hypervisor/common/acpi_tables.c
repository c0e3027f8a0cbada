/*
 * acpi_tables.c - ACPI table discovery: the root table, the list of good tables, and acpi_tables_init().
 *
 * Design: the root table is the XSDT when the RSDP is 2.0+ and the XSDT is
 * usable, else the RSDT.  Each entry is read on its own (a 4- or 8-byte
 * mapping) and the table it points to is mapped header first, its length
 * bounded and its checksum verified; a bad table is reported and ignored,
 * a good one is logged the way Xen does and recorded (signature, address,
 * length) for acpi_find_table().  acpi_tables_init() then hands the FADT,
 * DSDT/SSDTs, MADT and HPET to their parsers.  Because no mapping is used
 * after the next acpi_map() call, the arch code may back acpi_map() with a
 * single window.
 *
 * Locking: none.  acpi_tables_init() runs on the boot CPU before the other
 * CPUs start; the table list is read-only afterwards.
 */
#include <parva/acpi.h>
#include <parva/lib.h>
#include <parva/printk.h>

#define RSDP_OEM_ID         9
#define RSDP_REVISION       15
#define RSDP_RSDT           16
#define RSDP_LENGTH         20
#define RSDP_XSDT           24

struct acpi_table_ent {
    char sig[4];
    paddr_t pa;
    uint32_t len;
};

static struct acpi_table_ent tables[ACPI_MAX_TABLES];
static unsigned int nr_tables;

/* Copy n bytes of a firmware string, stopping at a NUL, with unprintable characters as '?'. */
static void printable(char *out, const uint8_t *in, size_t n)
{
    size_t i;

    for ( i = 0; i < n && in[i]; i++ )
        out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? (char)in[i] : '?';
    out[i] = '\0';
}

static bool is_aml_table(const uint8_t *sig)
{
    return !memcmp(sig, "DSDT", 4) || !memcmp(sig, "SSDT", 4);
}

const void *acpi_table_map(paddr_t pa, uint32_t *len)
{
    const uint8_t *t = acpi_map(pa, ACPI_HDR_LEN);
    uint32_t length, max;
    char sig[5];

    if ( !t )
    {
        printk(XENLOG_WARNING "ACPI: table at %08lX cannot be mapped, ignored\n", pa);
        return NULL;
    }
    printable(sig, t + ACPI_HDR_SIGNATURE, 4);
    length = acpi_rd32(t + ACPI_HDR_LENGTH);
    max = is_aml_table(t + ACPI_HDR_SIGNATURE) ? ACPI_AML_MAX_LEN : ACPI_TABLE_MAX_LEN;
    if ( length < ACPI_HDR_LEN || length > max || pa + length < pa )
    {
        printk(XENLOG_WARNING "ACPI: %s at %08lX has a bad length %#x, ignored\n", sig, pa, length);
        return NULL;
    }

    t = acpi_map(pa, length);
    if ( !t )
    {
        printk(XENLOG_WARNING "ACPI: %s at %08lX (%#x bytes) cannot be mapped, ignored\n",
               sig, pa, length);
        return NULL;
    }
    if ( acpi_rd32(t + ACPI_HDR_LENGTH) != length || acpi_checksum(t, length) )
    {
        printk(XENLOG_WARNING "ACPI: %s at %08lX has a bad checksum, ignored\n", sig, pa);
        return NULL;
    }
    *len = length;
    return t;
}

/* The boot log line for a good table, as Xen prints it. */
static void log_table(paddr_t pa, const uint8_t *t)
{
    char sig[5], oem[7], oem_table[9], creator[5];

    printable(sig, t + ACPI_HDR_SIGNATURE, 4);
    printable(oem, t + ACPI_HDR_OEM_ID, 6);
    printable(oem_table, t + ACPI_HDR_OEM_TABLE_ID, 8);
    printable(creator, t + ACPI_HDR_CREATOR_ID, 4);
    printk(XENLOG_INFO "ACPI: %4.4s %08lX, %04X (r%u %6.6s %8.8s %8X %4.4s %8X)\n",
           sig, pa, acpi_rd32(t + ACPI_HDR_LENGTH), (unsigned int)t[ACPI_HDR_REVISION],
           oem, oem_table, acpi_rd32(t + ACPI_HDR_OEM_REVISION), creator,
           acpi_rd32(t + ACPI_HDR_CREATOR_REV));
}

static void record_table(const uint8_t *t, paddr_t pa, uint32_t len)
{
    char sig[5];

    if ( nr_tables == ACPI_MAX_TABLES )
    {
        printable(sig, t + ACPI_HDR_SIGNATURE, 4);
        printk(XENLOG_WARNING "ACPI: more than %u tables, %s at %08lX not recorded\n",
               ACPI_MAX_TABLES, sig, pa);
        return;
    }
    memcpy(tables[nr_tables].sig, t + ACPI_HDR_SIGNATURE, 4);
    tables[nr_tables].pa = pa;
    tables[nr_tables].len = len;
    nr_tables++;
}

int acpi_find_table(const char *sig, unsigned int index, paddr_t *pa, uint32_t *len)
{
    unsigned int i;

    for ( i = 0; i < nr_tables; i++ )
    {
        if ( memcmp(tables[i].sig, sig, 4) )
            continue;
        if ( index-- )
            continue;
        *pa = tables[i].pa;
        *len = tables[i].len;
        return 0;
    }
    return -ENOENT;
}

/* Map, check and log the root table at pa, which must have signature sig. */
static bool root_usable(paddr_t pa, const char *sig, uint32_t *len)
{
    const uint8_t *t = acpi_table_map(pa, len);

    if ( !t )
        return false;
    if ( memcmp(t + ACPI_HDR_SIGNATURE, sig, 4) )
    {
        printk(XENLOG_WARNING "ACPI: %s at %08lX has the wrong signature\n", sig, pa);
        return false;
    }
    log_table(pa, t);
    return true;
}

/* Check and record every table the root table lists. */
static void walk_root(paddr_t root_pa, uint32_t root_len, unsigned int esize, const char *name)
{
    uint32_t body = root_len - ACPI_HDR_LEN;
    unsigned int i, n = body / esize;

    if ( body % esize )
        printk(XENLOG_WARNING "ACPI: %s length %#x is not a whole number of entries\n", name, root_len);
    if ( n > ACPI_MAX_ROOT_ENTRIES )
    {
        printk(XENLOG_WARNING "ACPI: %s has %u entries, only the first %u are used\n",
               name, n, ACPI_MAX_ROOT_ENTRIES);
        n = ACPI_MAX_ROOT_ENTRIES;
    }

    for ( i = 0; i < n; i++ )
    {
        const uint8_t *e = acpi_map(root_pa + ACPI_HDR_LEN + (paddr_t)i * esize, esize);
        const uint8_t *t;
        paddr_t pa;
        uint32_t len;

        if ( !e )
        {
            printk(XENLOG_WARNING "ACPI: %s entry %u cannot be mapped\n", name, i);
            break;
        }
        pa = esize == 8 ? acpi_rd64(e) : acpi_rd32(e);
        if ( !pa )
        {
            printk(XENLOG_WARNING "ACPI: %s entry %u is null, ignored\n", name, i);
            continue;
        }
        t = acpi_table_map(pa, &len);
        if ( !t )
            continue;
        log_table(pa, t);
        record_table(t, pa, len);
    }
}

/* Look for \_S5_ in the mapped AML table t (the DSDT or an SSDT) of len bytes at pa. */
static void find_s5(const uint8_t *t, uint32_t len, paddr_t pa, struct acpi_s5_info *s5)
{
    if ( acpi_aml_find_s5(t + ACPI_HDR_LEN, len - ACPI_HDR_LEN, &s5->slp_typa, &s5->slp_typb) )
        return;
    s5->found = true;
    memcpy(s5->table, t + ACPI_HDR_SIGNATURE, 4);
    s5->table[4] = '\0';
    printk(XENLOG_INFO "ACPI: \\_S5_ in %s at %08lX: SLP_TYPa %#x SLP_TYPb %#x\n",
           s5->table, pa, s5->slp_typa, s5->slp_typb);
}

/* The FADT, then the DSDT it points to, then \_S5_ in the DSDT or an SSDT. */
static void parse_fadt_dsdt(struct acpi_info *ai)
{
    const uint8_t *t;
    paddr_t pa;
    uint32_t len;
    unsigned int i;

    if ( acpi_find_table("FACP", 0, &pa, &len) )
    {
        printk(XENLOG_WARNING "ACPI: no FADT\n");
        return;
    }
    t = acpi_table_map(pa, &len);
    if ( !t || acpi_fadt_parse(t, len, &ai->fadt) )
        return;

    if ( ai->fadt.dsdt )
    {
        t = acpi_table_map(ai->fadt.dsdt, &len);
        if ( t && memcmp(t + ACPI_HDR_SIGNATURE, "DSDT", 4) )
            printk(XENLOG_WARNING "ACPI: DSDT at %08lX has the wrong signature, ignored\n", ai->fadt.dsdt);
        else if ( t )
        {
            log_table(ai->fadt.dsdt, t);
            record_table(t, ai->fadt.dsdt, len);
            find_s5(t, len, ai->fadt.dsdt, &ai->s5);
        }
    }
    else
        printk(XENLOG_WARNING "ACPI: the FADT has no DSDT\n");

    for ( i = 0; !ai->s5.found && !acpi_find_table("SSDT", i, &pa, &len); i++ )
    {
        t = acpi_table_map(pa, &len);
        if ( t )
            find_s5(t, len, pa, &ai->s5);
    }
    if ( !ai->s5.found )
        printk(XENLOG_WARNING "ACPI: no \\_S5_ package found: no ACPI power-off\n");
}

static void parse_madt(struct acpi_info *ai)
{
    const uint8_t *t;
    paddr_t pa;
    uint32_t len;

    if ( acpi_find_table("APIC", 0, &pa, &len) )
    {
        printk(XENLOG_WARNING "ACPI: no MADT\n");
        return;
    }
    t = acpi_table_map(pa, &len);
    if ( t )
        acpi_madt_parse(t, len, &ai->madt);
}

static void parse_hpet(struct acpi_info *ai)
{
    const uint8_t *t;
    paddr_t pa;
    uint32_t len;

    if ( acpi_find_table("HPET", 0, &pa, &len) )
        return;
    t = acpi_table_map(pa, &len);
    if ( t )
        acpi_hpet_parse(t, len, &ai->hpet);
}

/*
 * The RSDP at pa (found by the legacy scan): 20 bytes, or for revision 2+
 * its length field's worth when that is sane.  Sets *len to what is mapped.
 */
static const uint8_t *map_rsdp(paddr_t pa, size_t *len)
{
    const uint8_t *p = acpi_map(pa, ACPI_RSDP_V1_LEN);
    uint32_t length;

    *len = ACPI_RSDP_V1_LEN;
    if ( !p || p[RSDP_REVISION] < 2 )
        return p;
    p = acpi_map(pa, ACPI_RSDP_V2_LEN);
    if ( !p )
        return acpi_map(pa, ACPI_RSDP_V1_LEN);
    length = acpi_rd32(p + RSDP_LENGTH);
    if ( length <= ACPI_RSDP_V2_LEN || length > ACPI_RSDP_MAX_LEN )
    {
        *len = ACPI_RSDP_V2_LEN;
        return p;
    }
    *len = length;
    return acpi_map(pa, length);
}

int acpi_tables_init(const void *rsdp_copy, size_t rsdp_len, struct acpi_info *ai)
{
    const uint8_t *rsdp = rsdp_copy;
    paddr_t rsdp_pa = 0, root_pa = 0, xsdt_pa = 0, rsdt_pa;
    uint32_t root_len = 0, length;
    bool v2;

    memset(ai, 0, sizeof(*ai));
    nr_tables = 0;

    if ( !rsdp )
    {
        rsdp_pa = acpi_find_rsdp_legacy();
        if ( !rsdp_pa )
        {
            printk(XENLOG_WARNING "ACPI: no RSDP found\n");
            return -ENOENT;
        }
        rsdp = map_rsdp(rsdp_pa, &rsdp_len);
    }
    if ( acpi_rsdp_check(rsdp, rsdp_len) )
    {
        printk(XENLOG_WARNING "ACPI: bad RSDP (signature, checksum or length)\n");
        return -EINVAL;
    }

    /* Copy out what is needed before the next acpi_map(). */
    v2 = rsdp[RSDP_REVISION] >= 2 && rsdp_len >= ACPI_RSDP_V2_LEN;
    ai->rsdp_revision = rsdp[RSDP_REVISION];
    ai->rsdp_pa = rsdp_pa;
    printable(ai->oem_id, rsdp + RSDP_OEM_ID, 6);
    rsdt_pa = acpi_rd32(rsdp + RSDP_RSDT);
    length = v2 ? acpi_rd32(rsdp + RSDP_LENGTH) : ACPI_RSDP_V1_LEN;
    if ( v2 )
        xsdt_pa = acpi_rd64(rsdp + RSDP_XSDT);

    if ( rsdp_pa )
        printk(XENLOG_INFO "ACPI: RSDP %08lX, %04X (r%u %6.6s)\n",
               rsdp_pa, length, (unsigned int)ai->rsdp_revision, ai->oem_id);
    else
        printk(XENLOG_INFO "ACPI: RSDP (boot loader copy), %04X (r%u %6.6s)\n",
               length, (unsigned int)ai->rsdp_revision, ai->oem_id);

    if ( xsdt_pa )
    {
        if ( root_usable(xsdt_pa, "XSDT", &root_len) )
        {
            root_pa = xsdt_pa;
            ai->xsdt = true;
        }
        else
            printk(XENLOG_WARNING "ACPI: XSDT at %08lX unusable, trying the RSDT\n", xsdt_pa);
    }
    if ( !root_pa && rsdt_pa && root_usable(rsdt_pa, "RSDT", &root_len) )
        root_pa = rsdt_pa;
    if ( !root_pa )
    {
        printk(XENLOG_WARNING "ACPI: no usable RSDT or XSDT\n");
        return -EINVAL;
    }
    ai->root_pa = root_pa;

    walk_root(root_pa, root_len, ai->xsdt ? 8 : 4, ai->xsdt ? "XSDT" : "RSDT");

    parse_fadt_dsdt(ai);
    parse_madt(ai);
    parse_hpet(ai);
    ai->nr_tables = nr_tables;
    return 0;
}
