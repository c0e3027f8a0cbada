/*
 * test_elf_build.h - assembling small ELF64 kernel images in memory for the ELF loader's unit tests
 * (test_elf.c, test_elf_xen.c).
 *
 * An image is laid out as: ELF header, room for the program headers, the note blob, the segment
 * data, then (optionally) the section header table.  Helpers append notes and segments; eb_finish()
 * writes the tables and returns a heap copy of exactly the image's size, so AddressSanitizer reports
 * any read past what the parser was given.  Tests then patch fields of the copy to make it malformed.
 */
#ifndef TEST_ELF_BUILD_H
#define TEST_ELF_BUILD_H

#include <stdlib.h>
#include <string.h>
#include <parva/elf.h>

#define EB_MAX          (64 * 1024)
#define EB_MAX_PH       40
#define EB_PH_ROOM      (EB_MAX_PH * sizeof(struct elf64_phdr))
#define EB_DATA_START   0x1000          /* after the ELF header and the phdr room */

/* Where eb_finish() puts the note blob. */
enum eb_notes { EB_NOTES_SEGMENT, EB_NOTES_SECTION, EB_NOTES_NONE };

struct eb {
    uint8_t buf[EB_MAX] __aligned(8);
    size_t len;                         /* file bytes used so far */
    struct elf64_phdr ph[EB_MAX_PH];
    unsigned int nph;
    uint8_t notes[8192];
    size_t notes_len;
    uint8_t sec_notes[4096];            /* a second blob, always put in an SHT_NOTE section */
    size_t sec_notes_len;
    uint64_t entry;
    size_t size;                        /* of the finished image */
    uint64_t note_off;                  /* file offset of the note blob after eb_finish() */
};

static inline void eb_init(struct eb *b, uint64_t entry)
{
    memset(b, 0, sizeof(*b));
    b->len = EB_DATA_START;
    b->entry = entry;
}

/* Append a note to a blob: header, name padded to 4, desc padded to 4. */
static inline void eb_note_raw(uint8_t *blob, size_t *blen, size_t cap, const char *name, uint32_t namesz,
                               uint32_t type, const void *desc, uint32_t descsz)
{
    struct elf_note_hdr h = { .namesz = namesz, .descsz = descsz, .type = type };
    size_t nroom = (namesz + 3) & ~3u, droom = (descsz + 3) & ~3u;

    assert_true(*blen + sizeof(h) + nroom + droom <= cap);
    memcpy(blob + *blen, &h, sizeof(h));
    *blen += sizeof(h);
    memset(blob + *blen, 0, nroom + droom);
    memcpy(blob + *blen, name, namesz);
    *blen += nroom;
    if ( descsz )
        memcpy(blob + *blen, desc, descsz);
    *blen += droom;
}

static inline void eb_xen_note(struct eb *b, uint32_t type, const void *desc, uint32_t descsz)
{
    eb_note_raw(b->notes, &b->notes_len, sizeof(b->notes), "Xen", 4, type, desc, descsz);
}

static inline void eb_xen_str(struct eb *b, uint32_t type, const char *s)
{
    eb_xen_note(b, type, s, strlen(s) + 1);
}

static inline void eb_xen_u64(struct eb *b, uint32_t type, uint64_t v)
{
    eb_xen_note(b, type, &v, sizeof(v));
}

static inline void eb_xen_u32(struct eb *b, uint32_t type, uint32_t v)
{
    eb_xen_note(b, type, &v, sizeof(v));
}

/* A phdr as given (for malformed cases). */
static inline struct elf64_phdr *eb_phdr(struct eb *b, uint32_t type, uint32_t flags, uint64_t offset,
                                         uint64_t paddr, uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
    struct elf64_phdr *ph;

    assert_true(b->nph < EB_MAX_PH);
    ph = &b->ph[b->nph++];
    memset(ph, 0, sizeof(*ph));
    ph->p_type = type;
    ph->p_flags = flags;
    ph->p_offset = offset;
    ph->p_paddr = paddr;
    ph->p_vaddr = vaddr;
    ph->p_filesz = filesz;
    ph->p_memsz = memsz;
    ph->p_align = 0x1000;
    return ph;
}

/* A PT_LOAD whose filesz bytes are appended to the file, byte k of the segment being (seed + k). */
static inline struct elf64_phdr *eb_load(struct eb *b, uint64_t paddr, uint64_t vaddr, uint64_t filesz,
                                         uint64_t memsz, uint8_t seed)
{
    uint64_t off = (b->len + 15) & ~15ul;
    uint64_t k;

    assert_true(off + filesz <= EB_MAX);
    for ( k = 0; k < filesz; k++ )
        b->buf[off + k] = (uint8_t)(seed + k);
    b->len = off + filesz;
    return eb_phdr(b, ELF_PT_LOAD, ELF_PF_R | ELF_PF_W | ELF_PF_X, off, paddr, vaddr, filesz, memsz);
}

/* The image as a heap buffer of exactly its size (free() it); notes placed as asked. */
static inline uint8_t *eb_finish(struct eb *b, enum eb_notes where)
{
    struct elf64_ehdr eh;
    struct elf64_shdr sh[3];
    unsigned int nsh = 0;
    uint8_t *img;

    memset(sh, 0, sizeof(sh));
    b->len = (b->len + 7) & ~7ul;
    if ( b->notes_len && where != EB_NOTES_NONE )
    {
        b->note_off = b->len;
        assert_true(b->len + b->notes_len <= EB_MAX);
        memcpy(b->buf + b->len, b->notes, b->notes_len);
        if ( where == EB_NOTES_SEGMENT )
            eb_phdr(b, ELF_PT_NOTE, ELF_PF_R, b->len, 0, 0, b->notes_len, b->notes_len);
        else
        {
            nsh = nsh ? nsh : 1;
            sh[nsh].sh_type = ELF_SHT_NOTE;
            sh[nsh].sh_offset = b->len;
            sh[nsh].sh_size = b->notes_len;
            nsh++;
        }
        b->len += (b->notes_len + 7) & ~7ul;
    }
    if ( b->sec_notes_len )
    {
        assert_true(b->len + b->sec_notes_len <= EB_MAX);
        memcpy(b->buf + b->len, b->sec_notes, b->sec_notes_len);
        nsh = nsh ? nsh : 1;
        sh[nsh].sh_type = ELF_SHT_NOTE;
        sh[nsh].sh_offset = b->len;
        sh[nsh].sh_size = b->sec_notes_len;
        nsh++;
        b->len += (b->sec_notes_len + 7) & ~7ul;
    }

    memset(&eh, 0, sizeof(eh));
    eh.e_ident[0] = ELF_MAG0;
    eh.e_ident[1] = 'E';
    eh.e_ident[2] = 'L';
    eh.e_ident[3] = 'F';
    eh.e_ident[ELF_EI_CLASS] = ELF_CLASS64;
    eh.e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
    eh.e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
    eh.e_type = ELF_ET_EXEC;
    eh.e_machine = ELF_EM_X86_64;
    eh.e_version = ELF_EV_CURRENT;
    eh.e_entry = b->entry;
    eh.e_phoff = sizeof(eh);
    eh.e_ehsize = sizeof(eh);
    eh.e_phentsize = sizeof(struct elf64_phdr);
    eh.e_phnum = b->nph;
    eh.e_shentsize = sizeof(struct elf64_shdr);
    if ( nsh )
    {
        eh.e_shoff = b->len;
        eh.e_shnum = nsh;
        assert_true(b->len + nsh * sizeof(sh[0]) <= EB_MAX);
        memcpy(b->buf + b->len, sh, nsh * sizeof(sh[0]));
        b->len += nsh * sizeof(sh[0]);
    }
    memcpy(b->buf, &eh, sizeof(eh));
    memcpy(b->buf + sizeof(eh), b->ph, b->nph * sizeof(b->ph[0]));

    b->size = b->len;
    img = malloc(b->size);
    assert_non_null(img);
    memcpy(img, b->buf, b->size);
    return img;
}

/* Patch the ELF header of a finished image. */
static inline struct elf64_ehdr eb_get_ehdr(const uint8_t *img)
{
    struct elf64_ehdr eh;

    memcpy(&eh, img, sizeof(eh));
    return eh;
}

static inline void eb_put_ehdr(uint8_t *img, const struct elf64_ehdr *eh)
{
    memcpy(img, eh, sizeof(*eh));
}

#endif /* TEST_ELF_BUILD_H */
