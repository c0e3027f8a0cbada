/*
 * elf.h - the PV kernel loader: ELF64 parsing and loading (common/elf.c), Xen ELF notes, their checks
 * and the kernel's virtual layout (common/elf_xen.c), and bzImage payload location (common/bzimage.c).
 *
 * The rules are those of Xen 4.17's builders (libelf plus the PV dom0 and domU builders), so a kernel
 * that Xen boots is read the same way here.  Where Parva is stricter, the comment at the function says
 * so.  Nothing here allocates: results go into structs the caller provides, and every offset or length
 * read from the image is checked against the image before use.
 *
 * Typical use (a dom0 or domU builder):
 *     elf_parse(img, size, &ei);
 *     xen_notes_parse(&ei, &notes);
 *     xen_notes_check(&notes, is_dom0, XEN_NOTES_FEATURES_XEN417, why, sizeof(why));
 *     xen_kernel_layout(&ei, &notes, &layout);
 *     ... build the guest's address space covering [layout.virt_base, layout.virt_kend) and more ...
 *     elf_load(&ei, layout.virt_offset, copy, zero, ctx);
 */
#ifndef PARVA_ELF_H
#define PARVA_ELF_H

#include <parva/compiler.h>
#include <parva/types.h>
#include <xen/elfnote.h>
#include <xen/features.h>

/* ---- ELF64 on-disk structures (System V gABI), little-endian x86-64 only. ---- */

#define ELF_MAG0            0x7f    /* e_ident[0..3] = "\177ELF" */
#define ELF_EI_CLASS        4
#define ELF_EI_DATA         5
#define ELF_EI_VERSION      6
#define ELF_EI_NIDENT       16
#define ELF_CLASS64         2
#define ELF_DATA2LSB        1
#define ELF_EV_CURRENT      1
#define ELF_ET_EXEC         2
#define ELF_ET_DYN          3
#define ELF_EM_X86_64       62

#define ELF_PT_LOAD         1
#define ELF_PT_NOTE         4
#define ELF_PF_X            1
#define ELF_PF_W            2
#define ELF_PF_R            4
#define ELF_SHT_NOTE        7

struct elf64_ehdr {
    uint8_t  e_ident[ELF_EI_NIDENT];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};

struct elf64_shdr {
    uint32_t sh_name;
    uint32_t sh_type;
    uint64_t sh_flags;
    uint64_t sh_addr;
    uint64_t sh_offset;
    uint64_t sh_size;
    uint32_t sh_link;
    uint32_t sh_info;
    uint64_t sh_addralign;
    uint64_t sh_entsize;
};

/* A note header; x86-64 notes use 4-byte fields and 4-byte padding (as Linux and Xen 4.17). */
struct elf_note_hdr {
    uint32_t namesz;
    uint32_t descsz;
    uint32_t type;
};

/* ---- Parsed image (common/elf.c) ---- */

#define ELF_MAX_LOADS       16      /* PT_LOAD segments kept; more is -E2BIG */
#define ELF_MAX_NOTE_AREAS  16      /* PT_NOTE segments, and separately SHT_NOTE sections; more is -E2BIG */

/* One loadable segment; checked: offset + filesz inside the file, filesz <= memsz, paddr + memsz no wrap. */
struct elf_segment {
    uint64_t offset;
    uint64_t paddr;
    uint64_t vaddr;             /* informational only: loading uses paddr */
    uint64_t filesz;
    uint64_t memsz;
    uint32_t flags;             /* ELF_PF_* */
};

/* A byte range of the file holding notes; checked to lie inside the file. */
struct elf_note_area {
    uint64_t offset;
    uint64_t size;
};

struct elf_image {
    const uint8_t *img;         /* the caller's buffer; must stay valid while this is used */
    size_t size;
    uint16_t type;              /* ELF_ET_EXEC or ELF_ET_DYN */
    uint64_t entry;             /* e_entry */
    unsigned int nr_loads;
    struct elf_segment load[ELF_MAX_LOADS];
    unsigned int nr_note_segs;  /* PT_NOTE segments (p_offset 0 ones skipped, as Xen) */
    struct elf_note_area note_seg[ELF_MAX_NOTE_AREAS];
    unsigned int nr_note_secs;  /* SHT_NOTE sections, when there is a section header table */
    struct elf_note_area note_sec[ELF_MAX_NOTE_AREAS];
    uint64_t paddr_start;       /* lowest p_paddr over the PT_LOADs */
    uint64_t paddr_end;         /* highest p_paddr + p_memsz over the PT_LOADs */
};

/*
 * Check and decode an ELF64 little-endian x86-64 image of size bytes.
 * Returns 0, -ENOEXEC (not ELF, or not ELF64 LSB x86-64 ET_EXEC/ET_DYN), -EINVAL (malformed: truncated,
 * tables or segments outside the file, filesz > memsz, paddr + memsz wraps, no loadable segment) or
 * -E2BIG (more than ELF_MAX_LOADS PT_LOADs or ELF_MAX_NOTE_AREAS note segments/sections).
 * As Xen, a PT_LOAD with none of R/W/X set is not loadable and is ignored, and so is a PT_NOTE
 * with p_offset 0 (an old binutils bug).  Section headers are optional (e_shnum 0); when present,
 * the table must lie inside the file (Xen's elf_init rejects the image otherwise).
 */
int elf_parse(const void *img, size_t size, struct elf_image *ei);

/* One note, pointing into the image; name and desc lie inside their note area. */
struct elf_note {
    uint32_t type;
    uint32_t namesz;
    uint32_t descsz;
    uint32_t desc_room;         /* descsz plus the padding after it that is inside the area */
    const char *name;
    const uint8_t *desc;
};

/*
 * Step through the notes of an area: *pos starts at 0.  Returns 1 with *note filled and *pos moved
 * past the note (name and desc padded to 4 bytes), 0 at the end of the area, -EINVAL if the note
 * header, name or descriptor does not fit in the area.
 */
int elf_note_next(const struct elf_image *ei, const struct elf_note_area *area, uint64_t *pos,
                  struct elf_note *note);

/*
 * Copy n bytes from src to guest virtual address dest_va / zero n bytes at dest_va; 0 or -errno.
 * Called with n > 0 only.
 */
typedef int (*elf_copy_fn)(void *ctx, uint64_t dest_va, const void *src, size_t n);
typedef int (*elf_zero_fn)(void *ctx, uint64_t dest_va, size_t n);

/*
 * Load every PT_LOAD at p_paddr + virt_offset (never p_vaddr): p_filesz bytes through copy, the
 * rest of p_memsz through zero.  All destinations are checked first (-EINVAL if one wraps); then
 * the segments are loaded in program header order and the first callback error is returned.
 */
int elf_load(const struct elf_image *ei, uint64_t virt_offset, elf_copy_fn copy, elf_zero_fn zero,
             void *ctx);

/* ---- Xen notes (common/elf_xen.c) ---- */

#define XEN_NOTE_STR_MAX    64      /* string notes are kept up to this size, NUL included (truncated) */
#define XEN_NOTE_FEATURES_MAX 128   /* the FEATURES string copy (parsing uses the whole note) */
#define XEN_MAX_TOTAL_NOTES 65536   /* notes walked in total, as Xen's ELF_MAX_TOTAL_NOTE_COUNT */

struct xen_elf_notes {
    uint32_t present;                   /* bit XEN_ELFNOTE_<x> set when that note was seen */
    unsigned int nr_xen_notes;          /* notes named "Xen", known types or not */
    bool from_sections;                 /* found in SHT_NOTE sections, not PT_NOTE segments */
    /* Strings (NUL-terminated, truncated to the buffer). */
    char guest_os[XEN_NOTE_STR_MAX];
    char guest_version[XEN_NOTE_STR_MAX];
    char xen_version[XEN_NOTE_STR_MAX];
    char loader[XEN_NOTE_STR_MAX];
    char pae_mode[XEN_NOTE_STR_MAX];
    char bsd_symtab[XEN_NOTE_STR_MAX];
    char features[XEN_NOTE_FEATURES_MAX];
    /* Numbers (1/2/4/8-byte little-endian; any other size reads as 0, as Xen's elf_note_numeric). */
    uint64_t entry;
    uint64_t hypercall_page;
    uint64_t virt_base;
    uint64_t paddr_offset;
    uint64_t hv_start_low;
    uint64_t init_p2m;
    uint64_t mod_start_pfn;
    uint64_t suspend_cancel;
    uint64_t phys32_entry;
    uint64_t l1_mfn_valid_mask;         /* desc of two 4- or two 8-byte values; else both 0 */
    uint64_t l1_mfn_valid_value;
    /* Features: FEATURES "a|!b" names and the SUPPORTED_FEATURES bitmap, OR-ed. */
    uint32_t supported[XENFEAT_NR_SUBMAPS];
    uint32_t required[XENFEAT_NR_SUBMAPS];
};

static inline bool xen_note_present(const struct xen_elf_notes *n, unsigned int type)
{
    return type < 32 && (n->present & (1U << type));
}

/*
 * Read the Xen notes: every PT_NOTE segment, and only if those hold no note named "Xen", every
 * SHT_NOTE section (as Xen's elf_xen_parse).  Later notes of a type override earlier ones; feature
 * bits accumulate.  A string note must be NUL-terminated inside its descriptor or the descriptor's
 * padding: Linux writes FEATURES with .ascii (descsz 41, the NUL is the first padding byte), which
 * Xen reads as a C string.  Returns 0, -EINVAL (a malformed note; a string without a NUL before the
 * next note, which Xen would read on into (Parva refuses it); a FEATURES entry "!name" with a name
 * this parser does not know, as Xen) or -E2BIG (more than XEN_MAX_TOTAL_NOTES notes).
 * An unknown feature name without '!' is ignored, as Xen.
 */
int xen_notes_parse(const struct elf_image *ei, struct xen_elf_notes *n);

/* The XENFEAT_* name of bit nr ("writable_page_tables", ...), or NULL. */
const char *xen_feature_name(unsigned int nr);

/*
 * The features that Xen 4.17's own FEATURES parser knows, minus supervisor_mode_kernel (which its PV
 * builders refuse when required).  Passed as `offered` to xen_notes_check, it reproduces Xen 4.17's
 * accept/reject decision for required features exactly: Linux's "!writable_page_tables" is accepted,
 * "!supervisor_mode_kernel" or a required feature Xen does not know is refused.
 */
#define XEN_NOTES_FEATURES_XEN417 \
    ((1U << XENFEAT_writable_page_tables) | (1U << XENFEAT_writable_descriptor_tables) | \
     (1U << XENFEAT_auto_translated_physmap) | (1U << XENFEAT_pae_pgdir_above_4gb) | \
     (1U << XENFEAT_hvm_callback_vector) | (1U << XENFEAT_dom0))

/*
 * Is this a kernel Xen 4.17 would load as a PV guest?  0, or -EINVAL with a one-line reason in why
 * (which may be NULL).  In order:
 *  - there must be Xen notes (Xen refuses an x86 ELF without notes; the pre-2006 "__xen_guest"
 *    section is not supported);
 *  - LOADER must start with "generic" or GUEST_OS with "linux" (Xen's elf_xen_note_check);
 *  - XEN_VERSION must start with "xen-3.0";
 *  - dom0: if the kernel has a SUPPORTED_FEATURES note, XENFEAT_dom0 must be among its supported
 *    features (Xen 4.17 dom0_build.c; a kernel without that note is accepted, as in Xen);
 *  - every required feature must be in offered (bit n = XENFEAT n).
 * PAE_MODE and HV_START_LOW are not checked: they only matter to 32-bit kernels, which elf_parse
 * already refused (-ENOEXEC).  As in Xen 4.17, a 64-bit kernel's PAE_MODE only decides the "p"
 * suffix of start_info's magic (pv/dom0_build.c).
 */
int xen_notes_check(const struct xen_elf_notes *n, bool dom0, uint32_t offered, char *why, size_t len);

/* Where the kernel goes in the guest's virtual address space. */
struct pv_kernel_layout {
    uint64_t virt_base;         /* VIRT_BASE: virtual address of pseudo-physical 0 (absent: 0) */
    uint64_t paddr_offset;      /* PADDR_OFFSET (absent: 0) */
    uint64_t virt_offset;       /* virt_base - paddr_offset: add to p_paddr to get the load address */
    uint64_t virt_kstart;       /* paddr_start + virt_offset, page aligned */
    uint64_t virt_kend;         /* paddr_end + virt_offset (not rounded) */
    uint64_t virt_entry;        /* ENTRY note, else e_entry */
    bool has_hypercall_page;
    uint64_t virt_hypercall;    /* HYPERCALL_PAGE, when has_hypercall_page */
    bool has_init_p2m;
    uint64_t init_p2m;          /* INIT_P2M: the p2m list's own virtual address, when has_init_p2m */
    bool mod_start_pfn;         /* MOD_START_PFN != 0: the initrd may stay unmapped (SIF_MOD_START_PFN) */
};

/*
 * Compute the layout as Xen's elf_xen_addr_calc_check and check it; 0 or -EINVAL (reason printed).
 * As Xen: PADDR_OFFSET without VIRT_BASE is refused; VIRT_BASE absent means 0; PADDR_OFFSET absent
 * means 0 (Xen's default for images with ELF notes, VIRT_BASE present or not); virt_base must not
 * be above virt_kstart; the entry must be inside the kernel; INIT_P2M must not be inside the kernel.
 * Parva also requires (stricter than Xen, satisfied by Linux and small test kernels):
 *  - canonical addresses, no wrap-around, [virt_kstart, virt_kend) non-empty and on one side of the
 *    non-canonical hole;
 *  - virt_base and virt_kstart page aligned (Xen's domU builder requires the latter too);
 *  - virt_entry in [virt_kstart, virt_kend) (Xen allows virt_kend itself);
 *  - virt_kend - virt_base <= 1 GiB (Linux keeps only the 1 GiB at VIRT_BASE; see the requirements);
 *  - [virt_base, virt_kend) outside the hypervisor's HYPERVISOR_VIRT_START..END (Xen checks this
 *    for the whole bootstrap region, which the builder must still do);
 *  - HYPERCALL_PAGE page aligned with its whole page inside the kernel (Xen only checks that it
 *    lies in the bootstrap region);
 *  - INIT_P2M canonical, page aligned, outside the hypervisor range and below virt_base or at/after
 *    virt_kend.  The builder knows the p2m's size and must check that its whole extent misses the
 *    bootstrap region and the hypervisor range.
 */
int xen_kernel_layout(const struct elf_image *ei, const struct xen_elf_notes *n,
                      struct pv_kernel_layout *l);

/* ---- bzImage (common/bzimage.c) ---- */

/* Does the image carry a Linux boot protocol header ("HdrS" at 0x202)? */
bool bzimage_is(const void *img, size_t size);

/*
 * Locate the protected-mode payload of a bzImage: at (setup_sects + 1) * 512 + payload_offset
 * (setup_sects 0 means 4), payload_length bytes, which must lie inside the image.  *compression
 * is "gzip", "bzip2", "xz", "lzma", "lzo", "lz4", "zstd", or "none" for a plain ELF payload.
 * Returns 0 with the outputs set; -ENOEXEC if not a bzImage; -EINVAL for a boot protocol older
 * than 2.08 (no payload fields; Xen refuses it too) or a payload outside the image;
 * -EOPNOTSUPP if the payload's format is not recognised.  Nothing is decompressed.
 */
int bzimage_payload(const void *img, size_t size, const void **payload, size_t *len,
                    const char **compression);

#endif /* PARVA_ELF_H */
