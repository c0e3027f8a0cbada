#!/bin/bash
# xen-oracle.sh - boot every PV test kernel (or the named ones) as dom0 on REAL Xen 4.17 under QEMU:
# the oracle the tests are validated against. Prints TAP ("ok - guest NAME: SUCCESS").
#   tests/guests/xen-oracle.sh [TEST...]          (JOBS=2 to boot two at a time)
# Xen comes from Debian's xen-hypervisor-4.17-amd64, fetched with `apt-get download` into
# build/xen-oracle/ and unpacked there with dpkg-deb -x (nothing is installed on the host).
# smap=0: under QEMU 7.2 TCG a QEMU bug makes Xen's ring-3 iret fault with SMAP on.
set -u
cd "$(dirname "$0")/../.."
. tests/guests/common.sh

ORACLE_DIR=${BUILD:-build}/xen-oracle
HV_NAME=xen
HV_IMAGE=$ORACLE_DIR/root/boot/xen-4.17-amd64.gz
HV_CMDLINE="console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all dom0_mem=64M,max:64M smap=0"

if [ ! -f "$HV_IMAGE" ]; then
    mkdir -p "$ORACLE_DIR"
    ( cd "$ORACLE_DIR" && apt-get download xen-hypervisor-4.17-amd64 >/dev/null 2>apt.err ) ||
        { cat "$ORACLE_DIR/apt.err" >&2; echo "not ok - cannot download xen-hypervisor-4.17-amd64"; exit 1; }
    dpkg-deb -x "$(ls "$ORACLE_DIR"/xen-hypervisor-4.17-amd64_*.deb | head -n 1)" "$ORACLE_DIR/root" ||
        { echo "not ok - cannot unpack the Xen package"; exit 1; }
fi
echo "# oracle: $(basename "$(ls "$ORACLE_DIR"/xen-hypervisor-4.17-amd64_*.deb 2>/dev/null | head -n 1)")"
run_guests "$@"
