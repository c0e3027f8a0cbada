/*
 * acpi.h - ACPI table discovery and the boot facts the hypervisor takes from the firmware's tables.
 *
 * Design: acpi_tables_init() finds the RSDP (the boot loader's copy, or the
 * legacy BIOS scan), picks the XSDT or the RSDT, checks every table it lists
 * (length bounds and checksum; a bad table is logged and ignored) and
 * records the good ones.  It then decodes what the hypervisor needs at boot
 * into a struct acpi_info: CPUs, IO-APICs and interrupt overrides (MADT),
 * the power-off/reset registers (FADT), the \_S5 sleep type values (a byte
 * scan of the DSDT/SSDT AML, no interpreter) and the HPET.  Everything kept
 * is copied; nothing in struct acpi_info points into firmware memory.
 *
 * Physical memory is reached only through acpi_map(), which the arch code
 * provides (and each unit test fakes).  A table is always mapped header
 * first (its length is checked before the whole table is mapped), and no
 * byte past a mapped length is read.  A pointer returned by acpi_map() is
 * used only until the next acpi_map() call, so the arch code may reuse a
 * single mapping window.
 *
 * The table parsers (acpi_madt_parse() etc.) take an already mapped table
 * and its checked length; they are exported so that they can be used and
 * tested on their own.
 *
 * Locking: none.  acpi_tables_init() runs once on the boot CPU before any
 * other CPU is up; afterwards the recorded table list is read-only.
 */
#ifndef PARVA_ACPI_H
#define PARVA_ACPI_H

#include <parva/compiler.h>
#include <parva/types.h>

/*
 * Arch hook: make [paddr, paddr + len) readable and return a pointer to it,
 * or NULL when it cannot be mapped.  The pointer is only used until the
 * next acpi_map() call.
 */
const void *acpi_map(uint64_t paddr, size_t len);

/* Sizes and limits. */
#define ACPI_HDR_LEN            36          /* common table header */
#define ACPI_RSDP_V1_LEN        20          /* ACPI 1.0 RSDP (checksummed part) */
#define ACPI_RSDP_V2_LEN        36          /* ACPI 2.0+ RSDP */
#define ACPI_RSDP_MAX_LEN       1024        /* sanity bound for the RSDP's length field */
#define ACPI_TABLE_MAX_LEN      (1U << 20)  /* sanity bound for a table's length */
#define ACPI_AML_MAX_LEN        (16U << 20) /* ... for a DSDT or SSDT */
#define ACPI_MAX_TABLES         64          /* good tables recorded from the RSDT/XSDT (+ the DSDT) */
#define ACPI_MAX_ROOT_ENTRIES   256         /* RSDT/XSDT entries looked at */

#define ACPI_MAX_CPUS           256
#define ACPI_MAX_IOAPICS        8
#define ACPI_MAX_ISOS           16
#define ACPI_MAX_LAPIC_NMIS     16
#define ACPI_MAX_NMI_SRCS       4

/* Little-endian readers for table fields at any alignment (the caller has checked the bounds). */
static inline uint16_t acpi_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t acpi_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t acpi_rd64(const uint8_t *p)
{
    return (uint64_t)acpi_rd32(p) | ((uint64_t)acpi_rd32(p + 4) << 32);
}

/* Common table header: field offsets. */
#define ACPI_HDR_SIGNATURE      0           /* 4 characters */
#define ACPI_HDR_LENGTH         4           /* u32, the whole table */
#define ACPI_HDR_REVISION       8
#define ACPI_HDR_CHECKSUM       9
#define ACPI_HDR_OEM_ID         10          /* 6 characters */
#define ACPI_HDR_OEM_TABLE_ID   16          /* 8 characters */
#define ACPI_HDR_OEM_REVISION   24          /* u32 */
#define ACPI_HDR_CREATOR_ID     28          /* 4 characters */
#define ACPI_HDR_CREATOR_REV    32          /* u32 */

/* Generic Address Structure (12 bytes in a table). */
#define ACPI_GAS_LEN            12
#define ACPI_GAS_MEMORY         0
#define ACPI_GAS_IO             1
#define ACPI_GAS_PCI_CONFIG     2
#define ACPI_GAS_EC             3
#define ACPI_GAS_SMBUS          4
#define ACPI_GAS_FFH            0x7f

struct acpi_gas {
    uint8_t space_id;           /* ACPI_GAS_* */
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;        /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
    uint64_t address;           /* 0: not present */
};

/* Decode the 12 GAS bytes at p. */
void acpi_gas_decode(struct acpi_gas *g, const uint8_t *p);
/* Describe g as e.g. "io 0x604/16", "mem 0xfed00000/64" or "none"; returns buf. */
const char *acpi_gas_describe(const struct acpi_gas *g, char *buf, size_t size);

/* MADT interrupt flags (ISO, NMI entries): MPS INTI polarity and trigger mode. */
#define ACPI_MPS_POLARITY(f)    ((f) & 3)
#define ACPI_MPS_TRIGGER(f)     (((f) >> 2) & 3)
#define ACPI_MPS_CONFORMS       0           /* conforms to the bus (either field) */
#define ACPI_MPS_ACTIVE_HIGH    1
#define ACPI_MPS_ACTIVE_LOW     3
#define ACPI_MPS_EDGE           1
#define ACPI_MPS_LEVEL          3

#define ACPI_UID_ALL            0xffffffffU /* NMI entry for every processor */

struct acpi_cpu {
    uint32_t apic_id;           /* local APIC or x2APIC ID */
    uint32_t acpi_uid;          /* ACPI processor UID */
    bool enabled;               /* usable now */
    bool online_capable;        /* not enabled, but may be brought online (MADT rev >= 5) */
    bool x2apic;                /* from a Processor Local x2APIC entry */
};

struct acpi_ioapic {
    uint8_t id;
    uint32_t address;
    uint32_t gsi_base;
};

struct acpi_iso {               /* Interrupt Source Override */
    uint8_t bus;                /* 0: ISA */
    uint8_t source;             /* bus-relative IRQ */
    uint32_t gsi;
    uint16_t flags;             /* ACPI_MPS_POLARITY/TRIGGER */
};

struct acpi_lapic_nmi {
    uint32_t acpi_uid;          /* ACPI_UID_ALL: every processor */
    uint16_t flags;
    uint8_t lint;               /* LINT0 or LINT1 */
};

struct acpi_nmi_src {
    uint32_t gsi;
    uint16_t flags;
};

struct acpi_madt_info {
    bool valid;                 /* a MADT with a good checksum was parsed */
    bool pcat_compat;           /* dual 8259s present (must be masked) */
    bool truncated;             /* a malformed entry ended the entry list early */
    uint64_t lapic_addr;        /* type 5 override applied */
    unsigned int nr_cpus;       /* entries enabled or online-capable, duplicates skipped */
    unsigned int nr_cpus_disabled;  /* entries neither enabled nor online-capable (not stored) */
    unsigned int nr_cpus_dropped;   /* usable entries past ACPI_MAX_CPUS (not stored) */
    struct acpi_cpu cpus[ACPI_MAX_CPUS];
    unsigned int nr_ioapics;
    struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
    unsigned int nr_isos;
    struct acpi_iso isos[ACPI_MAX_ISOS];
    unsigned int nr_lapic_nmis;     /* types 4 and 0xA */
    struct acpi_lapic_nmi lapic_nmis[ACPI_MAX_LAPIC_NMIS];
    unsigned int nr_nmi_srcs;
    struct acpi_nmi_src nmi_srcs[ACPI_MAX_NMI_SRCS];
};

/* MADT entry types and flags. */
#define ACPI_MADT_LAPIC             0
#define ACPI_MADT_IOAPIC            1
#define ACPI_MADT_ISO               2
#define ACPI_MADT_NMI_SRC           3
#define ACPI_MADT_LAPIC_NMI         4
#define ACPI_MADT_LAPIC_ADDR        5
#define ACPI_MADT_X2APIC            9
#define ACPI_MADT_X2APIC_NMI        0xa
#define ACPI_MADT_PCAT_COMPAT       (1U << 0)   /* MADT flags */
#define ACPI_MADT_ENABLED           (1U << 0)   /* local (x2)APIC flags */
#define ACPI_MADT_ONLINE_CAPABLE    (1U << 1)

/* FADT flags. */
#define ACPI_FADT_WBINVD            (1U << 0)
#define ACPI_FADT_TMR_VAL_EXT       (1U << 8)   /* 32-bit PM timer */
#define ACPI_FADT_RESET_REG_SUP     (1U << 10)
#define ACPI_FADT_HW_REDUCED        (1U << 20)
#define ACPI_FADT_LOW_POWER_S0      (1U << 21)

/* FADT IAPC_BOOT_ARCH flags. */
#define ACPI_IAPC_LEGACY_DEVICES    (1U << 0)
#define ACPI_IAPC_8042              (1U << 1)
#define ACPI_IAPC_NO_VGA            (1U << 2)
#define ACPI_IAPC_NO_MSI            (1U << 3)
#define ACPI_IAPC_NO_ASPM           (1U << 4)
#define ACPI_IAPC_NO_CMOS_RTC       (1U << 5)

/* PM1 control register bits, and the HW-reduced sleep control register's. */
#define ACPI_PM1_SCI_EN             (1U << 0)
#define ACPI_PM1_SLP_TYP_SHIFT      10
#define ACPI_PM1_SLP_TYP_MASK       (7U << ACPI_PM1_SLP_TYP_SHIFT)
#define ACPI_PM1_SLP_EN             (1U << 13)
#define ACPI_SLEEP_CTL_SLP_TYP_SHIFT 2
#define ACPI_SLEEP_CTL_SLP_TYP_MASK (7U << ACPI_SLEEP_CTL_SLP_TYP_SHIFT)
#define ACPI_SLEEP_CTL_SLP_EN       (1U << 5)

struct acpi_fadt_info {
    bool valid;                 /* a FADT with a good checksum was parsed */
    uint8_t revision;
    uint32_t length;
    uint32_t flags;             /* ACPI_FADT_* */
    uint16_t sci_int;
    uint32_t smi_cmd;           /* 0: no SMI command port (already in ACPI mode) */
    uint8_t acpi_enable;        /* written to smi_cmd to switch to ACPI mode */
    uint8_t acpi_disable;
    bool iapc_boot_arch_valid;  /* FADT revision >= 2 (the field was reserved before) */
    uint16_t iapc_boot_arch;    /* ACPI_IAPC_* */
    /*
     * Register blocks: the 64-bit X_ GAS when the FADT has it and it is
     * nonzero, else the 32-bit port as an I/O GAS (bit width from the
     * *_LEN field); address 0 when absent.
     */
    struct acpi_gas pm1a_evt, pm1b_evt;
    struct acpi_gas pm1a_cnt, pm1b_cnt;
    struct acpi_gas pm_tmr;
    bool has_reset_reg;         /* the FADT is long enough to hold RESET_REG and RESET_VALUE */
    bool reset_reg_sup;         /* ... and ACPI_FADT_RESET_REG_SUP is set */
    struct acpi_gas reset_reg;
    uint8_t reset_value;
    struct acpi_gas sleep_control;  /* ACPI 5+ (HW-reduced platforms); address 0 when absent */
    struct acpi_gas sleep_status;
    uint64_t facs;              /* X_FIRMWARE_CTRL preferred */
    uint64_t dsdt;              /* X_DSDT preferred */
};

struct acpi_s5_info {
    bool found;
    uint8_t slp_typa;           /* for PM1a_CNT.SLP_TYP (or SLEEP_CONTROL_REG) */
    uint8_t slp_typb;           /* for PM1b_CNT.SLP_TYP */
    char table[5];              /* "DSDT" or "SSDT" */
};

struct acpi_hpet_info {
    bool valid;
    uint32_t id;                /* event timer block ID */
    uint64_t address;           /* MMIO base */
    uint8_t number;
    uint16_t min_tick;
    uint8_t page_prot;
};

struct acpi_info {
    uint8_t rsdp_revision;
    char oem_id[7];             /* the RSDP's, made printable */
    paddr_t rsdp_pa;            /* 0 when the RSDP came from a copy */
    bool xsdt;                  /* the root table is the XSDT (else the RSDT) */
    paddr_t root_pa;
    unsigned int nr_tables;     /* good tables recorded */
    struct acpi_madt_info madt;
    struct acpi_fadt_info fadt;
    struct acpi_s5_info s5;
    struct acpi_hpet_info hpet;
};

/* Sum of len bytes modulo 256: 0 for a correctly checksummed block. */
uint8_t acpi_checksum(const void *p, size_t len);

/*
 * Check an RSDP of len readable bytes: signature, checksum of the first 20
 * bytes and, for revision >= 2 with len >= 36, a sane length field (36 to
 * len) and the extended checksum.  A revision >= 2 RSDP with len < 36 (a
 * 1.0-sized copy) is accepted and used as a 1.0 one.  0 or -EINVAL.
 */
int acpi_rsdp_check(const void *rsdp, size_t len);

/* The legacy BIOS search: the EBDA's first KiB, then 0xE0000-0xFFFFF.  0 if not found. */
paddr_t acpi_find_rsdp_legacy(void);

/*
 * Map the table at pa (header first), check its length (at least the header,
 * at most ACPI_TABLE_MAX_LEN, or ACPI_AML_MAX_LEN for a DSDT/SSDT) and its
 * checksum; on success return it (valid until the next acpi_map()) and its
 * length in *len.  NULL, with a warning, otherwise.
 */
const void *acpi_table_map(paddr_t pa, uint32_t *len);

/*
 * Discover the tables and fill *ai.  rsdp_copy/rsdp_len: the boot loader's
 * RSDP copy, or NULL to search for it (acpi_find_rsdp_legacy()).  0 on
 * success (the root table was found; each acpi_info section has its own
 * valid/found flag), -ENOENT when there is no RSDP, -EINVAL when the RSDP or
 * both root tables are bad.  May be called again (e.g. with NULL after a bad
 * copy); every call starts from scratch.
 */
int acpi_tables_init(const void *rsdp_copy, size_t rsdp_len, struct acpi_info *ai);

/*
 * The index-th good table (0-based) with signature sig (4 characters; the
 * DSDT is included) recorded by the last acpi_tables_init().  0 and its
 * address and length, or -ENOENT.
 */
int acpi_find_table(const char *sig, unsigned int index, paddr_t *pa, uint32_t *len);

/* Parsers of mapped tables of len checked bytes (header included).  0, or -EINVAL if too short. */
int acpi_madt_parse(const void *madt, size_t len, struct acpi_madt_info *mi);
/*
 * An ISA IRQ's GSI, trigger mode and polarity with the MADT's interrupt source overrides
 * applied: identity, edge-triggered, active high unless an override for bus 0 says otherwise
 * ("conforms" means the ISA default).
 */
unsigned int acpi_isa_irq_to_gsi(const struct acpi_madt_info *mi, unsigned int isa_irq, bool *level,
                                 bool *active_low);
int acpi_fadt_parse(const void *fadt, size_t len, struct acpi_fadt_info *fi);
int acpi_hpet_parse(const void *hpet, size_t len, struct acpi_hpet_info *hi);

/*
 * Find Name(_S5_, Package() { a, b, ... }) in len bytes of AML (a table body,
 * without its header): a bounds-checked byte scan, no interpreter.  The
 * values are the low bytes of the first two integers (a one-element package
 * packs a and b in its bits 0-7 and 8-15).  0, or -ENOENT.
 */
int acpi_aml_find_s5(const void *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

#endif /* PARVA_ACPI_H */
