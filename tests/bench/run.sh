#!/bin/bash
# run.sh - `make bench`: boots each benchmark kernel (tests/bench/<name>, built into
# $BUILD/tests/bench/<name>.elf by bench.mk) as dom0 on Parva and on real Xen 4.17, both under QEMU with
# -icount shift=0 (deterministic: the guest TSC counts instructions), and prints one table of the
# figures with the Parva/Xen ratios.
#   tests/bench/run.sh [NAME...]          (default: every kernel of BENCH_NAMES in bench.mk)
# It reuses the PV test runner (tests/guests/run.sh and xen-oracle.sh, whose common.sh reads the
# per-kernel hv-args, qemu-args and timeout files); the two hypervisors boot at the same time. The
# kernels print "BENCH <key> median=<cycles> min=... max=... n=... <description>".
# Adding a figure: a new kernel directory (and its name in bench.mk's BENCH_NAMES), or a new BENCH
# line in an existing kernel; this script tabulates every key it finds. domu-rtt runs as two
# boot-time domUs (its domains file), which Xen does not build: its Xen column stays empty.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export GUESTS_SRC=tests/bench GUESTS_BUILD=$BUILD/tests/bench SKIP_BUILD=1 JOBS=1 BUILD
names=${*:-pvbench domu-rtt}
out=$GUESTS_BUILD/logs

mkdir -p "$out"
echo "make bench: $names on Parva ($BUILD/parva) and on Xen 4.17, QEMU -accel tcg -icount shift=0"
tests/guests/run.sh $names > "$out/parva.tap" 2>&1 &
ppid=$!
tests/guests/xen-oracle.sh $names > "$out/xen.tap" 2>&1 &
xpid=$!
wait $ppid
wait $xpid
grep -h '^\(not \)\?ok\|^# oracle' "$out/parva.tap" "$out/xen.tap" | sed 's/^/# /'

# median KEY LOG: the median of one figure, or "-"
median() {
    local v
    v=$(grep -oE "BENCH $1 median=[0-9]+" "$2" 2>/dev/null | head -n 1 | sed 's/.*median=//')
    echo "${v:--}"
}

rc=0
printf '\n%-12s %12s %12s %11s  %s\n' figure "Parva" "Xen 4.17" "Parva/Xen" "(median guest TSC cycles)"
for n in $names; do
    plog=$out/parva/$n.log xlog=$out/xen/$n.log
    keys=$(cat "$plog" "$xlog" 2>/dev/null | grep -oE 'BENCH [a-z0-9-]+ median=' | awk '{print $2}' | awk '!seen[$0]++')
    [ -n "$keys" ] || { echo "# $n: no figures (see $plog and $xlog)"; rc=1; continue; }
    for k in $keys; do
        p=$(median "$k" "$plog")
        x=$(median "$k" "$xlog")
        r=$(awk -v p="$p" -v x="$x" 'BEGIN { if (p ~ /^[0-9]+$/ && x ~ /^[0-9]+$/ && x > 0) printf "%.2f", p / x; else print "-" }')
        d=$(grep -oE "BENCH $k median=.*" "$plog" "$xlog" 2>/dev/null | head -n 1 | sed -E 's/.* n=[0-9]+ //')
        printf '%-12s %12s %12s %11s  %s\n' "$k" "$p" "$x" "$r" "$d"
    done
done
grep -q '^not ok' "$out/parva.tap" "$out/xen.tap" && rc=1
echo "# logs: $out/parva/ and $out/xen/"
exit $rc
