#!/bin/sh
# mkiso.sh - build a bootable GRUB2 (BIOS) ISO with the Parva entry.
#   mkiso.sh OUT.iso HYPERVISOR "HYPERVISOR CMDLINE" [MODULE "MODULE CMDLINE"]...
# Modules are copied to /boot/ under their own file names, in order: dom0 kernel, dom0 initrd, others.
set -eu
[ $# -ge 3 ] && [ $(( ($# - 3) % 2 )) -eq 0 ] || {
    echo "usage: $0 OUT.iso HYPERVISOR \"HYPERVISOR CMDLINE\" [MODULE \"MODULE CMDLINE\"]..." >&2; exit 2; }
out=$1 hv=$2 hvcmd=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
for t in grub-mkrescue xorriso; do
    command -v $t >/dev/null || { echo "$0: $t missing (run .ci/deps.sh)" >&2; exit 1; }
done
[ -f "$hv" ] || { echo "$0: no hypervisor image $hv" >&2; exit 1; }

tree=$(mktemp -d "${TMPDIR:-/tmp}/parva-iso.XXXXXX")
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/boot/grub"
cp "$hv" "$tree/boot/parva"
mods=""
while [ $# -gt 0 ]; do
    m=$1 mcmd=$2
    shift 2
    [ -f "$m" ] || { echo "$0: no module file $m" >&2; exit 1; }
    name=$(basename "$m")
    cp "$m" "$tree/boot/$name"
    mods="$mods    module2 /boot/$name $mcmd
"
done
title=$(basename "$out" .iso)
# Substitute with awk: command lines may hold characters sed would treat specially.
awk -v title="$title" -v hvcmd="$hvcmd" -v mods="$mods" '
    { gsub(/@TITLE@/, title); gsub(/@HV_CMDLINE@/, hvcmd) }
    /^@MODULES@$/ { printf "%s", mods; next }
    { print }' "$here/grub.cfg.in" > "$tree/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out.tmp" "$tree" >"$out.log" 2>&1 || { cat "$out.log" >&2; rm -f "$out.tmp"; exit 1; }
mv "$out.tmp" "$out"
