#!/bin/sh
# gen_xz_vectors.sh - the test vectors of test_xz, made with the host's xz (XZ Utils); run by test_xz.mk.
#   gen_xz_vectors.sh OUTDIR
# Writes into OUTDIR the inputs (text, x86 code, incompressible data, zeros...), one <case>.xz per case,
# <input>.bcj files (inputs after the x86 BCJ encoder alone), and the list OUTDIR/cases, one line a case:
#   <case> <expected result: 0, EINVAL or EOPNOTSUPP> <input it decompresses to, "-" when it fails>
# Cases named short-* are single streams small enough to be truncated at every length and to have
# every bit flipped.
set -eu
out=$1
command -v xz >/dev/null || { echo "$0: xz missing (run .ci/deps.sh)" >&2; exit 1; }
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cd "$out.tmp"

# --- inputs ---
: > empty
printf 'x' > one
LC_ALL=C awk 'BEGIN { for (i = 0; i < 24000; i++)
    printf "line %d: the quick brown fox %d jumps over the lazy dog %x\n", i, (i * 7919) % 10007, i * i }' > text
head -c 3000 text > short
cp "$(command -v bash)" code                    # x86-64 machine code: calls and jumps for the BCJ filter
tail -c +200001 code | head -c 12000 > shortcode
xz -9 -c code > noise                           # compressed data is incompressible: stored LZMA2 chunks
head -c 2000 noise > shortnoise
head -c 3000000 /dev/zero > zeros
cat text one > text+one
cat one code > one+code

# The BCJ encoder's output alone (raw LZMA2 with and without the filter), to test the filter directly.
xz --format=raw --x86 --lzma2=preset=0 -c code | xz --format=raw --lzma2=preset=0 -dc > code.bcj
xz --format=raw --x86=start=4096 --lzma2=preset=0 -c code | xz --format=raw --lzma2=preset=0 -dc > code-4096.bcj

# --- cases ---
: > cases.tmp
c() {   # c NAME EXPECT INPUT XZ-OPTIONS...
    name=$1 expect=$2 input=$3
    shift 3
    xz -c "$@" "$input" > "$name.xz"
    [ "$expect" = 0 ] || input=-
    echo "$name $expect $input" >> cases.tmp
}
c empty             0 empty
c one               0 one
c one-none          0 one --check=none
c text-none         0 text --check=none
c text-crc32        0 text --check=crc32
c text-crc64        0 text --check=crc64
c text-0            0 text -0
c text-9e           0 text -9e
c text-lc4          0 text --lzma2=preset=6,lc=4,lp=0,pb=0
c text-lp4          0 text --lzma2=preset=6,lc=0,lp=4,pb=4
c text-lc1lp3       0 text --lzma2=preset=3,lc=1,lp=3,pb=1
c text-fast         0 text --lzma2=preset=6,mode=fast,mf=hc3
c text-blocks       0 text --block-size=100000                  # several blocks, no sizes in headers
c text-mt           0 text -T2 --block-size=65536               # several blocks, sizes in headers
c code-x86          0 code --x86 --lzma2=preset=6
c code-x86-9e       0 code --x86 --lzma2=preset=9e
c code-x86-start    0 code --x86=start=4096 --lzma2=preset=6
c code-kernel       0 code --check=crc32 --x86 --lzma2=dict=32MiB  # as Linux's scripts/xz_wrap.sh
c code-x86-blocks   0 code --x86 --lzma2=preset=6 --block-size=200000
c noise             0 noise -6
c zeros             0 zeros -9
c zeros-0           0 zeros -0
c short-crc32       0 short --check=crc32
c short-crc64       0 short --check=crc64
c short-none        0 short --check=none
c short-x86         0 shortcode --check=crc32 --x86 --lzma2=preset=6
c short-noise       0 shortnoise --check=crc64
c short-empty       0 empty --check=crc32
c short-blocks      0 short --check=crc32 --block-size=500
c short-mt          0 short --check=crc64 -T2 --block-size=500  # sizes in block headers
c sha256            EOPNOTSUPP short --check=sha256
c delta             EOPNOTSUPP short --delta=dist=4 --lzma2
c arm               EOPNOTSUPP short --arm --lzma2
c lzma-alone        EINVAL short --format=lzma

# Concatenated streams, with and without stream padding, and padding that is not.
cat text-crc32.xz one.xz > concat.xz
echo "concat 0 text+one" >> cases.tmp
{ cat one-none.xz; head -c 4 /dev/zero; cat code-x86.xz; head -c 8 /dev/zero; } > concat-pad.xz
echo "concat-pad 0 one+code" >> cases.tmp
{ cat one.xz; head -c 3 /dev/zero; } > pad-3.xz
echo "pad-3 EINVAL -" >> cases.tmp
{ cat one.xz; printf 'JUNK'; } > garbage.xz
echo "garbage EINVAL -" >> cases.tmp
: > nothing.xz
echo "nothing EINVAL -" >> cases.tmp

mv cases.tmp cases
cd - >/dev/null
rm -rf "$out"
mv "$out.tmp" "$out"
