/*
 * multiboot2.c - decoding the Multiboot2 boot information (MBI) into copies in struct boot_info.
 *
 * Design: the MBI is external input and is checked before anything is taken
 * from it.  A first walk checks only the structure: header, tag sizes,
 * every tag inside total_size (itself inside what the caller mapped), the
 * end tag.  If that fails, mb2_parse() returns -EINVAL with *bi zeroed.  A
 * second walk decodes each tag: a tag whose contents are bad (string not
 * terminated, module range reversed, memory map layout, short payload) is
 * reported, counted and skipped.  Fields are read with memcpy at offsets
 * that have been checked against the tag, so neither bounds nor alignment
 * depend on the boot loader.  Strings are copied with a truncation flag.
 *
 * Tags that appear once by nature (command line, loader name, meminfo,
 * memory map, load base) keep their first instance; later ones are counted
 * as bad.  For ACPI, a 2.0+ RSDP (tag 15) wins over a 1.0 one (tag 14).
 *
 * Locking: none; runs once, on the boot CPU.
 */
#include <parva/bootinfo.h>
#include <parva/lib.h>
#include <parva/printk.h>

#define MBI_HDR_SIZE        8   /* total_size, reserved */
#define TAG_HDR_SIZE        8   /* type, size */
#define TAG_ALIGN           8
#define MODULE_HDR_SIZE     16  /* type, size, mod_start, mod_end; then the string */
#define MMAP_HDR_SIZE       16  /* type, size, entry_size, entry_version; then the entries */
#define MMAP_ENTRY_MIN      24  /* base_addr u64, length u64, type u32, reserved u32 */
#define MEMINFO_SIZE        16  /* type, size, mem_lower, mem_upper */
#define LOAD_BASE_SIZE      12  /* type, size, load_base_addr */

/* One tag; size is checked: >= TAG_HDR_SIZE and inside the MBI. */
struct tag {
    const uint8_t *p;
    uint32_t type, size;
    uint32_t off;               /* offset in the MBI, for messages */
};

static inline uint32_t get32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint64_t get64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static inline const uint8_t *payload(const struct tag *t)
{
    return t->p + TAG_HDR_SIZE;
}

static inline uint32_t payload_len(const struct tag *t)
{
    return t->size - TAG_HDR_SIZE;
}

/*
 * Read the tag at *off into *t.  Returns 1 for a tag (and advances *off),
 * 0 for the end tag, -EINVAL (reported) if the list is broken there.
 */
static int next_tag(const uint8_t *mbi, uint32_t total, uint64_t *off, struct tag *t)
{
    uint64_t o = *off;

    if ( o > total || total - o < TAG_HDR_SIZE )
    {
        printk(XENLOG_ERR "multiboot2: no end tag within total_size %u\n", total);
        return -EINVAL;
    }
    t->p = mbi + o;
    t->off = (uint32_t)o;
    t->type = get32(t->p);
    t->size = get32(t->p + 4);

    if ( t->size < TAG_HDR_SIZE || t->size > total - o )
    {
        printk(XENLOG_ERR "multiboot2: tag type %u at offset %#x has size %u (%lu bytes left)\n",
               t->type, t->off, t->size, total - o);
        return -EINVAL;
    }
    if ( t->type == MB2_TAG_END )
    {
        if ( t->size != TAG_HDR_SIZE )
        {
            printk(XENLOG_ERR "multiboot2: end tag at offset %#x has size %u, not 8\n", t->off, t->size);
            return -EINVAL;
        }
        return 0;
    }
    *off = o + ROUNDUP((uint64_t)t->size, TAG_ALIGN);
    return 1;
}

static void bad_tag(struct boot_info *bi, const struct tag *t, const char *why)
{
    printk(XENLOG_WARNING "multiboot2: skipping tag type %u at offset %#x (size %u): %s\n",
           t->type, t->off, t->size, why);
    bi->bad_tags++;
}

/* Length of the string at s if a NUL ends it inside [s, s + avail); -1 if not. */
static long string_len(const uint8_t *s, uint32_t avail)
{
    uint32_t len = 0;

    while ( len < avail && s[len] != '\0' )
        len++;
    return len < avail ? (long)len : -1;
}

/* Copy a string of len bytes into buf[size], cut to fit; returns whether it was cut. */
static bool copy_string(const uint8_t *s, size_t len, char *buf, size_t size)
{
    bool truncated = len >= size;

    if ( truncated )
        len = size - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return truncated;
}

static void parse_string_tag(struct boot_info *bi, const struct tag *t, bool *has, char *buf,
                             size_t size, bool *truncated, const char *what)
{
    long len = string_len(payload(t), payload_len(t));

    if ( *has )
    {
        bad_tag(bi, t, "duplicate");
        return;
    }
    if ( len < 0 )
    {
        bad_tag(bi, t, "string not NUL-terminated inside the tag");
        return;
    }
    *truncated = copy_string(payload(t), len, buf, size);
    *has = true;
    if ( *truncated )
        printk(XENLOG_WARNING "multiboot2: %s truncated to %zu bytes\n", what, size - 1);
}

static void parse_module(struct boot_info *bi, const struct tag *t)
{
    struct boot_module *mod;
    uint32_t start, end;
    long len;

    if ( t->size < MODULE_HDR_SIZE )
    {
        bad_tag(bi, t, "module tag too small");
        return;
    }
    start = get32(t->p + 8);
    end = get32(t->p + 12);
    len = string_len(t->p + MODULE_HDR_SIZE, t->size - MODULE_HDR_SIZE);
    if ( start > end )
    {
        printk(XENLOG_WARNING "multiboot2: module [%#x, %#x) ends before it starts\n", start, end);
        bad_tag(bi, t, "bad module range");
        return;
    }
    if ( len < 0 )
    {
        bad_tag(bi, t, "module string not NUL-terminated inside the tag");
        return;
    }
    if ( bi->nr_modules == BOOTINFO_MAX_MODULES )
    {
        if ( !bi->modules_dropped++ )
            printk(XENLOG_WARNING "multiboot2: more than %u modules, ignoring the rest\n",
                   BOOTINFO_MAX_MODULES);
        return;
    }

    mod = &bi->modules[bi->nr_modules];
    mod->start = start;
    mod->end = end;
    mod->cmdline_truncated = copy_string(t->p + MODULE_HDR_SIZE, len, mod->cmdline, sizeof(mod->cmdline));
    if ( mod->cmdline_truncated )
        printk(XENLOG_WARNING "multiboot2: module %u command line truncated to %zu bytes\n",
               bi->nr_modules, sizeof(mod->cmdline) - 1);
    bi->nr_modules++;
}

static void parse_mmap(struct boot_info *bi, const struct tag *t)
{
    uint32_t entry_size, version, nr, i;
    const uint8_t *e;

    if ( bi->has_memmap )
    {
        bad_tag(bi, t, "duplicate");
        return;
    }
    if ( t->size < MMAP_HDR_SIZE )
    {
        bad_tag(bi, t, "memory map tag too small");
        return;
    }
    entry_size = get32(t->p + 8);
    version = get32(t->p + 12);
    if ( entry_size < MMAP_ENTRY_MIN || !IS_ALIGNED(entry_size, 8) )
    {
        printk(XENLOG_WARNING "multiboot2: memory map entry_size %u (need a multiple of 8, >= %u)\n",
               entry_size, MMAP_ENTRY_MIN);
        bad_tag(bi, t, "bad memory map entry size");
        return;
    }
    if ( version != 0 )
        printk(XENLOG_WARNING "multiboot2: memory map entry_version %u, reading it as version 0\n",
               version);

    nr = (t->size - MMAP_HDR_SIZE) / entry_size;
    if ( (t->size - MMAP_HDR_SIZE) % entry_size )
        printk(XENLOG_WARNING "multiboot2: memory map tag ends inside an entry; ignoring that entry\n");

    bi->has_memmap = true;
    for ( i = 0, e = t->p + MMAP_HDR_SIZE; i < nr; i++, e += entry_size )
    {
        struct memmap_entry *m;

        if ( bi->nr_memmap == BOOTINFO_MAX_MEMMAP )
        {
            bi->memmap_dropped += nr - i;
            printk(XENLOG_WARNING "multiboot2: more than %u memory map entries, ignoring %u\n",
                   BOOTINFO_MAX_MEMMAP, nr - i);
            break;
        }
        m = &bi->memmap[bi->nr_memmap++];
        m->addr = get64(e);
        m->size = get64(e + 8);
        m->type = get32(e + 16);
    }
}

static void parse_acpi(struct boot_info *bi, const struct tag *t, unsigned int len)
{
    if ( payload_len(t) < len )
    {
        bad_tag(bi, t, "RSDP copy too small");
        return;
    }
    if ( bi->rsdp_len == len )
    {
        bad_tag(bi, t, "duplicate");
        return;
    }
    if ( bi->rsdp_len > len )
        return;                         /* a 2.0+ RSDP is already there */
    memcpy(bi->rsdp, payload(t), len);
    bi->rsdp_len = len;
}

static void parse_tag(struct boot_info *bi, const struct tag *t)
{
    switch ( t->type )
    {
    case MB2_TAG_CMDLINE:
        parse_string_tag(bi, t, &bi->has_cmdline, bi->cmdline, sizeof(bi->cmdline),
                         &bi->cmdline_truncated, "command line");
        break;

    case MB2_TAG_LOADER_NAME:
        parse_string_tag(bi, t, &bi->has_loader_name, bi->loader_name, sizeof(bi->loader_name),
                         &bi->loader_name_truncated, "boot loader name");
        break;

    case MB2_TAG_MODULE:
        parse_module(bi, t);
        break;

    case MB2_TAG_BASIC_MEMINFO:
        if ( bi->has_meminfo )
            bad_tag(bi, t, "duplicate");
        else if ( t->size < MEMINFO_SIZE )
            bad_tag(bi, t, "basic meminfo tag too small");
        else
        {
            bi->mem_lower_kb = get32(t->p + 8);
            bi->mem_upper_kb = get32(t->p + 12);
            bi->has_meminfo = true;
        }
        break;

    case MB2_TAG_MMAP:
        parse_mmap(bi, t);
        break;

    case MB2_TAG_ACPI_OLD:
        parse_acpi(bi, t, BOOTINFO_RSDP_V1_SIZE);
        break;

    case MB2_TAG_ACPI_NEW:
        parse_acpi(bi, t, BOOTINFO_RSDP_V2_SIZE);
        break;

    case MB2_TAG_EFI32:
    case MB2_TAG_EFI64:
    case MB2_TAG_EFI_MMAP:
    case MB2_TAG_EFI_BS:
    case MB2_TAG_EFI32_IH:
    case MB2_TAG_EFI64_IH:
        bi->efi_tags |= 1U << t->type;
        break;

    case MB2_TAG_LOAD_BASE_ADDR:
        if ( bi->has_load_base )
            bad_tag(bi, t, "duplicate");
        else if ( t->size < LOAD_BASE_SIZE )
            bad_tag(bi, t, "load base tag too small");
        else
        {
            bi->load_base = get32(t->p + 8);
            bi->has_load_base = true;
        }
        break;

    default:                            /* not needed (bootdev, framebuffer, ...) or unknown */
        break;
    }
}

int mb2_parse(const void *mbi, paddr_t mbi_paddr, size_t mbi_max, struct boot_info *bi)
{
    const uint8_t *base = mbi;
    struct tag t;
    uint64_t off;
    uint32_t total;
    int rc;

    memset(bi, 0, sizeof(*bi));

    if ( !mbi || !IS_ALIGNED((uintptr_t)mbi, TAG_ALIGN) || !IS_ALIGNED(mbi_paddr, TAG_ALIGN) )
    {
        printk(XENLOG_ERR "multiboot2: information at %#lx is not 8-byte aligned\n", mbi_paddr);
        return -EINVAL;
    }
    if ( mbi_max < MBI_HDR_SIZE )
    {
        printk(XENLOG_ERR "multiboot2: only %zu bytes of the information are readable\n", mbi_max);
        return -EINVAL;
    }
    total = get32(base);
    if ( total < MBI_HDR_SIZE + TAG_HDR_SIZE || total > mbi_max || mbi_paddr + total < mbi_paddr )
    {
        printk(XENLOG_ERR "multiboot2: bad total_size %u (at least 16, at most the %zu bytes mapped)\n",
               total, mbi_max);
        return -EINVAL;
    }

    /* Structure first: nothing is taken from a broken list. */
    off = MBI_HDR_SIZE;
    while ( (rc = next_tag(base, total, &off, &t)) > 0 )
        continue;
    if ( rc < 0 )
        return rc;

    off = MBI_HDR_SIZE;
    while ( next_tag(base, total, &off, &t) > 0 )
        parse_tag(bi, &t);

    bi->mbi_start = mbi_paddr;
    bi->mbi_end = mbi_paddr + total;
    return 0;
}

/* The RSDP's OEM ID (6 bytes at offset 9), made printable. */
static void rsdp_oem_id(const struct boot_info *bi, char oem[7])
{
    unsigned int i;

    for ( i = 0; i < 6; i++ )
    {
        uint8_t c = bi->rsdp[9 + i];

        oem[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    oem[6] = '\0';
}

void mb2_print(const struct boot_info *bi)
{
    unsigned int i;

    printk(XENLOG_INFO "Multiboot2 information at [%016lx, %016lx)\n", bi->mbi_start, bi->mbi_end);
    if ( bi->has_loader_name )
        printk(XENLOG_INFO "Boot loader: %s%s\n", bi->loader_name,
               bi->loader_name_truncated ? " (truncated)" : "");
    printk(XENLOG_INFO "Command line: %s%s\n", bi->has_cmdline ? bi->cmdline : "(none)",
           bi->cmdline_truncated ? " (truncated)" : "");
    if ( bi->has_load_base )
        printk(XENLOG_INFO "Load base: %#lx\n", bi->load_base);
    if ( bi->has_meminfo )
        printk(XENLOG_INFO "Basic memory: %u KiB lower, %u KiB upper\n",
               bi->mem_lower_kb, bi->mem_upper_kb);

    if ( bi->has_memmap )
    {
        printk(XENLOG_INFO "Multiboot2 memory map (%u entries):\n", bi->nr_memmap);
        memmap_print(bi->memmap, bi->nr_memmap);
    }
    else
        printk(XENLOG_INFO "No Multiboot2 memory map\n");

    printk(XENLOG_INFO "Modules: %u\n", bi->nr_modules);
    for ( i = 0; i < bi->nr_modules; i++ )
    {
        const struct boot_module *m = &bi->modules[i];

        printk(XENLOG_INFO " module %u: [%016lx, %016lx) %lu KiB \"%s\"%s\n", i, m->start, m->end,
               (unsigned long)DIV_ROUND_UP(m->end - m->start, 1024), m->cmdline,
               m->cmdline_truncated ? " (truncated)" : "");
    }

    if ( bi->rsdp_len )
    {
        char oem[7];

        rsdp_oem_id(bi, oem);
        printk(XENLOG_INFO "ACPI RSDP (%s) from the boot loader, OEM \"%s\"\n",
               bi->rsdp_len == BOOTINFO_RSDP_V2_SIZE ? "2.0+" : "1.0", oem);
    }
    if ( bi->efi_tags )
        printk(XENLOG_INFO "EFI tags present: %#x\n", bi->efi_tags);

    if ( bi->bad_tags || bi->memmap_dropped || bi->modules_dropped )
        printk(XENLOG_WARNING "multiboot2: %u tags skipped, %u memory map entries and %u modules dropped\n",
               bi->bad_tags, bi->memmap_dropped, bi->modules_dropped);
}
