#!/bin/sh
# bench.sh O - start an optimised xenstored in a private run directory and run bench.
set -eu
O=$1
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
export XENSTORED_RUNDIR="$tmp"
unset XENSTORED_PATH
"$O/xenstored" -N -L "$tmp/log" -F "$tmp/pid" &
pid=$!
i=0
while [ ! -S "$tmp/socket" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
"$O/tests/bench" -t "${BENCH_SECONDS:-2}" -p "$pid"
