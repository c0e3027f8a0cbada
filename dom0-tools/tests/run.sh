#!/bin/sh
# run.sh - the dom0-tools tests, as TAP: unit tests (cmocka), then against an ASan build
# of xenstored in a private run directory: bad input, libxenstore (ours and Debian's),
# domains over the ring, interop with Debian's xenstore-utils, a clean exit without
# leaks, and a short libFuzzer run.
#   run.sh [--summary] [O]      (O: the build directory, default ../build/dom0-tools)
set -u
summary=0
[ "${1:-}" = "--summary" ] && { summary=1; shift; }
here=$(cd "$(dirname "$0")/.." && pwd)
O=$(cd "${1:-$here/../build/dom0-tools}" 2>/dev/null && pwd) || {
    echo "1..1"; echo "not ok 1 - dom0-tools build directory ${1:-} missing (make dom0-tools-tests)"; exit 1; }
cd "$here"
FUZZ_TIME=${FUZZ_TIME:-20}
DEBIAN_LIB=/usr/lib/x86_64-linux-gnu/libxenstore.so.4

out=$(mktemp)
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp" "$out"; }
trap cleanup EXIT

{
for t in "$O"/tests/test_*; do
    echo "# unit: $(basename "$t")"
    CMOCKA_MESSAGE_OUTPUT=tap timeout 300 "$t" 2>&1
done

export XENSTORED_RUNDIR="$tmp"
unset XENSTORED_PATH
export ASAN_OPTIONS=detect_leaks=1
mkdir -p "$tmp/rings"
"$O/san/xenstored" -N -E 40 -L "$tmp/xenstored.log" -T "$tmp/trace" -F "$tmp/pid" \
    --ring-dir "$tmp/rings" 2>"$tmp/xenstored.stderr" &
pid=$!
i=0
while [ ! -S "$tmp/socket" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done

echo "# bad input on the socket"
timeout 120 "$O/tests/badinput" 2>&1
echo "# libxenstore API (ours)"
timeout 120 "$O/tests/libtest" 2>&1
echo "# libxenstore API (Debian's libxenstore4, same binary)"
if [ -e "$DEBIAN_LIB" ]; then
    LD_LIBRARY_PATH=$(dirname "$DEBIAN_LIB") timeout 120 "$O/tests/libtest" 2>&1
else
    echo "1..1"; echo "not ok 1 - $DEBIAN_LIB missing (install libxenstore4)"
fi
echo "# domains over the shared ring"
timeout 120 "$O/tests/ringtest" "$tmp/rings" 2>&1
echo "# interop with Debian's xenstore-utils"
timeout 300 sh tests/interop.sh "$O" 2>&1

echo "# daemon"
echo "1..3"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] && echo "ok - xenstored exits cleanly on SIGTERM" || echo "not ok - xenstored exit status $rc"
if grep -q "Sanitizer" "$tmp/xenstored.stderr"; then
    echo "not ok - ASan/UBSan/LSan reports from xenstored:"
    sed 's/^/#   /' "$tmp/xenstored.stderr" | head -40
else
    echo "ok - no ASan, UBSan or leak report from xenstored after all the tests"
fi
[ -s "$tmp/trace" ] && echo "ok - the trace file (-T) records the traffic" ||
    echo "not ok - the trace file is empty"

echo "# fuzz: ${FUZZ_TIME} s of libFuzzer on the message parser"
echo "1..1"
mkdir -p "$tmp/corpus"
if "$O/tests/fuzz_wire" -max_total_time="$FUZZ_TIME" -rss_limit_mb=1024 -timeout=10 \
        -artifact_prefix="$tmp/" "$tmp/corpus" tests/fuzz-corpus >"$tmp/fuzz.log" 2>&1; then
    echo "ok - fuzz_wire: $(grep -c . "$tmp/fuzz.log" >/dev/null; tail -1 "$tmp/fuzz.log")"
else
    echo "not ok - fuzz_wire found a crash:"
    grep -E "ERROR|SUMMARY|artifact" "$tmp/fuzz.log" | head -10 | sed 's/^/#   /'
fi
} | tee "$out"

if [ $summary -eq 1 ]; then
    p=$(grep -c '^ok ' "$out")
    f=$(grep -c '^not ok ' "$out")
    echo "$p passed, $f failed"
    [ "$f" -eq 0 ]
fi
