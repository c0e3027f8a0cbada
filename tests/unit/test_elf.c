/*
 * test_elf.c - unit tests for ELF64 parsing, note walking and segment loading (common/elf.c).
 *
 * Images are assembled with test_elf_build.h and handed to the parser as heap buffers of exactly
 * their size.  Loading goes into a fake guest memory pre-filled with a marker, so the tests see
 * exactly which bytes were copied, zeroed or left alone.
 */
#include <stdio.h>
#include <parva/lib.h>
#include "test_elf_build.h"

static struct eb b;
static struct elf_image ei;

/* ---- parsing ---- */

static void test_small_kernel_at_va0(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x2040);
    eb_load(&b, 0x2000, 0x2000, 0x300, 0x300, 1);
    eb_load(&b, 0x3000, 0x3000, 0x80, 0x1000, 2);
    eb_xen_str(&b, XEN_ELFNOTE_GUEST_OS, "test");
    img = eb_finish(&b, EB_NOTES_SEGMENT);

    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    assert_ptr_equal(ei.img, img);
    assert_int_equal(ei.size, b.size);
    assert_int_equal(ei.type, ELF_ET_EXEC);
    assert_int_equal(ei.entry, 0x2040);
    assert_int_equal(ei.nr_loads, 2);
    assert_int_equal(ei.paddr_start, 0x2000);
    assert_int_equal(ei.paddr_end, 0x4000);
    assert_int_equal(ei.load[1].filesz, 0x80);
    assert_int_equal(ei.load[1].memsz, 0x1000);
    assert_int_equal(ei.nr_note_segs, 1);
    assert_int_equal(ei.note_seg[0].offset, b.note_off);
    assert_int_equal(ei.note_seg[0].size, b.notes_len);
    assert_int_equal(ei.nr_note_secs, 0);
    free(img);
}

/* Debian's layout: the percpu segment has p_vaddr 0 but a p_paddr in the middle. */
static void test_linux_like_segments_use_paddr(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000000);
    eb_load(&b, 0x1000000, 0xffffffff81000000, 0x200, 0x200, 1);
    eb_load(&b, 0x2a00000, 0xffffffff82a00000, 0x100, 0x100, 2);
    eb_load(&b, 0x3044000, 0, 0x80, 0x100, 3);
    eb_load(&b, 0x3079000, 0xffffffff83079000, 0x40, 0x1987000, 4);
    img = eb_finish(&b, EB_NOTES_NONE);

    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    assert_int_equal(ei.nr_loads, 4);
    assert_int_equal(ei.paddr_start, 0x1000000);
    assert_int_equal(ei.paddr_end, 0x4a00000);
    assert_int_equal(ei.load[2].vaddr, 0);
    assert_int_equal(ei.load[2].paddr, 0x3044000);
    free(img);
}

static void test_segments_in_any_order(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0);
    eb_load(&b, 0x9000, 0x9000, 0x10, 0x10, 1);
    eb_load(&b, 0x1000, 0x1000, 0x10, 0x20, 1);
    eb_load(&b, 0x5000, 0x5000, 0x10, 0x5000, 1);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    assert_int_equal(ei.paddr_start, 0x1000);
    assert_int_equal(ei.paddr_end, 0xa000);
    free(img);
}

static void test_truncated_header(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0);
    eb_load(&b, 0x1000, 0x1000, 0x10, 0x10, 1);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, sizeof(struct elf64_ehdr) - 1, &ei), -EINVAL);
    assert_int_equal(elf_parse(img, 4, &ei), -EINVAL);
    assert_int_equal(elf_parse(img, 0, &ei), -EINVAL);
    assert_int_equal(elf_parse(NULL, 100, &ei), -EINVAL);
    assert_int_equal(ei.nr_loads, 0);
    free(img);
}

/* Each header field in turn made wrong: what elf_parse returns. */
static void test_header_identity_checks(void **state)
{
    static const struct {
        unsigned int what;
        int rc;
    } cases[] = {
        { 0, -ENOEXEC },    /* magic */
        { 1, -ENOEXEC },    /* ELFCLASS32 */
        { 2, -ENOEXEC },    /* big-endian */
        { 3, -ENOEXEC },    /* EM_386 */
        { 4, -ENOEXEC },    /* e_ident version */
        { 5, -ENOEXEC },    /* e_version */
        { 6, -ENOEXEC },    /* ET_REL */
        { 7, 0 },           /* ET_DYN is accepted */
    };
    unsigned int i;
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0x1000, 0x10, 0x10, 1);
    img = eb_finish(&b, EB_NOTES_NONE);
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        struct elf64_ehdr good = eb_get_ehdr(img), eh = good;

        switch ( cases[i].what )
        {
        case 0: eh.e_ident[1] = 'e'; break;
        case 1: eh.e_ident[ELF_EI_CLASS] = 1; break;
        case 2: eh.e_ident[ELF_EI_DATA] = 2; break;
        case 3: eh.e_machine = 3; break;
        case 4: eh.e_ident[ELF_EI_VERSION] = 0; break;
        case 5: eh.e_version = 2; break;
        case 6: eh.e_type = 1; break;
        case 7: eh.e_type = ELF_ET_DYN; break;
        }
        eb_put_ehdr(img, &eh);
        assert_int_equal(elf_parse(img, b.size, &ei), cases[i].rc);
        eb_put_ehdr(img, &good);
    }
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    free(img);
}

static void test_phdrs_past_the_end(void **state)
{
    struct elf64_ehdr eh, good;
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0x1000, 0x10, 0x10, 1);
    img = eb_finish(&b, EB_NOTES_NONE);
    good = eb_get_ehdr(img);

    eh = good;
    eh.e_phoff = b.size - sizeof(struct elf64_phdr) + 1;
    eb_put_ehdr(img, &eh);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);

    eh = good;
    eh.e_phoff = ~0ull - 8;             /* offset + table size overflows */
    eb_put_ehdr(img, &eh);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);

    eh = good;
    eh.e_phnum = 0xffff;                /* a table far longer than the file */
    eb_put_ehdr(img, &eh);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);

    eh = good;
    eh.e_phentsize = sizeof(struct elf64_phdr) - 1;
    eb_put_ehdr(img, &eh);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);

    /* The whole table exactly at the end of the file is fine. */
    eb_put_ehdr(img, &good);
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    free(img);
}

static void test_segment_past_the_end(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_phdr(&b, ELF_PT_LOAD, ELF_PF_R, 0x100, 0x1000, 0x1000, 0x10000, 0x10000);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);
    free(img);

    eb_init(&b, 0x1000);
    eb_phdr(&b, ELF_PT_LOAD, ELF_PF_R, ~0ull - 0x10, 0x1000, 0x1000, 0x100, 0x100);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);
    free(img);

    /* Exactly up to the last byte is fine. */
    eb_init(&b, 0x1000);
    eb_phdr(&b, ELF_PT_LOAD, ELF_PF_R, 0, 0x1000, 0x1000, 0, 0x10);
    img = eb_finish(&b, EB_NOTES_NONE);
    b.ph[0].p_filesz = b.size;
    memcpy(img + sizeof(struct elf64_ehdr), &b.ph[0], sizeof(b.ph[0]));
    b.ph[0].p_memsz = b.size;
    memcpy(img + sizeof(struct elf64_ehdr), &b.ph[0], sizeof(b.ph[0]));
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    assert_int_equal(elf_parse(img, b.size - 1, &ei), -EINVAL);
    free(img);
}

static void test_filesz_larger_than_memsz(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0x1000, 0x20, 0x1f, 1);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);
    free(img);
}

static void test_paddr_plus_memsz_overflows(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_load(&b, 0xfffffffffffff000ull, 0x1000, 0x10, 0x1001, 1);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);
    free(img);

    /* Ending exactly at 2^64 - 1 does not wrap. */
    eb_init(&b, 0x1000);
    eb_load(&b, 0xfffffffffffff000ull, 0x1000, 0x10, 0xfff, 1);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    assert_int_equal(ei.paddr_end, ~0ull);
    free(img);
}

static void test_too_many_segments(void **state)
{
    unsigned int i;
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    for ( i = 0; i < ELF_MAX_LOADS; i++ )
        eb_load(&b, 0x1000 * (i + 1), 0, 0x10, 0x10, 1);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    assert_int_equal(ei.nr_loads, ELF_MAX_LOADS);
    free(img);

    eb_init(&b, 0x1000);
    for ( i = 0; i <= ELF_MAX_LOADS; i++ )
        eb_load(&b, 0x1000 * (i + 1), 0, 0x10, 0x10, 1);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), -E2BIG);
    assert_int_equal(ei.nr_loads, 0);
    free(img);

    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0, 0x10, 0x10, 1);
    for ( i = 0; i <= ELF_MAX_NOTE_AREAS; i++ )
        eb_phdr(&b, ELF_PT_NOTE, ELF_PF_R, 0x100, 0, 0, 0x10, 0x10);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), -E2BIG);
    free(img);
}

/* As Xen: a PT_LOAD with no R/W/X flag is not loadable, a PT_NOTE at offset 0 is skipped. */
static void test_ignored_program_headers(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0x1000, 0x10, 0x10, 1);
    eb_phdr(&b, ELF_PT_LOAD, 0, ~0ull, 0, 0, 0x1000000, 0x10);   /* would be malformed */
    eb_phdr(&b, ELF_PT_NOTE, ELF_PF_R, 0, 0, 0, 0x40, 0x40);
    eb_phdr(&b, 0x6474e551, ELF_PF_R | ELF_PF_W, 0, 0, 0, 0, 0);  /* PT_GNU_STACK */
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    assert_int_equal(ei.nr_loads, 1);
    assert_int_equal(ei.nr_note_segs, 0);
    free(img);
}

static void test_no_loadable_segment(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_xen_str(&b, XEN_ELFNOTE_GUEST_OS, "linux");
    img = eb_finish(&b, EB_NOTES_SEGMENT);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);
    free(img);
}

static void test_note_segment_past_the_end(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0x1000, 0x10, 0x10, 1);
    eb_phdr(&b, ELF_PT_NOTE, ELF_PF_R, 0x100, 0, 0, EB_MAX, EB_MAX);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);
    free(img);
}

static void test_note_sections(void **state)
{
    struct elf64_ehdr eh, good;
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0x1000, 0x10, 0x10, 1);
    eb_xen_str(&b, XEN_ELFNOTE_GUEST_OS, "linux");
    img = eb_finish(&b, EB_NOTES_SECTION);
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    assert_int_equal(ei.nr_note_segs, 0);
    assert_int_equal(ei.nr_note_secs, 1);
    assert_int_equal(ei.note_sec[0].offset, b.note_off);
    assert_int_equal(ei.note_sec[0].size, b.notes_len);

    /* A section header table outside the file is refused, as Xen's elf_init. */
    good = eb_get_ehdr(img);
    eh = good;
    eh.e_shoff = b.size - sizeof(struct elf64_shdr);
    eb_put_ehdr(img, &eh);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);
    eh = good;
    eh.e_shentsize = 40;
    eb_put_ehdr(img, &eh);
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);

    /* No section headers at all: e_shoff is not looked at. */
    eh = good;
    eh.e_shnum = 0;
    eh.e_shoff = ~0ull;
    eb_put_ehdr(img, &eh);
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    assert_int_equal(ei.nr_note_secs, 0);
    free(img);
}

static void test_note_section_past_the_end(void **state)
{
    struct elf64_shdr sh;
    uint64_t shoff;
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0x1000, 0x10, 0x10, 1);
    eb_xen_str(&b, XEN_ELFNOTE_GUEST_OS, "linux");
    img = eb_finish(&b, EB_NOTES_SECTION);
    shoff = eb_get_ehdr(img).e_shoff;
    memcpy(&sh, img + shoff + sizeof(sh), sizeof(sh));
    sh.sh_size = b.size;
    memcpy(img + shoff + sizeof(sh), &sh, sizeof(sh));
    assert_int_equal(elf_parse(img, b.size, &ei), -EINVAL);
    free(img);
}

/* ---- the note walker ---- */

static void test_note_walk(void **state)
{
    static const uint8_t desc5[5] = { 1, 2, 3, 4, 5 };
    struct elf_note note;
    uint64_t pos = 0;
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0x1000, 0x10, 0x10, 1);
    eb_note_raw(b.notes, &b.notes_len, sizeof(b.notes), "GNU", 4, 3, desc5, 5);
    eb_note_raw(b.notes, &b.notes_len, sizeof(b.notes), "Xenophon", 9, 7, NULL, 0);
    eb_xen_u64(&b, 1, 0x1234);
    img = eb_finish(&b, EB_NOTES_SEGMENT);
    assert_int_equal(elf_parse(img, b.size, &ei), 0);

    assert_int_equal(elf_note_next(&ei, &ei.note_seg[0], &pos, &note), 1);
    assert_int_equal(note.type, 3);
    assert_int_equal(note.namesz, 4);
    assert_string_equal(note.name, "GNU");
    assert_int_equal(note.descsz, 5);
    assert_int_equal(note.desc_room, 8);
    assert_memory_equal(note.desc, desc5, 5);
    assert_int_equal(pos, 12 + 4 + 8);

    assert_int_equal(elf_note_next(&ei, &ei.note_seg[0], &pos, &note), 1);
    assert_int_equal(note.type, 7);
    assert_int_equal(note.namesz, 9);
    assert_int_equal(note.descsz, 0);
    assert_int_equal(pos, 24 + 12 + 12);

    assert_int_equal(elf_note_next(&ei, &ei.note_seg[0], &pos, &note), 1);
    assert_int_equal(note.type, 1);
    assert_int_equal(note.descsz, 8);
    assert_int_equal(pos, b.notes_len);

    assert_int_equal(elf_note_next(&ei, &ei.note_seg[0], &pos, &note), 0);
    free(img);
}

/* A note header at pos claiming namesz/descsz; returns what elf_note_next says about it. */
static int walk_one(uint32_t namesz, uint32_t descsz, uint64_t area_size)
{
    struct elf_note_hdr h = { .namesz = namesz, .descsz = descsz, .type = 1 };
    struct elf_note_area area = { .offset = EB_DATA_START, .size = area_size };
    struct elf_note note;
    uint64_t pos = 0;
    uint8_t *img;
    int rc;

    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0x1000, 0x100, 0x100, 0);
    img = eb_finish(&b, EB_NOTES_NONE);
    memset(img + EB_DATA_START, 0, 0x100);
    memcpy(img + EB_DATA_START, &h, sizeof(h));
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    rc = elf_note_next(&ei, &area, &pos, &note);
    if ( rc > 0 )
    {
        /* The note was taken whole (with whatever padding fits) and the walk moved past it. */
        uint64_t name_room = ((uint64_t)namesz + 3) & ~3ull, desc_room = ((uint64_t)descsz + 3) & ~3ull;

        assert_int_equal(note.desc_room, min(desc_room, area_size - 12 - name_room));
        assert_int_equal(pos, min(area_size, 12 + name_room + desc_room));
    }
    free(img);
    return rc;
}

static void test_note_bounds(void **state)
{
    (void)state;
    assert_int_equal(walk_one(4, 4, 20), 1);
    assert_int_equal(walk_one(4, 4, 19), -EINVAL);                  /* desc cut short */
    assert_int_equal(walk_one(4, 3, 19), 1);                        /* last note, no desc padding */
    assert_int_equal(walk_one(0xffffffff, 4, 0x100), -EINVAL);      /* huge namesz */
    assert_int_equal(walk_one(4, 0xffffffff, 0x100), -EINVAL);      /* huge descsz */
    assert_int_equal(walk_one(0xfffffffd, 0xfffffffd, 0x100), -EINVAL);
    assert_int_equal(walk_one(0, 0, 11), -EINVAL);                  /* header cut short */
    assert_int_equal(walk_one(0, 0, 12), 1);
}

/* ---- loading ---- */

#define MEM_BASE    0xffffffff80000000ull
#define MEM_SIZE    0x8000
#define MARK        0xa5

struct call {
    char kind;              /* 'c' copy, 'z' zero */
    uint64_t va;
    size_t n;
};

struct fake_mem {
    uint8_t mem[MEM_SIZE];
    struct call calls[16];
    unsigned int nr_calls;
    unsigned int fail_at;   /* 1-based call number that fails; 0: none */
};

static struct fake_mem fm;

static int fm_access(char kind, uint64_t va, size_t n)
{
    assert_true(fm.nr_calls < ARRAY_SIZE(fm.calls));
    fm.calls[fm.nr_calls].kind = kind;
    fm.calls[fm.nr_calls].va = va;
    fm.calls[fm.nr_calls].n = n;
    fm.nr_calls++;
    assert_true(n > 0);
    assert_true(va >= MEM_BASE && va - MEM_BASE <= MEM_SIZE && n <= MEM_SIZE - (va - MEM_BASE));
    return fm.fail_at == fm.nr_calls ? -EFAULT : 0;
}

static int fm_copy(void *ctx, uint64_t va, const void *src, size_t n)
{
    int rc;

    assert_ptr_equal(ctx, &fm);
    rc = fm_access('c', va, n);
    if ( !rc )
        memcpy(fm.mem + (va - MEM_BASE), src, n);
    return rc;
}

static int fm_zero(void *ctx, uint64_t va, size_t n)
{
    int rc;

    assert_ptr_equal(ctx, &fm);
    rc = fm_access('z', va, n);
    if ( !rc )
        memset(fm.mem + (va - MEM_BASE), 0, n);
    return rc;
}

static void fm_reset(unsigned int fail_at)
{
    memset(&fm, 0, sizeof(fm));
    memset(fm.mem, MARK, sizeof(fm.mem));
    fm.fail_at = fail_at;
}

static void assert_marked(uint64_t from, uint64_t to)
{
    uint64_t i;

    for ( i = from; i < to; i++ )
        assert_int_equal(fm.mem[i], MARK);
}

/* Segments loaded at paddr + offset: text, percpu (p_vaddr 0), bss. */
static uint8_t *linux_like_for_load(void)
{
    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0xffffffff81000000, 0x1800, 0x1800, 0x10);
    eb_load(&b, 0x3000, 0, 0x100, 0x400, 0x20);
    eb_load(&b, 0x4000, 0xffffffff81004000, 0x10, 0x2000, 0x30);
    return eb_finish(&b, EB_NOTES_NONE);
}

static void test_load_copies_and_zeroes_exact_ranges(void **state)
{
    uint8_t *img = linux_like_for_load();
    uint64_t k;

    (void)state;
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    fm_reset(0);
    assert_int_equal(elf_load(&ei, MEM_BASE, fm_copy, fm_zero, &fm), 0);

    assert_int_equal(fm.nr_calls, 5);
    assert_int_equal(fm.calls[0].kind, 'c');
    assert_int_equal(fm.calls[0].va, MEM_BASE + 0x1000);
    assert_int_equal(fm.calls[0].n, 0x1800);
    assert_int_equal(fm.calls[1].kind, 'c');
    assert_int_equal(fm.calls[1].va, MEM_BASE + 0x3000);        /* by paddr, not p_vaddr 0 */
    assert_int_equal(fm.calls[1].n, 0x100);
    assert_int_equal(fm.calls[2].kind, 'z');
    assert_int_equal(fm.calls[2].va, MEM_BASE + 0x3100);
    assert_int_equal(fm.calls[2].n, 0x300);
    assert_int_equal(fm.calls[3].kind, 'c');
    assert_int_equal(fm.calls[3].va, MEM_BASE + 0x4000);
    assert_int_equal(fm.calls[3].n, 0x10);
    assert_int_equal(fm.calls[4].kind, 'z');
    assert_int_equal(fm.calls[4].va, MEM_BASE + 0x4010);
    assert_int_equal(fm.calls[4].n, 0x1ff0);

    assert_marked(0, 0x1000);
    for ( k = 0; k < 0x1800; k++ )
        assert_int_equal(fm.mem[0x1000 + k], (uint8_t)(0x10 + k));
    assert_marked(0x2800, 0x3000);
    for ( k = 0; k < 0x100; k++ )
        assert_int_equal(fm.mem[0x3000 + k], (uint8_t)(0x20 + k));
    for ( k = 0x100; k < 0x400; k++ )
        assert_int_equal(fm.mem[0x3000 + k], 0);
    assert_marked(0x3400, 0x4000);
    for ( k = 0; k < 0x10; k++ )
        assert_int_equal(fm.mem[0x4000 + k], (uint8_t)(0x30 + k));
    for ( k = 0x10; k < 0x2000; k++ )
        assert_int_equal(fm.mem[0x4000 + k], 0);
    assert_marked(0x6000, MEM_SIZE);
    free(img);
}

static void test_load_stops_at_first_callback_error(void **state)
{
    uint8_t *img = linux_like_for_load();

    (void)state;
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    fm_reset(3);
    assert_int_equal(elf_load(&ei, MEM_BASE, fm_copy, fm_zero, &fm), -EFAULT);
    assert_int_equal(fm.nr_calls, 3);
    assert_marked(0x3100, 0x3400);       /* the failed zeroing did nothing */
    assert_marked(0x4000, 0x6000);       /* later segments untouched */

    fm_reset(1);
    assert_int_equal(elf_load(&ei, MEM_BASE, fm_copy, fm_zero, &fm), -EFAULT);
    assert_int_equal(fm.nr_calls, 1);
    free(img);
}

static void test_load_bss_only_segment(void **state)
{
    uint8_t *img;

    (void)state;
    eb_init(&b, 0x1000);
    eb_load(&b, 0x1000, 0x1000, 0, 0x800, 0);
    img = eb_finish(&b, EB_NOTES_NONE);
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    fm_reset(0);
    assert_int_equal(elf_load(&ei, MEM_BASE, fm_copy, fm_zero, &fm), 0);
    assert_int_equal(fm.nr_calls, 1);
    assert_int_equal(fm.calls[0].kind, 'z');
    assert_int_equal(fm.calls[0].va, MEM_BASE + 0x1000);
    assert_int_equal(fm.calls[0].n, 0x800);
    free(img);
}

static void test_load_refuses_wrapping_destination(void **state)
{
    uint8_t *img = linux_like_for_load();

    (void)state;
    assert_int_equal(elf_parse(img, b.size, &ei), 0);
    fm_reset(0);
    /* The last segment (paddr 0x4000, memsz 0x2000) would end past 2^64. */
    assert_int_equal(elf_load(&ei, 0ull - 0x5000, fm_copy, fm_zero, &fm), -EINVAL);
    assert_int_equal(fm.nr_calls, 0);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_kernel_at_va0),
        cmocka_unit_test(test_linux_like_segments_use_paddr),
        cmocka_unit_test(test_segments_in_any_order),
        cmocka_unit_test(test_truncated_header),
        cmocka_unit_test(test_header_identity_checks),
        cmocka_unit_test(test_phdrs_past_the_end),
        cmocka_unit_test(test_segment_past_the_end),
        cmocka_unit_test(test_filesz_larger_than_memsz),
        cmocka_unit_test(test_paddr_plus_memsz_overflows),
        cmocka_unit_test(test_too_many_segments),
        cmocka_unit_test(test_ignored_program_headers),
        cmocka_unit_test(test_no_loadable_segment),
        cmocka_unit_test(test_note_segment_past_the_end),
        cmocka_unit_test(test_note_sections),
        cmocka_unit_test(test_note_section_past_the_end),
        cmocka_unit_test(test_note_walk),
        cmocka_unit_test(test_note_bounds),
        cmocka_unit_test(test_load_copies_and_zeroes_exact_ranges),
        cmocka_unit_test(test_load_stops_at_first_callback_error),
        cmocka_unit_test(test_load_bss_only_segment),
        cmocka_unit_test(test_load_refuses_wrapping_destination),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
