#!/bin/sh
# fetch-linux.sh - get Debian 12's Linux kernel (package linux-image-amd64) and extract its vmlinux.
#   fetch-linux.sh OUTDIR
# Writes OUTDIR/vmlinux (the uncompressed ELF), OUTDIR/vmlinuz (the package's bzImage as installed in
# /boot, which Parva decompresses itself) and OUTDIR/version; vmlinuz is written last, so it is the
# newest of the three.
# The .deb comes from Debian's archive with `apt-get download` (no root needed); the bzImage's
# xz payload is located through its boot protocol header and decompressed with xz.
set -eu
out=$1
mkdir -p "$out"
cd "$out"
if [ -s vmlinux ] && [ -s version ] && [ -s vmlinuz ]; then
    exit 0
fi
for t in apt-get apt-cache dpkg-deb xz od; do
    command -v $t >/dev/null || { echo "$0: $t missing (run .ci/deps.sh)" >&2; exit 1; }
done
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$pkg" ]; then
    echo "$0: cannot resolve linux-image-amd64 (run apt-get update?)" >&2
    exit 1
fi
rm -f ./*.deb
apt-get download "$pkg" >download.log 2>&1 || { cat download.log >&2; exit 1; }
rm -rf pkg && mkdir pkg
dpkg-deb -x ./*.deb pkg
vmlinuz=$(ls pkg/boot/vmlinuz-* | head -n 1)
# Linux boot protocol: setup_sects at 0x1f1, payload_offset at 0x248, payload_length at 0x24c.
u8() { od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }
sects=$(u8 "$vmlinuz" $((0x1f1)))
[ "$sects" -eq 0 ] && sects=4
poff=$(u32 "$vmlinuz" $((0x248)))
plen=$(u32 "$vmlinuz" $((0x24c)))
start=$(( (sects + 1) * 512 + poff ))
tail -c +$((start + 1)) "$vmlinuz" | head -c "$plen" | xz -dc --single-stream > vmlinux.tmp
head -c 4 vmlinux.tmp | od -An -c | grep -q 'E   L   F' || { echo "$0: the payload is not an ELF image" >&2; exit 1; }
mv vmlinux.tmp vmlinux
echo "$pkg" > version
cp "$vmlinuz" vmlinuz.tmp
mv vmlinuz.tmp vmlinuz
rm -rf pkg ./*.deb
