#!/bin/sh
# test_grubd.sh - the grub.d script generates a valid Parva submenu for the kernels of an installed system.
# Runs boot/grub.d/20_parva against a fake /boot, with grub-mkconfig_lib replaced by a stub whose
# functions behave like GRUB's on a simple system, and checks the entries and their GRUB syntax.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
check() {   # STATUS DESCRIPTION
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - grub.d: $2"; else echo "not ok $n - grub.d: $2"; sed 's/^/#   | /' "$tmp/out"; fi
}
echo "1..11"

mkdir -p "$tmp/lib" "$tmp/boot"
cat > "$tmp/lib/grub-mkconfig_lib" <<'STUB'
make_system_path_relative_to_its_root() { echo "$1" | sed "s|^$FAKE_ROOT||"; }
grub_file_is_not_garbage() { case "$1" in *.dpkg-*|*.bak) return 1;; esac; return 0; }
version_sort() { case $1 in -r) shift; printf '%s\n' "$@" | sort -V -r;; *) printf '%s\n' "$@" | sort -V;; esac; }
gettext_printf() { fmt=$1; shift; printf "$fmt" "$@"; }
prepare_grub_to_access_device() { echo "insmod part_msdos"; echo "insmod ext2"; }
STUB
for f in parva vmlinuz-6.1.0-9-amd64 vmlinuz-6.1.0-13-amd64 initrd.img-6.1.0-13-amd64 vmlinuz-6.1.0-13-amd64.bak; do
    echo x > "$tmp/boot/$f"
done

run() {
    env FAKE_ROOT="$tmp" pkgdatadir="$tmp/lib" PARVA_IMAGE="$tmp/boot/parva" PARVA_BOOT_DIR="$tmp/boot" \
        GRUB_DEVICE=/dev/sda1 GRUB_DISTRIBUTOR=Debian "$@" sh boot/grub.d/20_parva >"$tmp/out" 2>"$tmp/err"
}

run GRUB_CMDLINE_PARVA="dom0_mem=1G loglvl=all" GRUB_CMDLINE_LINUX="quiet"
check $? "runs"
grep -q '^submenu "Debian, with the Parva hypervisor"' "$tmp/out"; check $? "submenu"
[ "$(grep -c 'menuentry ' "$tmp/out")" -eq 2 ]; check $? "one entry per kernel (backup files skipped)"
grep -n 'menuentry' "$tmp/out" | head -1 | grep -q '6.1.0-13-amd64'; check $? "newest kernel first"
grep -q '^        multiboot2 /boot/parva dom0_mem=1G loglvl=all *$' "$tmp/out"; check $? "hypervisor line with GRUB_CMDLINE_PARVA"
grep -q '^        module2 /boot/vmlinuz-6.1.0-13-amd64 root=/dev/sda1 ro console=hvc0 quiet' "$tmp/out"
check $? "dom0 kernel module line with root, console=hvc0 and GRUB_CMDLINE_LINUX"
[ "$(grep -c 'module2 --nounzip /boot/initrd.img-6.1.0-13-amd64' "$tmp/out")" -eq 1 ]; check $? "initrd only where one exists"
if command -v grub-script-check >/dev/null; then grub-script-check "$tmp/out"; else false; fi
check $? "output passes grub-script-check"

run GRUB_CMDLINE_LINUX="console=ttyS0"
grep -q 'multiboot2 /boot/parva console=com1,vga com1=115200,8n1' "$tmp/out" && ! grep -q 'console=hvc0' "$tmp/out"
check $? "defaults: Xen-style serial options; an explicit Linux console= is kept"

mkdir -p "$tmp/etc"
printf 'GRUB_TIMEOUT=5\nGRUB_CMDLINE_PARVA="dom0_mem=2G loglvl=all"\n' > "$tmp/etc/grub"
run PARVA_GRUB_DEFAULTS="$tmp/etc/grub"
grep -q '^        multiboot2 /boot/parva dom0_mem=2G loglvl=all *$' "$tmp/out"
check $? "GRUB_CMDLINE_PARVA read from the defaults file when grub-mkconfig did not export it"

rm "$tmp/boot/parva"
run
[ $? -eq 0 ] && [ ! -s "$tmp/out" ]; check $? "no entries without /boot/parva"
