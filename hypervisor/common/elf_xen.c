/*
 * elf_xen.c - the Xen ELF notes of a PV kernel: reading them, deciding whether the kernel can be
 * loaded, and computing where it goes in the guest's virtual address space.
 *
 * Design: xen_notes_parse() copies every known note into struct xen_elf_notes (strings truncated to
 * fixed buffers, numbers decoded as Xen's elf_note_numeric) and records which were present, so the
 * checks and the layout work on plain values.  The rules are Xen 4.17's libelf-dominfo.c
 * (elf_xen_parse, elf_xen_parse_note, elf_xen_parse_features, elf_xen_note_check,
 * elf_xen_addr_calc_check) and the PV dom0 builder's checks (pv/dom0_build.c); the few places where
 * Parva is stricter are listed in parva/elf.h.  Only 64-bit kernels reach this code, so the
 * 32-bit-only notes (PAE_MODE, HV_START_LOW) are recorded but not checked; as in Xen, the dom0
 * builder uses PAE_MODE only for the "p" suffix of start_info's magic.
 *
 * Locking: none; the functions work on caller-owned data.
 */
#include <parva/elf.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/public.h>

BUILD_BUG_ON(XENFEAT_NR_SUBMAPS != 1);
BUILD_BUG_ON(XEN_ELFNOTE_MAX >= 32);

#define XEN_PAGE_SIZE       4096UL
#define KERNEL_WINDOW       GB(1)       /* Linux keeps only the 1 GiB from VIRT_BASE */

/* The names of the XENFEAT_* bits, as written in a FEATURES note. */
static const char *const feature_names[] = {
    [XENFEAT_writable_page_tables]       = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap]    = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel]     = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb]        = "pae_pgdir_above_4gb",
    [XENFEAT_mmu_pt_update_preserve_ad]  = "mmu_pt_update_preserve_ad",
    [XENFEAT_highmem_assist]             = "highmem_assist",
    [XENFEAT_gnttab_map_avail_bits]      = "gnttab_map_avail_bits",
    [XENFEAT_hvm_callback_vector]        = "hvm_callback_vector",
    [XENFEAT_hvm_safe_pvclock]           = "hvm_safe_pvclock",
    [XENFEAT_hvm_pirqs]                  = "hvm_pirqs",
    [XENFEAT_dom0]                       = "dom0",
    [XENFEAT_memory_op_vnode_supported]  = "memory_op_vnode_supported",
    [XENFEAT_ARM_SMCCC_supported]        = "ARM_SMCCC_supported",
    [XENFEAT_linux_rsdp_unrestricted]    = "linux_rsdp_unrestricted",
    [XENFEAT_not_direct_mapped]          = "not_direct_mapped",
    [XENFEAT_direct_mapped]              = "direct_mapped",
};
BUILD_BUG_ON(ARRAY_SIZE(feature_names) > 32);

const char *xen_feature_name(unsigned int nr)
{
    return nr < ARRAY_SIZE(feature_names) ? feature_names[nr] : NULL;
}

/* The bit of the feature named by the len bytes at s, or -1. */
static int feature_lookup(const char *s, size_t len)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(feature_names); i++ )
        if ( feature_names[i] && strlen(feature_names[i]) == len && !memcmp(feature_names[i], s, len) )
            return i;
    return -1;
}

/*
 * Xen's FEATURES syntax: names separated by '|'; "!name" means required (and so also supported).
 * As Xen: an unknown plain name is ignored, an unknown required name is an error.
 */
static int parse_features(const char *s, uint32_t *supported, uint32_t *required)
{
    while ( *s )
    {
        size_t len = 0;
        bool req = (*s == '!');
        const char *name = s + req;
        int bit;

        while ( name[len] && name[len] != '|' )
            len++;
        bit = feature_lookup(name, len);
        if ( bit >= 0 )
        {
            supported[0] |= 1U << bit;
            if ( req )
                required[0] |= 1U << bit;
        }
        else if ( req )
        {
            printk(XENLOG_ERR "ELF: note FEATURES requires unknown feature '%.*s'\n",
                   (int)min(len, (size_t)64), name);
            return -EINVAL;
        }
        s = name + len;
        if ( *s == '|' )
            s++;
    }
    return 0;
}

/* Xen's elf_note_numeric: a 1, 2, 4 or 8-byte little-endian value; any other size reads as 0. */
static uint64_t note_numeric(const struct elf_note *note)
{
    uint64_t v = 0;

    switch ( note->descsz )
    {
    case 1: case 2: case 4: case 8:
        memcpy(&v, note->desc, note->descsz);   /* x86 is little-endian */
        break;
    }
    return v;
}

/* Element idx of an array of 4-byte values (Xen's elf_note_numeric_array); 0 if absent or ragged. */
static uint32_t note_u32(const struct elf_note *note, unsigned int idx)
{
    uint32_t v;

    if ( note->descsz % 4 || idx >= note->descsz / 4 )
        return 0;
    memcpy(&v, note->desc + idx * 4, 4);
    return v;
}

static const char *const note_names[] = {
    [XEN_ELFNOTE_ENTRY]              = "ENTRY",
    [XEN_ELFNOTE_HYPERCALL_PAGE]     = "HYPERCALL_PAGE",
    [XEN_ELFNOTE_VIRT_BASE]          = "VIRT_BASE",
    [XEN_ELFNOTE_PADDR_OFFSET]       = "PADDR_OFFSET",
    [XEN_ELFNOTE_XEN_VERSION]        = "XEN_VERSION",
    [XEN_ELFNOTE_GUEST_OS]           = "GUEST_OS",
    [XEN_ELFNOTE_GUEST_VERSION]      = "GUEST_VERSION",
    [XEN_ELFNOTE_LOADER]             = "LOADER",
    [XEN_ELFNOTE_PAE_MODE]           = "PAE_MODE",
    [XEN_ELFNOTE_FEATURES]           = "FEATURES",
    [XEN_ELFNOTE_BSD_SYMTAB]         = "BSD_SYMTAB",
    [XEN_ELFNOTE_HV_START_LOW]       = "HV_START_LOW",
    [XEN_ELFNOTE_L1_MFN_VALID]       = "L1_MFN_VALID",
    [XEN_ELFNOTE_SUSPEND_CANCEL]     = "SUSPEND_CANCEL",
    [XEN_ELFNOTE_INIT_P2M]           = "INIT_P2M",
    [XEN_ELFNOTE_MOD_START_PFN]      = "MOD_START_PFN",
    [XEN_ELFNOTE_SUPPORTED_FEATURES] = "SUPPORTED_FEATURES",
    [XEN_ELFNOTE_PHYS32_ENTRY]       = "PHYS32_ENTRY",
};

/* The buffer a string note is copied to, or NULL for a numeric (or unknown) note. */
static char *string_field(struct xen_elf_notes *n, uint32_t type, size_t *size)
{
    *size = XEN_NOTE_STR_MAX;
    switch ( type )
    {
    case XEN_ELFNOTE_GUEST_OS:      return n->guest_os;
    case XEN_ELFNOTE_GUEST_VERSION: return n->guest_version;
    case XEN_ELFNOTE_XEN_VERSION:   return n->xen_version;
    case XEN_ELFNOTE_LOADER:        return n->loader;
    case XEN_ELFNOTE_PAE_MODE:      return n->pae_mode;
    case XEN_ELFNOTE_BSD_SYMTAB:    return n->bsd_symtab;
    case XEN_ELFNOTE_FEATURES:
        *size = XEN_NOTE_FEATURES_MAX;
        return n->features;
    }
    return NULL;
}

static uint64_t *numeric_field(struct xen_elf_notes *n, uint32_t type)
{
    switch ( type )
    {
    case XEN_ELFNOTE_ENTRY:          return &n->entry;
    case XEN_ELFNOTE_HYPERCALL_PAGE: return &n->hypercall_page;
    case XEN_ELFNOTE_VIRT_BASE:      return &n->virt_base;
    case XEN_ELFNOTE_PADDR_OFFSET:   return &n->paddr_offset;
    case XEN_ELFNOTE_HV_START_LOW:   return &n->hv_start_low;
    case XEN_ELFNOTE_INIT_P2M:       return &n->init_p2m;
    case XEN_ELFNOTE_MOD_START_PFN:  return &n->mod_start_pfn;
    case XEN_ELFNOTE_SUSPEND_CANCEL: return &n->suspend_cancel;
    case XEN_ELFNOTE_PHYS32_ENTRY:   return &n->phys32_entry;
    }
    return NULL;
}

static int take_note(struct xen_elf_notes *n, const struct elf_note *note)
{
    uint32_t type = note->type;
    uint64_t *num;
    size_t size, copy;
    char *str;

    if ( type >= ARRAY_SIZE(note_names) || !note_names[type] )
        return 0;                               /* unknown type: ignored, as Xen */

    str = string_field(n, type, &size);
    if ( str )
    {
        const char *s = (const char *)note->desc;
        size_t slen = strnlen(s, note->desc_room);

        /* The NUL may be in the padding: Linux emits FEATURES with .ascii. */
        if ( slen == note->desc_room )
        {
            printk(XENLOG_ERR "ELF: note %s is not a NUL-terminated string\n", note_names[type]);
            return -EINVAL;
        }
        copy = min(slen, size - 1);
        memcpy(str, s, copy);
        str[copy] = '\0';
        if ( type == XEN_ELFNOTE_FEATURES && parse_features(s, n->supported, n->required) )
            return -EINVAL;
    }
    else if ( (num = numeric_field(n, type)) != NULL )
        *num = note_numeric(note);
    else if ( type == XEN_ELFNOTE_SUPPORTED_FEATURES )
        n->supported[0] |= note_u32(note, 0);
    else if ( type == XEN_ELFNOTE_L1_MFN_VALID )
    {
        uint64_t pair[2] = { 0, 0 };

        if ( note->descsz == 8 )
        {
            pair[0] = note_u32(note, 0);
            pair[1] = note_u32(note, 1);
        }
        else if ( note->descsz == 16 )
            memcpy(pair, note->desc, sizeof(pair));
        n->l1_mfn_valid_mask = pair[0];
        n->l1_mfn_valid_value = pair[1];
    }
    n->present |= 1U << type;
    return 0;
}

static bool is_xen_name(const struct elf_note *note)
{
    return note->namesz >= 4 && !memcmp(note->name, "Xen", 4);
}

/* Walk the notes of areas; count the Xen ones in n->nr_xen_notes and all of them in *total. */
static int walk_areas(const struct elf_image *ei, const struct elf_note_area *areas, unsigned int nr,
                      struct xen_elf_notes *n, unsigned int *total)
{
    struct elf_note note;
    unsigned int i;
    uint64_t pos;
    int rc;

    for ( i = 0; i < nr; i++ )
    {
        pos = 0;
        while ( (rc = elf_note_next(ei, &areas[i], &pos, &note)) > 0 )
        {
            if ( ++*total > XEN_MAX_TOTAL_NOTES )
            {
                printk(XENLOG_ERR "ELF: more than %u notes\n", XEN_MAX_TOTAL_NOTES);
                return -E2BIG;
            }
            if ( !is_xen_name(&note) )
                continue;
            n->nr_xen_notes++;
            rc = take_note(n, &note);
            if ( rc )
                return rc;
        }
        if ( rc < 0 )
        {
            printk(XENLOG_ERR "ELF: malformed note at offset %#lx\n", areas[i].offset + pos);
            return rc;
        }
    }
    return 0;
}

int xen_notes_parse(const struct elf_image *ei, struct xen_elf_notes *n)
{
    unsigned int total = 0;
    int rc;

    memset(n, 0, sizeof(*n));
    rc = walk_areas(ei, ei->note_seg, ei->nr_note_segs, n, &total);
    if ( !rc && n->nr_xen_notes == 0 && ei->nr_note_secs )
    {
        /* As Xen: fall back to SHT_NOTE sections only when the segments hold no Xen note. */
        memset(n, 0, sizeof(*n));
        n->from_sections = true;
        rc = walk_areas(ei, ei->note_sec, ei->nr_note_secs, n, &total);
    }
    if ( rc )
        memset(n, 0, sizeof(*n));
    return rc;
}

static int check_fail(char *why, size_t len, const char *fmt, ...) __printf(3, 4);
static int check_fail(char *why, size_t len, const char *fmt, ...)
{
    va_list args;

    if ( why && len )
    {
        va_start(args, fmt);
        vsnprintf(why, len, fmt, args);
        va_end(args);
    }
    return -EINVAL;
}

int xen_notes_check(const struct xen_elf_notes *n, bool dom0, uint32_t offered, char *why, size_t len)
{
    uint32_t missing;

    if ( why && len )
        why[0] = '\0';
    if ( n->nr_xen_notes == 0 )
        return check_fail(why, len, "not a Xen-ELF image: no Xen ELF notes");
    if ( strncmp(n->loader, "generic", 7) && strncmp(n->guest_os, "linux", 5) )
        return check_fail(why, len, "only images for the generic loader or Linux are loaded "
                          "(LOADER '%s', GUEST_OS '%s')", n->loader, n->guest_os);
    if ( strncmp(n->xen_version, "xen-3.0", 7) )
        return check_fail(why, len, "only images built for Xen 3.0 are loaded (XEN_VERSION '%s')",
                          n->xen_version);
    if ( dom0 && xen_note_present(n, XEN_ELFNOTE_SUPPORTED_FEATURES) &&
         !(n->supported[0] & (1U << XENFEAT_dom0)) )
        return check_fail(why, len, "kernel does not support dom0 operation");
    missing = n->required[0] & ~offered;
    if ( missing )
    {
        unsigned int bit = ffs_long(missing) - 1;
        const char *name = xen_feature_name(bit);

        return check_fail(why, len, "kernel requires feature %s (%u), which is not offered",
                          name ? name : "?", bit);
    }
    return 0;
}

static int layout_fail(const char *fmt, ...) __printf(1, 2);
static int layout_fail(const char *fmt, ...)
{
    char msg[160];
    va_list args;

    va_start(args, fmt);
    vsnprintf(msg, sizeof(msg), fmt, args);
    va_end(args);
    printk(XENLOG_ERR "ELF: %s\n", msg);
    return -EINVAL;
}

static bool canonical(uint64_t va)
{
    uint64_t top = va >> 47;

    return top == 0 || top == 0x1ffff;
}

/* Does [s, e) meet the hypervisor's reserved range? */
static bool hits_hypervisor(uint64_t s, uint64_t e)
{
    return s < HYPERVISOR_VIRT_END && e > HYPERVISOR_VIRT_START;
}

static int check_p2m(const struct pv_kernel_layout *l)
{
    uint64_t p2m = l->init_p2m;

    if ( !canonical(p2m) || !IS_ALIGNED(p2m, XEN_PAGE_SIZE) )
        return layout_fail("INIT_P2M %#lx is not a canonical page address", p2m);
    if ( hits_hypervisor(p2m, p2m + 1) )
        return layout_fail("INIT_P2M %#lx is inside the hypervisor's range", p2m);
    if ( p2m >= l->virt_base && p2m < l->virt_kend )
        return layout_fail("INIT_P2M %#lx is inside the kernel's mapping [%#lx, %#lx)", p2m,
                           l->virt_base, l->virt_kend);
    return 0;
}

int xen_kernel_layout(const struct elf_image *ei, const struct xen_elf_notes *n,
                      struct pv_kernel_layout *out)
{
    struct pv_kernel_layout l = { 0 };
    bool has_base = xen_note_present(n, XEN_ELFNOTE_VIRT_BASE);
    bool has_off = xen_note_present(n, XEN_ELFNOTE_PADDR_OFFSET);
    int rc;

    memset(out, 0, sizeof(*out));
    if ( has_off && !has_base )
        return layout_fail("PADDR_OFFSET set, VIRT_BASE unset");

    l.virt_base = has_base ? n->virt_base : 0;
    l.paddr_offset = has_off ? n->paddr_offset : 0;
    l.virt_offset = l.virt_base - l.paddr_offset;       /* modulo 2^64, as Xen */
    l.virt_kstart = ei->paddr_start + l.virt_offset;
    l.virt_kend = ei->paddr_end + l.virt_offset;
    l.virt_entry = xen_note_present(n, XEN_ELFNOTE_ENTRY) ? n->entry : ei->entry;
    l.has_hypercall_page = xen_note_present(n, XEN_ELFNOTE_HYPERCALL_PAGE);
    l.virt_hypercall = l.has_hypercall_page ? n->hypercall_page : 0;
    l.has_init_p2m = xen_note_present(n, XEN_ELFNOTE_INIT_P2M);
    l.init_p2m = l.has_init_p2m ? n->init_p2m : 0;
    l.mod_start_pfn = xen_note_present(n, XEN_ELFNOTE_MOD_START_PFN) && n->mod_start_pfn;

    if ( !canonical(l.virt_base) || !IS_ALIGNED(l.virt_base, XEN_PAGE_SIZE) )
        return layout_fail("VIRT_BASE %#lx is not a canonical page address", l.virt_base);
    if ( l.virt_kstart >= l.virt_kend )
        return layout_fail("kernel [%#lx, %#lx) is empty or wraps", l.virt_kstart, l.virt_kend);
    if ( !canonical(l.virt_kstart) || !canonical(l.virt_kend - 1) ||
         (l.virt_kstart >> 63) != ((l.virt_kend - 1) >> 63) )
        return layout_fail("kernel [%#lx, %#lx) is not canonical", l.virt_kstart, l.virt_kend);
    if ( !IS_ALIGNED(l.virt_kstart, XEN_PAGE_SIZE) )
        return layout_fail("kernel start %#lx is not page aligned", l.virt_kstart);
    if ( l.virt_base > l.virt_kstart )
        return layout_fail("VIRT_BASE %#lx is above the kernel start %#lx", l.virt_base, l.virt_kstart);
    if ( l.virt_kend - l.virt_base > KERNEL_WINDOW )
        return layout_fail("kernel end %#lx is more than 1 GiB above VIRT_BASE %#lx", l.virt_kend,
                           l.virt_base);
    if ( hits_hypervisor(l.virt_base, l.virt_kend) )
        return layout_fail("kernel mapping [%#lx, %#lx) overlaps the hypervisor's range", l.virt_base,
                           l.virt_kend);
    if ( l.virt_entry < l.virt_kstart || l.virt_entry >= l.virt_kend )
        return layout_fail("entry %#lx is outside the kernel [%#lx, %#lx)", l.virt_entry, l.virt_kstart,
                           l.virt_kend);
    if ( l.has_hypercall_page &&
         (!IS_ALIGNED(l.virt_hypercall, XEN_PAGE_SIZE) || l.virt_hypercall < l.virt_kstart ||
          l.virt_hypercall >= l.virt_kend || l.virt_kend - l.virt_hypercall < XEN_PAGE_SIZE) )
        return layout_fail("HYPERCALL_PAGE %#lx is not a page inside the kernel", l.virt_hypercall);
    if ( l.has_init_p2m && (rc = check_p2m(&l)) != 0 )
        return rc;

    *out = l;
    return 0;
}
