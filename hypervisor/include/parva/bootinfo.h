/*
 * bootinfo.h - what the boot loader told us, copied out of the Multiboot2
 * information structure (MBI) by mb2_parse().
 *
 * The MBI lives in memory that later becomes free RAM, so struct boot_info
 * holds copies of everything Parva needs (strings included), with fixed
 * limits.  Anything past a limit is reported, counted and dropped; nothing
 * is ever written past an array.  A struct boot_info is large (about 21 KiB):
 * keep it in static (init) data, not on a stack.
 */
#ifndef PARVA_BOOTINFO_H
#define PARVA_BOOTINFO_H

#include <parva/compiler.h>
#include <parva/types.h>
#include <parva/memmap.h>

/* EAX on entry from a Multiboot2 boot loader. */
#define MB2_BOOTLOADER_MAGIC    0x36d76289U

/* Multiboot2 information tag types. */
#define MB2_TAG_END             0
#define MB2_TAG_CMDLINE         1
#define MB2_TAG_LOADER_NAME     2
#define MB2_TAG_MODULE          3
#define MB2_TAG_BASIC_MEMINFO   4
#define MB2_TAG_BOOTDEV         5
#define MB2_TAG_MMAP            6
#define MB2_TAG_VBE             7
#define MB2_TAG_FRAMEBUFFER     8
#define MB2_TAG_ELF_SECTIONS    9
#define MB2_TAG_APM             10
#define MB2_TAG_EFI32           11
#define MB2_TAG_EFI64           12
#define MB2_TAG_SMBIOS          13
#define MB2_TAG_ACPI_OLD        14
#define MB2_TAG_ACPI_NEW        15
#define MB2_TAG_NETWORK         16
#define MB2_TAG_EFI_MMAP        17
#define MB2_TAG_EFI_BS          18
#define MB2_TAG_EFI32_IH        19
#define MB2_TAG_EFI64_IH        20
#define MB2_TAG_LOAD_BASE_ADDR  21

/* EFI tags seen, as bits (1U << MB2_TAG_*) in boot_info.efi_tags. */
#define MB2_EFI_TAGS_MASK       ((1U << MB2_TAG_EFI32) | (1U << MB2_TAG_EFI64) | \
                                 (1U << MB2_TAG_EFI_MMAP) | (1U << MB2_TAG_EFI_BS) | \
                                 (1U << MB2_TAG_EFI32_IH) | (1U << MB2_TAG_EFI64_IH))

#define BOOTINFO_CMDLINE_SIZE   1024    /* bytes, NUL included */
#define BOOTINFO_LOADER_SIZE    128
#define BOOTINFO_MAX_MEMMAP     128
#define BOOTINFO_MAX_MODULES    16
#define BOOTINFO_MODULE_CMDLINE_SIZE 1024
#define BOOTINFO_RSDP_V1_SIZE   20      /* ACPI 1.0 RSDP */
#define BOOTINFO_RSDP_V2_SIZE   36      /* ACPI 2.0+ RSDP (XSDT address, extended checksum) */

struct boot_module {
    paddr_t start, end;                 /* machine range [start, end) */
    char cmdline[BOOTINFO_MODULE_CMDLINE_SIZE];
    bool cmdline_truncated;
};

struct boot_info {
    paddr_t mbi_start, mbi_end;         /* machine range of the MBI itself [start, end) */

    bool has_cmdline;
    bool cmdline_truncated;
    char cmdline[BOOTINFO_CMDLINE_SIZE];

    bool has_loader_name;
    bool loader_name_truncated;
    char loader_name[BOOTINFO_LOADER_SIZE];

    bool has_meminfo;                   /* basic meminfo: a fallback when there is no map */
    uint32_t mem_lower_kb;              /* KiB from 0 (at most 640) */
    uint32_t mem_upper_kb;              /* KiB from 1 MiB to the first hole */

    bool has_memmap;
    unsigned int nr_memmap;
    unsigned int memmap_dropped;        /* entries past BOOTINFO_MAX_MEMMAP */
    struct memmap_entry memmap[BOOTINFO_MAX_MEMMAP];   /* as given: unsorted, unsanitised */

    unsigned int nr_modules;
    unsigned int modules_dropped;       /* modules past BOOTINFO_MAX_MODULES */
    struct boot_module modules[BOOTINFO_MAX_MODULES];  /* in MBI order: dom0 kernel first */

    unsigned int rsdp_len;              /* 0 (none), BOOTINFO_RSDP_V1_SIZE or BOOTINFO_RSDP_V2_SIZE */
    uint8_t rsdp[BOOTINFO_RSDP_V2_SIZE];

    uint32_t efi_tags;                  /* 1U << tag type for each EFI tag seen (MB2_EFI_TAGS_MASK) */

    bool has_load_base;
    paddr_t load_base;                  /* where the loader put the image (tag 21) */

    unsigned int bad_tags;              /* malformed or duplicate tags that were skipped */
};

/*
 * Parse the MBI at mbi (machine address mbi_paddr) into *bi.  Only
 * [mbi, mbi + mbi_max) may be read; mbi must be 8-byte aligned.  Returns
 * -EINVAL if the structure itself is broken (total_size below 16 or above
 * mbi_max, a tag smaller than 8 bytes or running past total_size, no end
 * tag); *bi is then all zeroes.  A tag with bad contents (string not
 * terminated, bad module range, bad memory map layout, ...) is reported,
 * counted in bi->bad_tags and skipped, and parsing goes on.  Returns 0 then.
 */
int mb2_parse(const void *mbi, paddr_t mbi_paddr, size_t mbi_max, struct boot_info *bi);

/* Log what was found (XENLOG_INFO): loader, command line, memory map, modules, ACPI, EFI. */
void mb2_print(const struct boot_info *bi);

#endif /* PARVA_BOOTINFO_H */
