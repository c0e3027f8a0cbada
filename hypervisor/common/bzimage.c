/*
 * bzimage.c - finding the kernel inside a Linux bzImage and naming its compression format.
 *
 * Design: a bzImage is real-mode setup code followed by the protected-mode kernel.  Boot protocol
 * 2.08 and later describe the compressed payload in the setup header (Documentation/x86/boot.rst):
 * payload_offset is relative to the protected-mode code, which starts after the (setup_sects + 1)
 * 512-byte sectors of setup.  The payload's first bytes tell the format, with the same magic numbers
 * as Xen's decompressors (xen/common/decompress.c).  Decompressing is left to the caller: the dom0
 * builder (arch/x86/pv/dom0_build.c) decompresses an xz payload with common/xz.c, reading the
 * decompressed size from the payload's last 4 bytes (little-endian), where the Linux build puts it.
 *
 * Locking: none.
 */
#include <parva/elf.h>
#include <parva/lib.h>

#define HDR_SETUP_SECTS     0x1f1   /* u8 */
#define HDR_MAGIC           0x202   /* "HdrS" */
#define HDR_VERSION         0x206   /* u16, e.g. 0x020f */
#define HDR_PAYLOAD_OFFSET  0x248   /* u32 */
#define HDR_PAYLOAD_LENGTH  0x24c   /* u32 */
#define HDR_END             0x250   /* the setup header up to payload_length */
#define SECTOR              512

struct payload_magic {
    const char *name;
    unsigned int len;
    uint8_t bytes[6];
};

static const struct payload_magic magics[] = {
    { "gzip",  2, { 0x1f, 0x8b } },
    { "gzip",  2, { 0x1f, 0x9e } },                     /* old gzip, also accepted by Xen */
    { "xz",    6, { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 } },
    { "bzip2", 3, { 'B', 'Z', 'h' } },
    { "lzma",  3, { 0x5d, 0x00, 0x00 } },
    { "lzo",   4, { 0x89, 0x4c, 0x5a, 0x4f } },
    { "lz4",   4, { 0x02, 0x21, 0x4c, 0x18 } },
    { "zstd",  4, { 0x28, 0xb5, 0x2f, 0xfd } },
    { "none",  4, { 0x7f, 'E', 'L', 'F' } },           /* an uncompressed ELF kernel */
};

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

bool bzimage_is(const void *img, size_t size)
{
    return img && size >= HDR_END && !memcmp((const uint8_t *)img + HDR_MAGIC, "HdrS", 4);
}

int bzimage_payload(const void *img, size_t size, const void **payload, size_t *len,
                    const char **compression)
{
    const uint8_t *p = img;
    unsigned int setup_sects, i;
    uint16_t version;
    uint64_t off, plen;

    if ( !bzimage_is(img, size) )
        return -ENOEXEC;

    memcpy(&version, p + HDR_VERSION, sizeof(version));
    if ( version < 0x0208 )
        return -EINVAL;

    setup_sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : 4;
    off = (uint64_t)(setup_sects + 1) * SECTOR + get32(p + HDR_PAYLOAD_OFFSET);
    plen = get32(p + HDR_PAYLOAD_LENGTH);
    if ( plen == 0 || off > size || plen > size - off )
        return -EINVAL;

    for ( i = 0; i < ARRAY_SIZE(magics); i++ )
    {
        if ( plen < magics[i].len || memcmp(p + off, magics[i].bytes, magics[i].len) )
            continue;
        *payload = p + off;
        *len = plen;
        *compression = magics[i].name;
        return 0;
    }
    return -EOPNOTSUPP;
}
