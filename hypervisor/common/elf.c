/*
 * elf.c - checking an ELF64 x86-64 kernel image, walking its notes and loading its segments.
 *
 * Design: elf_parse() decodes everything it will later rely on into struct elf_image: the header
 * fields, the PT_LOAD segments, and the file ranges of the PT_NOTE segments and SHT_NOTE sections.
 * Each offset and size is checked against the file once, with overflow-safe arithmetic, so that
 * elf_note_next() and elf_load() can trust the copies and never look at the headers again.  All
 * fields are read with memcpy, so the image needs no particular alignment.  The rules follow
 * Xen 4.17's libelf (elf_init, elf_parse_binary, elf_phdr_is_loadable, elf_note_next), tightened
 * where libelf only limits the damage of a bad image.
 *
 * Locking: none; the functions work on caller-owned data.
 */
#include <parva/elf.h>
#include <parva/lib.h>
#include <parva/printk.h>

/* Does [off, off + len) lie inside a file of size bytes? */
static bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static int check_ident(const struct elf64_ehdr *eh)
{
    if ( eh->e_ident[0] != ELF_MAG0 || eh->e_ident[1] != 'E' || eh->e_ident[2] != 'L' ||
         eh->e_ident[3] != 'F' )
        return -ENOEXEC;
    if ( eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64 || eh->e_ident[ELF_EI_DATA] != ELF_DATA2LSB ||
         eh->e_machine != ELF_EM_X86_64 )
    {
        printk(XENLOG_ERR "ELF: not a 64-bit little-endian x86-64 image (class %u data %u machine %u)\n",
               eh->e_ident[ELF_EI_CLASS], eh->e_ident[ELF_EI_DATA], eh->e_machine);
        return -ENOEXEC;
    }
    if ( eh->e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT )
    {
        printk(XENLOG_ERR "ELF: unknown ELF version %u/%u\n", eh->e_ident[ELF_EI_VERSION],
               eh->e_version);
        return -ENOEXEC;
    }
    if ( eh->e_type != ELF_ET_EXEC && eh->e_type != ELF_ET_DYN )
    {
        printk(XENLOG_ERR "ELF: type %u is not an executable\n", eh->e_type);
        return -ENOEXEC;
    }
    return 0;
}

/* Is the table of num entries of entsize bytes (at least minsize) at off inside the file? */
static bool table_ok(uint64_t off, unsigned int num, unsigned int entsize, unsigned int minsize,
                     uint64_t size)
{
    if ( num == 0 )
        return true;
    if ( entsize < minsize )
        return false;
    return range_ok(off, (uint64_t)num * entsize, size);
}

static int take_load(struct elf_image *ei, const struct elf64_phdr *ph, unsigned int i)
{
    struct elf_segment *seg;

    /* As Xen's elf_phdr_is_loadable(): a PT_LOAD without R, W or X is not loaded. */
    if ( !(ph->p_flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X)) )
        return 0;
    if ( !range_ok(ph->p_offset, ph->p_filesz, ei->size) )
    {
        printk(XENLOG_ERR "ELF: segment %u (offset %#lx size %#lx) is outside the file\n", i,
               ph->p_offset, ph->p_filesz);
        return -EINVAL;
    }
    if ( ph->p_filesz > ph->p_memsz )
    {
        printk(XENLOG_ERR "ELF: segment %u has filesz %#lx > memsz %#lx\n", i, ph->p_filesz,
               ph->p_memsz);
        return -EINVAL;
    }
    if ( ph->p_paddr + ph->p_memsz < ph->p_paddr )
    {
        printk(XENLOG_ERR "ELF: segment %u paddr %#lx + memsz %#lx wraps\n", i, ph->p_paddr,
               ph->p_memsz);
        return -EINVAL;
    }
    if ( ei->nr_loads == ELF_MAX_LOADS )
    {
        printk(XENLOG_ERR "ELF: more than %u loadable segments\n", ELF_MAX_LOADS);
        return -E2BIG;
    }

    seg = &ei->load[ei->nr_loads++];
    seg->offset = ph->p_offset;
    seg->paddr = ph->p_paddr;
    seg->vaddr = ph->p_vaddr;
    seg->filesz = ph->p_filesz;
    seg->memsz = ph->p_memsz;
    seg->flags = ph->p_flags;

    if ( ei->nr_loads == 1 || ph->p_paddr < ei->paddr_start )
        ei->paddr_start = ph->p_paddr;
    if ( ei->nr_loads == 1 || ph->p_paddr + ph->p_memsz > ei->paddr_end )
        ei->paddr_end = ph->p_paddr + ph->p_memsz;
    return 0;
}

static int take_note_area(struct elf_note_area *areas, unsigned int *nr, uint64_t off, uint64_t len,
                          uint64_t size, const char *what, unsigned int i)
{
    if ( !range_ok(off, len, size) )
    {
        printk(XENLOG_ERR "ELF: note %s %u (offset %#lx size %#lx) is outside the file\n", what, i,
               off, len);
        return -EINVAL;
    }
    if ( *nr == ELF_MAX_NOTE_AREAS )
    {
        printk(XENLOG_ERR "ELF: more than %u note %ss\n", ELF_MAX_NOTE_AREAS, what);
        return -E2BIG;
    }
    areas[*nr].offset = off;
    areas[*nr].size = len;
    (*nr)++;
    return 0;
}

static int parse_phdrs(struct elf_image *ei, const struct elf64_ehdr *eh)
{
    struct elf64_phdr ph;
    unsigned int i;
    int rc;

    for ( i = 0; i < eh->e_phnum; i++ )
    {
        memcpy(&ph, ei->img + eh->e_phoff + (uint64_t)i * eh->e_phentsize, sizeof(ph));
        if ( ph.p_type == ELF_PT_LOAD )
            rc = take_load(ei, &ph, i);
        else if ( ph.p_type == ELF_PT_NOTE && ph.p_offset != 0 ) /* Xen skips p_offset 0 */
            rc = take_note_area(ei->note_seg, &ei->nr_note_segs, ph.p_offset, ph.p_filesz, ei->size,
                                "segment", i);
        else
            rc = 0;
        if ( rc )
            return rc;
    }
    return 0;
}

static int parse_shdrs(struct elf_image *ei, const struct elf64_ehdr *eh)
{
    struct elf64_shdr sh;
    unsigned int i;
    int rc;

    /* Section 0 is the null section, as in Xen's walk. */
    for ( i = 1; i < eh->e_shnum; i++ )
    {
        memcpy(&sh, ei->img + eh->e_shoff + (uint64_t)i * eh->e_shentsize, sizeof(sh));
        if ( sh.sh_type != ELF_SHT_NOTE )
            continue;
        rc = take_note_area(ei->note_sec, &ei->nr_note_secs, sh.sh_offset, sh.sh_size, ei->size,
                            "section", i);
        if ( rc )
            return rc;
    }
    return 0;
}

int elf_parse(const void *img, size_t size, struct elf_image *ei)
{
    struct elf64_ehdr eh;
    int rc;

    memset(ei, 0, sizeof(*ei));
    if ( !img || size < sizeof(eh) )
    {
        printk(XENLOG_ERR "ELF: image of %zu bytes is too small for an ELF header\n", size);
        return -EINVAL;
    }
    memcpy(&eh, img, sizeof(eh));
    rc = check_ident(&eh);
    if ( rc )
        return rc;

    if ( !table_ok(eh.e_phoff, eh.e_phnum, eh.e_phentsize, sizeof(struct elf64_phdr), size) )
    {
        printk(XENLOG_ERR "ELF: program headers (offset %#lx, %u x %u bytes) are outside the file\n",
               eh.e_phoff, eh.e_phnum, eh.e_phentsize);
        return -EINVAL;
    }
    if ( !table_ok(eh.e_shoff, eh.e_shnum, eh.e_shentsize, sizeof(struct elf64_shdr), size) )
    {
        printk(XENLOG_ERR "ELF: section headers (offset %#lx, %u x %u bytes) are outside the file\n",
               eh.e_shoff, eh.e_shnum, eh.e_shentsize);
        return -EINVAL;
    }

    ei->img = img;
    ei->size = size;
    ei->type = eh.e_type;
    ei->entry = eh.e_entry;

    rc = parse_phdrs(ei, &eh);
    if ( !rc )
        rc = parse_shdrs(ei, &eh);
    if ( !rc && ei->nr_loads == 0 )
    {
        printk(XENLOG_ERR "ELF: no loadable segment\n");
        rc = -EINVAL;
    }
    if ( rc )
        memset(ei, 0, sizeof(*ei));
    return rc;
}

int elf_note_next(const struct elf_image *ei, const struct elf_note_area *area, uint64_t *pos,
                  struct elf_note *note)
{
    struct elf_note_hdr h;
    uint64_t left, name_room, desc_room;
    const uint8_t *p;

    if ( *pos >= area->size )
        return 0;
    left = area->size - *pos;
    p = ei->img + area->offset + *pos;
    if ( left < sizeof(h) )
        return -EINVAL;
    memcpy(&h, p, sizeof(h));
    left -= sizeof(h);

    /* 64-bit sums of 32-bit values: no overflow. */
    name_room = ROUNDUP((uint64_t)h.namesz, 4);
    desc_room = ROUNDUP((uint64_t)h.descsz, 4);
    if ( name_room + h.descsz > left )
        return -EINVAL;

    note->type = h.type;
    note->namesz = h.namesz;
    note->descsz = h.descsz;
    note->name = (const char *)p + sizeof(h);
    note->desc = p + sizeof(h) + name_room;
    /* The last note may omit its descriptor's padding; the next call then sees the end. */
    note->desc_room = min(desc_room, left - name_room);
    *pos += sizeof(h) + name_room + note->desc_room;
    return 1;
}

int elf_load(const struct elf_image *ei, uint64_t virt_offset, elf_copy_fn copy, elf_zero_fn zero,
             void *ctx)
{
    unsigned int i;
    int rc;

    for ( i = 0; i < ei->nr_loads; i++ )
    {
        const struct elf_segment *seg = &ei->load[i];
        uint64_t dest = seg->paddr + virt_offset;

        if ( dest + seg->memsz < dest )
        {
            printk(XENLOG_ERR "ELF: segment at paddr %#lx would load at %#lx, which wraps\n",
                   seg->paddr, dest);
            return -EINVAL;
        }
    }

    for ( i = 0; i < ei->nr_loads; i++ )
    {
        const struct elf_segment *seg = &ei->load[i];
        uint64_t dest = seg->paddr + virt_offset;

        if ( seg->filesz )
        {
            rc = copy(ctx, dest, ei->img + seg->offset, seg->filesz);
            if ( rc )
                return rc;
        }
        if ( seg->memsz > seg->filesz )
        {
            rc = zero(ctx, dest + seg->filesz, seg->memsz - seg->filesz);
            if ( rc )
                return rc;
        }
    }
    return 0;
}
