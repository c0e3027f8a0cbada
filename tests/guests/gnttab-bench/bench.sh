#!/bin/bash
# bench.sh - the grant-table figures of `make bench`: boots the gnttab-bench test kernel as dom0 on
# Parva under QEMU with -icount shift=0 (TCG; one guest instruction per nanosecond of virtual time,
# so rdtsc counts instructions and the figures are deterministic) and prints its "gnttab bench:" lines.
#   tests/guests/gnttab-bench/bench.sh [ITERATIONS]      (default 2000; BUILD as for make)
# Needs build/parva and build/tests/guests/gnttab-bench.elf (make guest-gnttab-bench).  For a
# comparison, HV_IMAGE and HV_CMDLINE boot another hypervisor, e.g. the Xen of xen-oracle.sh:
#   HV_IMAGE=build/xen-oracle/root/boot/xen-4.17-amd64.gz \
#   HV_CMDLINE="console=com1 com1=115200,8n1 dom0_mem=64M,max:64M smap=0" tests/guests/gnttab-bench/bench.sh
set -u
cd "$(dirname "$0")/../../.."
BUILD=${BUILD:-build}
iters=${1:-2000}
dir=$BUILD/tests/guests/bench
iso=$dir/gnttab-bench.iso log=$dir/gnttab-bench.log
mkdir -p "$dir"
boot/mkiso.sh "$iso" "${HV_IMAGE:-$BUILD/parva}" "${HV_CMDLINE:-console=com1 com1=115200,8n1 loglvl=warning dom0_mem=64M}" \
    "$BUILD/tests/guests/gnttab-bench.elf" "iterations=$iters" 2> "$log.mkiso" ||
    { echo "gnttab bench: ISO build failed: $(head -c 200 "$log.mkiso")"; exit 1; }
timeout 900 qemu-system-x86_64 -accel tcg -icount shift=0 -cpu max -m 512 -smp 1 -no-reboot -display none \
    -net none -boot d -cdrom "$iso" -serial stdio </dev/null > "$log" 2>&1 &
qpid=$!
while kill -0 $qpid 2>/dev/null; do
    sleep 1
    if grep -q "Test result:" "$log"; then sleep 2; kill $qpid 2>/dev/null; break; fi
done
wait $qpid 2>/dev/null
tr -d '\r' < "$log" | grep -a "gnttab bench:" | sed 's/^/  /'
res=$(tr -d '\r' < "$log" | grep -a -o "Test result: .*" | head -n 1)
echo "  gnttab bench: ${res:-no result (see $log)}"
case "$res" in "Test result: SUCCESS"*) exit 0 ;; *) exit 1 ;; esac
