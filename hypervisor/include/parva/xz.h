/*
 * xz.h - a single-call .xz decompressor (common/xz.c), for compressed dom0 kernels.
 *
 * What it reads: the .xz container of the XZ Utils file-format specification (stream header and
 * footer, blocks, index, all checked), one or more concatenated streams with stream padding
 * between or after them, the filter chains LZMA2 and x86 BCJ + LZMA2, and the checks none, CRC32
 * and CRC64.  SHA-256, the other filters (delta, the other BCJ filters) and reserved header bits
 * are refused as unsupported.
 *
 * Single-call: the whole input is in memory and the output buffer is LZMA's dictionary, so the
 * only memory it takes is one ~32 KiB workspace (the LZMA probability tables and the CRC tables),
 * allocated with xzalloc and freed before returning: too big for a hypervisor stack.
 *
 * Safety: whatever the input (corrupt, truncated, hostile), nothing outside in[0, in_len) is read
 * and nothing outside out[0, out_cap) is written; every back-reference is checked against what
 * has been decoded since the last dictionary reset.  The output buffer may hold garbage from a
 * failed call.
 */
#ifndef PARVA_XZ_H
#define PARVA_XZ_H

#include <parva/types.h>

/*
 * Decompress in[0, in_len) into out[0, out_cap); *out_len gets the decompressed size on success
 * (and is left alone on failure).  out may be NULL when out_cap is 0.
 *   0            success
 *   -EINVAL      not .xz, corrupt or truncated data, a check that does not match
 *   -ENOSPC      the data decompresses to more than out_cap bytes
 *   -EOPNOTSUPP  a valid header asking for something this decoder lacks: a check other than
 *                none/CRC32/CRC64, a filter other than LZMA2 and x86 BCJ, reserved bits set
 *   -ENOMEM      no memory for the workspace
 */
int xz_decompress(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len);

#endif /* PARVA_XZ_H */
