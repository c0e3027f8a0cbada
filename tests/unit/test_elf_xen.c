/*
 * test_elf_xen.c - unit tests for the Xen ELF notes: parsing, the loadability checks and the
 * kernel's virtual layout (common/elf_xen.c, on top of common/elf.c).
 *
 * The two shapes that must work are built here: a Linux-like kernel (VIRT_BASE 0xffffffff80000000,
 * ENTRY, INIT_P2M, Debian 6.1's feature notes and segment layout) and a small kernel linked at
 * virtual address 0 without an ENTRY note.  The other tests change one thing about one of them.
 */
#include <stdio.h>
#include "test_elf_build.h"

#define LINUX_VIRT_BASE     0xffffffff80000000ull
#define LINUX_ENTRY         0xffffffff830791c0ull
#define ALL_FEATURES        0xffffffffu

static struct eb b;
static struct elf_image ei;
static struct xen_elf_notes xn;
static struct pv_kernel_layout lay;
static char why[200];
static uint8_t *img;

enum { NO_HYPERCALL_PAGE = 0 };

/* Debian 6.1's notes and segment layout (scaled-down file contents). */
static void linux_like(uint64_t hypercall_page)
{
    eb_init(&b, 0x1000000);
    eb_load(&b, 0x1000000, 0xffffffff81000000, 0x200, 0x18ea9f0, 1);
    eb_load(&b, 0x2a00000, 0xffffffff82a00000, 0x100, 0x644000, 2);
    eb_load(&b, 0x3044000, 0, 0x80, 0x35000, 3);
    eb_load(&b, 0x3079000, 0xffffffff83079000, 0x40, 0x1987000, 4);

    eb_xen_str(&b, XEN_ELFNOTE_GUEST_OS, "linux");
    eb_xen_str(&b, XEN_ELFNOTE_GUEST_VERSION, "2.6");
    eb_xen_str(&b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, LINUX_VIRT_BASE);
    eb_xen_u64(&b, XEN_ELFNOTE_PADDR_OFFSET, 0);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, LINUX_ENTRY);
    if ( hypercall_page )
        eb_xen_u64(&b, XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page);
    eb_xen_u64(&b, XEN_ELFNOTE_INIT_P2M, 0x8000000000ull);
    eb_xen_u32(&b, XEN_ELFNOTE_MOD_START_PFN, 1);
    /* As Linux: .ascii, so descsz 41 and the NUL is the first padding byte. */
    eb_xen_note(&b, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb", 41);
    eb_xen_u32(&b, XEN_ELFNOTE_SUPPORTED_FEATURES, 0x8801);
    eb_xen_str(&b, XEN_ELFNOTE_PAE_MODE, "yes");
    eb_xen_str(&b, XEN_ELFNOTE_LOADER, "generic");
    {
        uint64_t l1[2] = { 1, 1 };

        eb_xen_note(&b, XEN_ELFNOTE_L1_MFN_VALID, l1, sizeof(l1));
    }
    eb_xen_u32(&b, XEN_ELFNOTE_SUSPEND_CANCEL, 1);
    eb_xen_u64(&b, XEN_ELFNOTE_HV_START_LOW, 0xffff800000000000ull);
    eb_xen_u32(&b, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000850);
}

/* A small kernel linked at 0: loaded at 0x2000, entry from e_entry. */
static void small_kernel(void)
{
    eb_init(&b, 0x2010);
    eb_load(&b, 0x2000, 0x2000, 0x1000, 0x1000, 1);
    eb_load(&b, 0x3000, 0x3000, 0x100, 0x2000, 2);
    eb_xen_str(&b, XEN_ELFNOTE_GUEST_OS, "Parva-test");
    eb_xen_str(&b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    eb_xen_str(&b, XEN_ELFNOTE_LOADER, "generic");
}

static int parse(enum eb_notes where)
{
    int rc;

    img = eb_finish(&b, where);
    rc = elf_parse(img, b.size, &ei);
    if ( rc )
        return rc;
    return xen_notes_parse(&ei, &xn);
}

static int parse_layout(void)
{
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    return xen_kernel_layout(&ei, &xn, &lay);
}

static int check(bool dom0, uint32_t offered)
{
    return xen_notes_check(&xn, dom0, offered, why, sizeof(why));
}

static int teardown(void **state)
{
    (void)state;
    free(img);
    img = NULL;
    return 0;
}

/* ---- the two shapes ---- */

static void test_linux_kernel_notes(void **state)
{
    (void)state;
    linux_like(NO_HYPERCALL_PAGE);
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);

    assert_false(xn.from_sections);
    assert_int_equal(xn.nr_xen_notes, 16);
    assert_string_equal(xn.guest_os, "linux");
    assert_string_equal(xn.guest_version, "2.6");
    assert_string_equal(xn.xen_version, "xen-3.0");
    assert_string_equal(xn.loader, "generic");
    assert_string_equal(xn.pae_mode, "yes");
    assert_string_equal(xn.features, "!writable_page_tables|pae_pgdir_above_4gb");
    assert_int_equal(xn.virt_base, LINUX_VIRT_BASE);
    assert_int_equal(xn.paddr_offset, 0);
    assert_int_equal(xn.entry, LINUX_ENTRY);
    assert_int_equal(xn.init_p2m, 0x8000000000ull);
    assert_int_equal(xn.mod_start_pfn, 1);
    assert_int_equal(xn.suspend_cancel, 1);
    assert_int_equal(xn.hv_start_low, 0xffff800000000000ull);
    assert_int_equal(xn.phys32_entry, 0x1000850);
    assert_int_equal(xn.l1_mfn_valid_mask, 1);
    assert_int_equal(xn.l1_mfn_valid_value, 1);
    /* 0x8801 from SUPPORTED_FEATURES, plus bits 0 and 4 from the FEATURES string. */
    assert_int_equal(xn.supported[0], 0x8811);
    assert_int_equal(xn.required[0], 1u << XENFEAT_writable_page_tables);

    assert_true(xen_note_present(&xn, XEN_ELFNOTE_ENTRY));
    assert_true(xen_note_present(&xn, XEN_ELFNOTE_INIT_P2M));
    assert_true(xen_note_present(&xn, XEN_ELFNOTE_SUPPORTED_FEATURES));
    assert_false(xen_note_present(&xn, XEN_ELFNOTE_HYPERCALL_PAGE));
    assert_false(xen_note_present(&xn, XEN_ELFNOTE_BSD_SYMTAB));
    assert_false(xen_note_present(&xn, 40));

    assert_int_equal(check(true, XEN_NOTES_FEATURES_XEN417), 0);
    assert_string_equal(why, "");
    assert_int_equal(check(false, XEN_NOTES_FEATURES_XEN417), 0);
}

static void test_linux_kernel_layout(void **state)
{
    (void)state;
    linux_like(NO_HYPERCALL_PAGE);
    assert_int_equal(parse_layout(), 0);
    assert_int_equal(lay.virt_base, LINUX_VIRT_BASE);
    assert_int_equal(lay.paddr_offset, 0);
    assert_int_equal(lay.virt_offset, LINUX_VIRT_BASE);
    assert_int_equal(lay.virt_kstart, 0xffffffff81000000ull);
    assert_int_equal(lay.virt_kend, 0xffffffff84a00000ull);
    assert_int_equal(lay.virt_entry, LINUX_ENTRY);
    assert_false(lay.has_hypercall_page);
    assert_true(lay.has_init_p2m);
    assert_int_equal(lay.init_p2m, 0x8000000000ull);
    assert_true(lay.mod_start_pfn);
}

static void test_small_kernel_at_va0_without_entry_note(void **state)
{
    (void)state;
    small_kernel();
    assert_int_equal(parse_layout(), 0);
    assert_int_equal(check(false, 0), 0);
    assert_int_equal(check(true, 0), 0);    /* no SUPPORTED_FEATURES note: no dom0 check (as Xen) */
    assert_int_equal(lay.virt_base, 0);
    assert_int_equal(lay.paddr_offset, 0);
    assert_int_equal(lay.virt_offset, 0);
    assert_int_equal(lay.virt_kstart, 0x2000);
    assert_int_equal(lay.virt_kend, 0x5000);
    assert_int_equal(lay.virt_entry, 0x2010);
    assert_false(lay.has_hypercall_page);
    assert_false(lay.has_init_p2m);
    assert_false(lay.mod_start_pfn);
}

/* ---- hypercall page ---- */

static void test_hypercall_page_present(void **state)
{
    (void)state;
    linux_like(0xffffffff81001000ull);
    assert_int_equal(parse_layout(), 0);
    assert_true(lay.has_hypercall_page);
    assert_int_equal(lay.virt_hypercall, 0xffffffff81001000ull);
}

static void test_hypercall_page_misaligned(void **state)
{
    (void)state;
    linux_like(0xffffffff81001800ull);
    assert_int_equal(parse_layout(), -EINVAL);
    assert_false(lay.has_hypercall_page);   /* nothing returned on failure */
}

static void test_hypercall_page_outside_kernel(void **state)
{
    (void)state;
    linux_like(0xffffffff80fff000ull);
    assert_int_equal(parse_layout(), -EINVAL);
    free(img);
    linux_like(0xffffffff84a00000ull);      /* just past the end */
    assert_int_equal(parse_layout(), -EINVAL);
}

static void test_hypercall_page_must_fit_before_kernel_end(void **state)
{
    (void)state;
    small_kernel();
    b.ph[1].p_memsz = 0x1800;               /* kernel ends at 0x4800 */
    eb_xen_u64(&b, XEN_ELFNOTE_HYPERCALL_PAGE, 0x4000);
    assert_int_equal(parse_layout(), -EINVAL);
    free(img);

    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_HYPERCALL_PAGE, 0x4000);
    assert_int_equal(parse_layout(), 0);
    assert_int_equal(lay.virt_hypercall, 0x4000);
}

/* ---- where the notes are ---- */

static void test_notes_in_sections_only(void **state)
{
    (void)state;
    linux_like(NO_HYPERCALL_PAGE);
    assert_int_equal(parse(EB_NOTES_SECTION), 0);
    assert_true(xn.from_sections);
    assert_int_equal(xn.nr_xen_notes, 16);
    assert_int_equal(xn.entry, LINUX_ENTRY);
    assert_int_equal(xen_kernel_layout(&ei, &xn, &lay), 0);
    assert_int_equal(lay.virt_kstart, 0xffffffff81000000ull);
    assert_int_equal(check(true, XEN_NOTES_FEATURES_XEN417), 0);
}

/* Sections are read only when the note segments hold no Xen note, as in Xen. */
static void test_sections_only_used_without_xen_notes_in_segments(void **state)
{
    uint64_t other = 0xffffffff82000000ull;

    (void)state;
    small_kernel();
    eb_note_raw(b.sec_notes, &b.sec_notes_len, sizeof(b.sec_notes), "Xen", 4, XEN_ELFNOTE_ENTRY,
                &other, 8);
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_false(xn.from_sections);
    assert_false(xen_note_present(&xn, XEN_ELFNOTE_ENTRY));
    free(img);

    /* Segment with only a GNU note: the section's Xen notes are used. */
    eb_init(&b, 0x2000);
    eb_load(&b, 0x2000, 0x2000, 0x100, 0x100, 1);
    eb_note_raw(b.notes, &b.notes_len, sizeof(b.notes), "GNU", 4, 3, "abcd", 4);
    eb_note_raw(b.sec_notes, &b.sec_notes_len, sizeof(b.sec_notes), "Xen", 4, XEN_ELFNOTE_GUEST_OS,
                "linux", 6);
    eb_note_raw(b.sec_notes, &b.sec_notes_len, sizeof(b.sec_notes), "Xen", 4, XEN_ELFNOTE_XEN_VERSION,
                "xen-3.0", 8);
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_true(xn.from_sections);
    assert_int_equal(xn.nr_xen_notes, 2);
    assert_string_equal(xn.guest_os, "linux");
    assert_int_equal(check(false, 0), 0);
}

static void test_other_owners_notes_are_ignored(void **state)
{
    uint64_t v = 0x1234000;

    (void)state;
    small_kernel();
    eb_note_raw(b.notes, &b.notes_len, sizeof(b.notes), "Xenix", 6, XEN_ELFNOTE_ENTRY, &v, 8);
    eb_note_raw(b.notes, &b.notes_len, sizeof(b.notes), "Xe", 3, XEN_ELFNOTE_ENTRY, &v, 8);
    eb_note_raw(b.notes, &b.notes_len, sizeof(b.notes), "GNU", 4, XEN_ELFNOTE_ENTRY, &v, 8);
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(xn.nr_xen_notes, 3);
    assert_false(xen_note_present(&xn, XEN_ELFNOTE_ENTRY));
}

static void test_no_xen_notes_is_not_a_xen_kernel(void **state)
{
    (void)state;
    eb_init(&b, 0x2000);
    eb_load(&b, 0x2000, 0x2000, 0x100, 0x100, 1);
    eb_note_raw(b.notes, &b.notes_len, sizeof(b.notes), "GNU", 4, 3, "abcd", 4);
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(xn.nr_xen_notes, 0);
    assert_int_equal(check(false, ALL_FEATURES), -EINVAL);
    assert_non_null(strstr(why, "no Xen ELF notes"));
    free(img);

    eb_init(&b, 0x2000);
    eb_load(&b, 0x2000, 0x2000, 0x100, 0x100, 1);
    assert_int_equal(parse(EB_NOTES_NONE), 0);
    assert_int_equal(check(false, ALL_FEATURES), -EINVAL);
}

/* ---- malformed notes ---- */

static void test_note_with_huge_sizes(void **state)
{
    struct elf_note_hdr h = { .namesz = 4, .descsz = 0xfffffff0, .type = XEN_ELFNOTE_ENTRY };

    (void)state;
    small_kernel();
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    memcpy(img + b.note_off, &h, sizeof(h));
    assert_int_equal(xen_notes_parse(&ei, &xn), -EINVAL);
    assert_int_equal(xn.nr_xen_notes, 0);   /* nothing kept on failure */

    h.namesz = 0xfffffffc;
    h.descsz = 8;
    memcpy(img + b.note_off, &h, sizeof(h));
    assert_int_equal(xen_notes_parse(&ei, &xn), -EINVAL);
}

static void test_unterminated_string_note(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_note(&b, XEN_ELFNOTE_GUEST_VERSION, "4.19", 4);     /* no NUL, no padding */
    eb_xen_u32(&b, XEN_ELFNOTE_SUSPEND_CANCEL, 0);
    assert_int_equal(parse(EB_NOTES_SEGMENT), -EINVAL);
    free(img);

    /* NUL only in the padding: accepted (Linux's FEATURES)... */
    small_kernel();
    eb_xen_note(&b, XEN_ELFNOTE_GUEST_VERSION, "abcde", 5);
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_string_equal(xn.guest_version, "abcde");
    /* ...unless the note area ends before the padding. */
    b.ph[b.nph - 1].p_filesz -= 3;
    memcpy(img + sizeof(struct elf64_ehdr) + (b.nph - 1) * sizeof(b.ph[0]), &b.ph[b.nph - 1],
           sizeof(b.ph[0]));
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    assert_int_equal(xen_notes_parse(&ei, &xn), -EINVAL);
    free(img);

    small_kernel();
    eb_xen_note(&b, XEN_ELFNOTE_FEATURES, "", 0);              /* empty descriptor */
    assert_int_equal(parse(EB_NOTES_SEGMENT), -EINVAL);
}

static void test_long_string_is_truncated(void **state)
{
    char s[200];

    (void)state;
    memset(s, 'x', sizeof(s) - 1);
    s[sizeof(s) - 1] = '\0';
    small_kernel();
    eb_xen_str(&b, XEN_ELFNOTE_GUEST_VERSION, s);
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(strlen(xn.guest_version), XEN_NOTE_STR_MAX - 1);
    assert_memory_equal(xn.guest_version, s, XEN_NOTE_STR_MAX - 1);
}

/* As Xen's elf_note_numeric: 1/2/4/8-byte little-endian; other sizes read as 0. */
static void test_numeric_note_sizes(void **state)
{
    static const uint8_t bytes[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
    static const struct {
        uint32_t size;
        uint64_t value;
    } cases[] = {
        { 1, 0x11 }, { 2, 0x2211 }, { 3, 0 }, { 4, 0x44332211 }, { 5, 0 }, { 8, 0x8877665544332211 },
        { 0, 0 },
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        small_kernel();
        eb_xen_note(&b, XEN_ELFNOTE_INIT_P2M, bytes, cases[i].size);
        assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
        assert_true(xen_note_present(&xn, XEN_ELFNOTE_INIT_P2M));
        assert_int_equal(xn.init_p2m, cases[i].value);
        free(img);
        img = NULL;
    }
}

static void test_supported_features_note_sizes(void **state)
{
    uint32_t two[2] = { 1u << XENFEAT_dom0, 0xffff0000 };
    uint16_t half = 0xffff;

    (void)state;
    small_kernel();
    eb_xen_note(&b, XEN_ELFNOTE_SUPPORTED_FEATURES, two, sizeof(two));
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(xn.supported[0], 1u << XENFEAT_dom0);     /* first word only */
    free(img);

    small_kernel();
    eb_xen_note(&b, XEN_ELFNOTE_SUPPORTED_FEATURES, &half, sizeof(half));
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(xn.supported[0], 0);                      /* not a multiple of 4 */
    assert_true(xen_note_present(&xn, XEN_ELFNOTE_SUPPORTED_FEATURES));
}

static void test_l1_mfn_valid_pair_sizes(void **state)
{
    uint32_t pair32[2] = { 0x3, 0x1 };

    (void)state;
    small_kernel();
    eb_xen_note(&b, XEN_ELFNOTE_L1_MFN_VALID, pair32, sizeof(pair32));
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(xn.l1_mfn_valid_mask, 3);
    assert_int_equal(xn.l1_mfn_valid_value, 1);
    free(img);

    small_kernel();
    eb_xen_note(&b, XEN_ELFNOTE_L1_MFN_VALID, pair32, 4);
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(xn.l1_mfn_valid_mask, 0);
    assert_true(xen_note_present(&xn, XEN_ELFNOTE_L1_MFN_VALID));
}

static void test_later_note_overrides_earlier(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0x2100);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0x2200);
    eb_xen_str(&b, XEN_ELFNOTE_GUEST_OS, "linux");
    eb_xen_u32(&b, 0, 5);                                        /* INFO: unknown, skipped */
    eb_xen_u32(&b, 0x1000001, 5);                                /* not a domain builder note */
    assert_int_equal(parse_layout(), 0);
    assert_int_equal(xn.nr_xen_notes, 8);
    assert_string_equal(xn.guest_os, "linux");
    assert_int_equal(lay.virt_entry, 0x2200);
}

static void test_too_many_notes(void **state)
{
    struct elf_note_hdr h = { .namesz = 0, .descsz = 0, .type = 99 };
    size_t n = XEN_MAX_TOTAL_NOTES + 1, k;
    uint8_t *big;

    (void)state;
    eb_init(&b, 0x2000);
    eb_load(&b, 0x2000, 0x2000, 0x100, 0x100, 1);
    eb_phdr(&b, ELF_PT_NOTE, ELF_PF_R, 0x10000, 0, 0, n * sizeof(h), n * sizeof(h));
    img = eb_finish(&b, EB_NOTES_NONE);

    big = calloc(1, 0x10000 + n * sizeof(h));
    assert_non_null(big);
    memcpy(big, img, b.size);
    for ( k = 0; k < n; k++ )
        memcpy(big + 0x10000 + k * sizeof(h), &h, sizeof(h));
    assert_int_equal(elf_parse(big, 0x10000 + n * sizeof(h), &ei), 0);
    assert_int_equal(xen_notes_parse(&ei, &xn), -E2BIG);

    /* One fewer is fine: shrink the note segment by one note. */
    b.ph[1].p_filesz = (n - 1) * sizeof(h);
    memcpy(big + sizeof(struct elf64_ehdr) + sizeof(b.ph[0]), &b.ph[1], sizeof(b.ph[1]));
    assert_int_equal(elf_parse(big, 0x10000 + n * sizeof(h), &ei), 0);
    assert_int_equal(ei.note_seg[0].size, (n - 1) * sizeof(h));
    assert_int_equal(xen_notes_parse(&ei, &xn), 0);
    assert_int_equal(xn.nr_xen_notes, 0);
    free(big);
}

/* ---- features ---- */

static void test_feature_names(void **state)
{
    (void)state;
    assert_string_equal(xen_feature_name(XENFEAT_writable_page_tables), "writable_page_tables");
    assert_string_equal(xen_feature_name(XENFEAT_dom0), "dom0");
    assert_string_equal(xen_feature_name(XENFEAT_hvm_pirqs), "hvm_pirqs");
    assert_string_equal(xen_feature_name(XENFEAT_direct_mapped), "direct_mapped");
    assert_null(xen_feature_name(12));      /* grant_map_identity: withdrawn from the header */
    assert_null(xen_feature_name(31));
    assert_null(xen_feature_name(1000));
}

static void test_features_string_syntax(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_str(&b, XEN_ELFNOTE_FEATURES,
               "dom0||!hvm_callback_vector|unknown_but_optional|gnttab_map_avail_bits|");
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(xn.supported[0], (1u << XENFEAT_dom0) | (1u << XENFEAT_hvm_callback_vector) |
                                      (1u << XENFEAT_gnttab_map_avail_bits));
    assert_int_equal(xn.required[0], 1u << XENFEAT_hvm_callback_vector);
}

static void test_unknown_required_feature(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_str(&b, XEN_ELFNOTE_FEATURES, "dom0|!frobnicate");
    assert_int_equal(parse(EB_NOTES_SEGMENT), -EINVAL);
    free(img);

    small_kernel();
    eb_xen_str(&b, XEN_ELFNOTE_FEATURES, "!");
    assert_int_equal(parse(EB_NOTES_SEGMENT), -EINVAL);
    free(img);

    small_kernel();
    eb_xen_str(&b, XEN_ELFNOTE_FEATURES, "!dom0x");             /* prefix of no name, longer than one */
    assert_int_equal(parse(EB_NOTES_SEGMENT), -EINVAL);
}

static void test_required_feature_not_offered(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_str(&b, XEN_ELFNOTE_FEATURES, "!hvm_safe_pvclock");
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(check(false, XEN_NOTES_FEATURES_XEN417), -EINVAL);
    assert_non_null(strstr(why, "hvm_safe_pvclock"));
    assert_int_equal(check(false, 1u << XENFEAT_hvm_safe_pvclock), 0);
    free(img);

    small_kernel();
    eb_xen_str(&b, XEN_ELFNOTE_FEATURES, "!supervisor_mode_kernel");
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(check(true, XEN_NOTES_FEATURES_XEN417), -EINVAL);
    assert_non_null(strstr(why, "supervisor_mode_kernel"));
    free(img);

    /* Linux's required writable_page_tables is refused by a hypervisor that offers nothing. */
    linux_like(NO_HYPERCALL_PAGE);
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(check(false, 0), -EINVAL);
    assert_non_null(strstr(why, "writable_page_tables"));
}

/* ---- the loader checks ---- */

static void test_loader_or_guest_os_must_match(void **state)
{
    (void)state;
    eb_init(&b, 0x2000);
    eb_load(&b, 0x2000, 0x2000, 0x100, 0x100, 1);
    eb_xen_str(&b, XEN_ELFNOTE_GUEST_OS, "NetBSD");
    eb_xen_str(&b, XEN_ELFNOTE_LOADER, "bsd");
    eb_xen_str(&b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(check(false, ALL_FEATURES), -EINVAL);
    assert_non_null(strstr(why, "NetBSD"));
    free(img);

    /* Prefixes, as Xen's strncmp: "linux-foo" and "generic-2" pass. */
    eb_init(&b, 0x2000);
    eb_load(&b, 0x2000, 0x2000, 0x100, 0x100, 1);
    eb_xen_str(&b, XEN_ELFNOTE_GUEST_OS, "linux-foo");
    eb_xen_str(&b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0.4");
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(check(false, ALL_FEATURES), 0);
    free(img);

    eb_init(&b, 0x2000);
    eb_load(&b, 0x2000, 0x2000, 0x100, 0x100, 1);
    eb_xen_str(&b, XEN_ELFNOTE_LOADER, "generic-2");
    eb_xen_str(&b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(check(false, ALL_FEATURES), 0);
}

static void test_xen_version_must_be_3_0(void **state)
{
    (void)state;
    eb_init(&b, 0x2000);
    eb_load(&b, 0x2000, 0x2000, 0x100, 0x100, 1);
    eb_xen_str(&b, XEN_ELFNOTE_LOADER, "generic");
    eb_xen_str(&b, XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(check(false, ALL_FEATURES), -EINVAL);
    assert_non_null(strstr(why, "xen-2.0"));
    free(img);

    eb_init(&b, 0x2000);
    eb_load(&b, 0x2000, 0x2000, 0x100, 0x100, 1);
    eb_xen_str(&b, XEN_ELFNOTE_LOADER, "generic");
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(check(false, ALL_FEATURES), -EINVAL);      /* absent */
}

static void test_dom0_needs_dom0_feature(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_u32(&b, XEN_ELFNOTE_SUPPORTED_FEATURES, 1u << XENFEAT_writable_page_tables);
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(check(true, ALL_FEATURES), -EINVAL);
    assert_non_null(strstr(why, "dom0"));
    assert_int_equal(check(false, ALL_FEATURES), 0);
    free(img);

    /* The FEATURES string counts too (both feed the supported set). */
    small_kernel();
    eb_xen_u32(&b, XEN_ELFNOTE_SUPPORTED_FEATURES, 0);
    eb_xen_str(&b, XEN_ELFNOTE_FEATURES, "dom0");
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(check(true, ALL_FEATURES), 0);
}

static void test_why_is_optional_and_bounded(void **state)
{
    char small[8];

    (void)state;
    small_kernel();
    eb_xen_str(&b, XEN_ELFNOTE_FEATURES, "!hvm_pirqs");
    assert_int_equal(parse(EB_NOTES_SEGMENT), 0);
    assert_int_equal(xen_notes_check(&xn, false, 0, NULL, 0), -EINVAL);
    memset(small, 'z', sizeof(small));
    assert_int_equal(xen_notes_check(&xn, false, 0, small, sizeof(small)), -EINVAL);
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* ---- the layout checks ---- */

static void test_virt_base_without_paddr_offset(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0x400000000ull);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0x400002010ull);
    assert_int_equal(parse_layout(), 0);
    assert_int_equal(lay.paddr_offset, 0);
    assert_int_equal(lay.virt_offset, 0x400000000ull);
    assert_int_equal(lay.virt_kstart, 0x400002000ull);
    assert_int_equal(lay.virt_kend, 0x400005000ull);
    assert_int_equal(lay.virt_entry, 0x400002010ull);
    free(img);

    /* e_entry is used as it is, not relocated by VIRT_BASE (as Xen): here it misses the kernel. */
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0x400000000ull);
    assert_int_equal(parse_layout(), -EINVAL);
    free(img);

    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_PADDR_OFFSET, 0x1000);
    assert_int_equal(parse_layout(), -EINVAL);
}

/* Old-style kernel: paddr equals vaddr, PADDR_OFFSET = VIRT_BASE. */
static void test_paddr_offset_equal_to_virt_base(void **state)
{
    (void)state;
    eb_init(&b, 0xffffffff80101000ull);
    eb_load(&b, 0xffffffff80100000ull, 0xffffffff80100000ull, 0x2000, 0x2000, 1);
    eb_xen_str(&b, XEN_ELFNOTE_LOADER, "generic");
    eb_xen_str(&b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0xffffffff80000000ull);
    eb_xen_u64(&b, XEN_ELFNOTE_PADDR_OFFSET, 0xffffffff80000000ull);
    assert_int_equal(parse_layout(), 0);
    assert_int_equal(lay.virt_offset, 0);
    assert_int_equal(lay.virt_kstart, 0xffffffff80100000ull);
    assert_int_equal(lay.virt_entry, 0xffffffff80101000ull);
}

static void test_entry_outside_kernel(void **state)
{
    static const uint64_t bad[] = { 0x1fff, 0x5000, 0, 0xffffffff80002010ull };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        small_kernel();
        eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, bad[i]);
        assert_int_equal(parse_layout(), -EINVAL);
        free(img);
        img = NULL;
    }
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0x4fff);
    assert_int_equal(parse_layout(), 0);
    free(img);

    small_kernel();
    b.entry = 0x6000;                               /* e_entry outside, no ENTRY note */
    assert_int_equal(parse_layout(), -EINVAL);
}

static void test_kernel_overlapping_hypervisor_range(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0xffff87ffffe00000ull);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0xffff87ffffe02000ull);
    assert_int_equal(parse_layout(), -EINVAL);
    free(img);

    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0xffff800000000000ull);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0xffff800000002000ull);
    assert_int_equal(parse_layout(), -EINVAL);
    free(img);

    /* The kernel starts after the range, but its mapping from VIRT_BASE does not. */
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0xffff87fffffff000ull);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0xffff880000001010ull);
    assert_int_equal(parse_layout(), -EINVAL);
    free(img);

    /* Below the range is the non-canonical hole; right after it the guest's area starts. */
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0xffff880000000000ull);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0xffff880000002000ull);
    assert_int_equal(parse_layout(), 0);
}

static void test_non_canonical_addresses(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0x0000800000000000ull);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0x0000800000002000ull);
    assert_int_equal(parse_layout(), -EINVAL);
    free(img);

    /* A kernel that runs from the top of the low half into the hole. */
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0x00007ffffffff000ull - 0x2000);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0x00007ffffffff000ull);
    assert_int_equal(parse_layout(), -EINVAL);
    free(img);

    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0x0000800000000000ull - 0x5000);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0x00007fffffffd010ull);
    assert_int_equal(parse_layout(), 0);
    assert_int_equal(lay.virt_kend, 0x0000800000000000ull);
}

static void test_kernel_wrapping_the_address_space(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0xfffffffffffff000ull);
    eb_xen_u64(&b, XEN_ELFNOTE_PADDR_OFFSET, 0);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0x1010);
    assert_int_equal(parse_layout(), -EINVAL);
}

static void test_virt_base_above_kernel_start(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0x400000);
    eb_xen_u64(&b, XEN_ELFNOTE_PADDR_OFFSET, 0x3000);   /* kstart = 0x2000 + 0x3fd000 = 0x3ff000 */
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0x3ff010);
    assert_int_equal(parse_layout(), -EINVAL);
}

static void test_alignment_of_base_and_start(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, 0x800);
    eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, 0x2810);
    assert_int_equal(parse_layout(), -EINVAL);
    free(img);

    eb_init(&b, 0x2110);
    eb_load(&b, 0x2100, 0x2100, 0x100, 0x100, 1);
    eb_xen_str(&b, XEN_ELFNOTE_LOADER, "generic");
    eb_xen_str(&b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    assert_int_equal(parse_layout(), -EINVAL);
}

static void test_kernel_larger_than_1gib(void **state)
{
    (void)state;
    linux_like(NO_HYPERCALL_PAGE);
    b.ph[3].p_memsz = 0x40000000 - 0x3079000 + 1;       /* ends 1 byte past 1 GiB from VIRT_BASE */
    assert_int_equal(parse_layout(), -EINVAL);
    free(img);

    linux_like(NO_HYPERCALL_PAGE);
    b.ph[3].p_memsz = 0x40000000 - 0x3079000;
    assert_int_equal(parse_layout(), 0);
    assert_int_equal(lay.virt_kend, 0xffffffffc0000000ull);
}

static void test_init_p2m_placement(void **state)
{
    static const struct {
        uint64_t va;
        int rc;
    } cases[] = {
        { 0x8000000000ull, 0 },
        { 0xffffffff81100000ull, -EINVAL },     /* inside the kernel */
        { 0xffffffff80000000ull, -EINVAL },     /* below the kernel, inside the mapping */
        { 0xffffffff84a00000ull, 0 },           /* right after the kernel: the builder checks more */
        { 0xffff800000000000ull, -EINVAL },     /* hypervisor range */
        { 0x8000000800ull, -EINVAL },           /* not page aligned */
        { 0x0000900000000000ull, -EINVAL },     /* not canonical */
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        eb_init(&b, 0x1000000);
        eb_load(&b, 0x1000000, 0xffffffff81000000, 0x200, 0x3a00000, 1);
        eb_xen_str(&b, XEN_ELFNOTE_GUEST_OS, "linux");
        eb_xen_str(&b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
        eb_xen_u64(&b, XEN_ELFNOTE_VIRT_BASE, LINUX_VIRT_BASE);
        eb_xen_u64(&b, XEN_ELFNOTE_ENTRY, LINUX_ENTRY);
        eb_xen_u64(&b, XEN_ELFNOTE_INIT_P2M, cases[i].va);
        assert_int_equal(parse_layout(), cases[i].rc);
        free(img);
        img = NULL;
    }
}

static void test_mod_start_pfn_zero_means_mapped_initrd(void **state)
{
    (void)state;
    small_kernel();
    eb_xen_u32(&b, XEN_ELFNOTE_MOD_START_PFN, 0);
    assert_int_equal(parse_layout(), 0);
    assert_true(xen_note_present(&xn, XEN_ELFNOTE_MOD_START_PFN));
    assert_false(lay.mod_start_pfn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_linux_kernel_notes, teardown),
        cmocka_unit_test_teardown(test_linux_kernel_layout, teardown),
        cmocka_unit_test_teardown(test_small_kernel_at_va0_without_entry_note, teardown),
        cmocka_unit_test_teardown(test_hypercall_page_present, teardown),
        cmocka_unit_test_teardown(test_hypercall_page_misaligned, teardown),
        cmocka_unit_test_teardown(test_hypercall_page_outside_kernel, teardown),
        cmocka_unit_test_teardown(test_hypercall_page_must_fit_before_kernel_end, teardown),
        cmocka_unit_test_teardown(test_notes_in_sections_only, teardown),
        cmocka_unit_test_teardown(test_sections_only_used_without_xen_notes_in_segments, teardown),
        cmocka_unit_test_teardown(test_other_owners_notes_are_ignored, teardown),
        cmocka_unit_test_teardown(test_no_xen_notes_is_not_a_xen_kernel, teardown),
        cmocka_unit_test_teardown(test_note_with_huge_sizes, teardown),
        cmocka_unit_test_teardown(test_unterminated_string_note, teardown),
        cmocka_unit_test_teardown(test_long_string_is_truncated, teardown),
        cmocka_unit_test_teardown(test_numeric_note_sizes, teardown),
        cmocka_unit_test_teardown(test_supported_features_note_sizes, teardown),
        cmocka_unit_test_teardown(test_l1_mfn_valid_pair_sizes, teardown),
        cmocka_unit_test_teardown(test_later_note_overrides_earlier, teardown),
        cmocka_unit_test_teardown(test_too_many_notes, teardown),
        cmocka_unit_test_teardown(test_feature_names, teardown),
        cmocka_unit_test_teardown(test_features_string_syntax, teardown),
        cmocka_unit_test_teardown(test_unknown_required_feature, teardown),
        cmocka_unit_test_teardown(test_required_feature_not_offered, teardown),
        cmocka_unit_test_teardown(test_loader_or_guest_os_must_match, teardown),
        cmocka_unit_test_teardown(test_xen_version_must_be_3_0, teardown),
        cmocka_unit_test_teardown(test_dom0_needs_dom0_feature, teardown),
        cmocka_unit_test_teardown(test_why_is_optional_and_bounded, teardown),
        cmocka_unit_test_teardown(test_virt_base_without_paddr_offset, teardown),
        cmocka_unit_test_teardown(test_paddr_offset_equal_to_virt_base, teardown),
        cmocka_unit_test_teardown(test_entry_outside_kernel, teardown),
        cmocka_unit_test_teardown(test_kernel_overlapping_hypervisor_range, teardown),
        cmocka_unit_test_teardown(test_non_canonical_addresses, teardown),
        cmocka_unit_test_teardown(test_kernel_wrapping_the_address_space, teardown),
        cmocka_unit_test_teardown(test_virt_base_above_kernel_start, teardown),
        cmocka_unit_test_teardown(test_alignment_of_base_and_start, teardown),
        cmocka_unit_test_teardown(test_kernel_larger_than_1gib, teardown),
        cmocka_unit_test_teardown(test_init_p2m_placement, teardown),
        cmocka_unit_test_teardown(test_mod_start_pfn_zero_means_mapped_initrd, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
