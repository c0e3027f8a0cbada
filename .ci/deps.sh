#!/bin/sh
# deps.sh - install the Debian 12 packages that building, running and testing Parva need.
# As root: installs whatever is missing.  Otherwise: prints the exact apt-get line and fails.
# Usage: .ci/deps.sh [--check|--list]   (--check: only report, exit 1 if something is missing;
#                                         --list: print the package names)
set -u
PKGS="gcc make binutils libc6-dev qemu-system-x86 grub-pc-bin grub-common xorriso mtools
libcmocka-dev libxen-dev xz-utils
xenstore-utils libxenstore4 clang libclang-rt-14-dev"

[ "${1:-}" = "--list" ] && { echo $PKGS; exit 0; }
missing=""
for p in $PKGS; do
    dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "${1:-}" = "--check" ] && { echo "missing packages:$missing" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
    echo "Parva needs these Debian packages; as root run:" >&2
    echo "  apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $missing >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing >/dev/null; } ||
    { echo "apt-get install failed" >&2; exit 1; }
