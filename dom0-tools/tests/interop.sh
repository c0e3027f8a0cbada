#!/bin/sh
# interop.sh O - with xenstored running ($XENSTORED_RUNDIR): Debian's xenstore-utils
# against our daemon, the same Debian binaries against our libxenstore.so.4, our tools
# against Debian's (same output), libxenstore's exported symbols against Debian's
# libxenstore4, xenstore-control, and `make install`.  TAP, the plan at the end.
set -u
O=$1
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else nok "$d"; fi; }
DEB=/usr/bin
DEBIAN_LIB=/usr/lib/x86_64-linux-gnu/libxenstore.so.4

if [ ! -x $DEB/xenstore-read ]; then
    nok "Debian's xenstore-utils is not installed (apt-get install xenstore-utils)"
    echo "1..$n"
    exit 0
fi

for lib in debian ours; do
    if [ $lib = ours ]; then LLP=$O; else LLP=; fi
    run() { LD_LIBRARY_PATH=$LLP "$@"; }
    p=/interop/$lib
    check "[$lib lib] xenstore-write" run $DEB/xenstore-write $p/a 1 $p/b/c "two words"
    check "[$lib lib] xenstore-read" test "$(run $DEB/xenstore-read $p/b/c)" = "two words"
    check "[$lib lib] xenstore-read -p" test "$(run $DEB/xenstore-read -p $p/a)" = "$p/a: 1"
    check "[$lib lib] xenstore-ls -f" test "$(run $DEB/xenstore-ls -f $p)" = \
"$p/a = \"1\"
$p/b = \"\"
$p/b/c = \"two words\""
    check "[$lib lib] xenstore-list" test "$(run $DEB/xenstore-list $p)" = "a
b"
    check "[$lib lib] xenstore-exists (yes)" run $DEB/xenstore-exists $p/a
    check "[$lib lib] xenstore-exists (no: exit 1)" sh -c "! LD_LIBRARY_PATH=$LLP $DEB/xenstore-exists $p/zz"
    check "[$lib lib] xenstore-chmod" run $DEB/xenstore-chmod $p/a n0 r5 b7
    check "[$lib lib] xenstore-ls -p shows the permissions" sh -c \
        "LD_LIBRARY_PATH=$LLP $DEB/xenstore-ls -p $p | grep -q '(n0,r5,b7)'"
    check "[$lib lib] xenstore-chmod to a missing owner fails" sh -c "! LD_LIBRARY_PATH=$LLP $DEB/xenstore-chmod $p/a n9"
    run $DEB/xenstore-watch -n 2 $p/b > "$XENSTORED_RUNDIR/watch.$lib" 2>&1 &
    wpid=$!
    sleep 0.5
    run $DEB/xenstore-write $p/b/c changed
    i=0
    while kill -0 $wpid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill $wpid 2>/dev/null
    check "[$lib lib] xenstore-watch sees the initial event and a change" test \
        "$(cat "$XENSTORED_RUNDIR/watch.$lib")" = "$p/b
$p/b/c"
    check "[$lib lib] xenstore-rm" run $DEB/xenstore-rm $p/b
    check "[$lib lib] the removed subtree is gone" sh -c "! LD_LIBRARY_PATH=$LLP $DEB/xenstore-read $p/b/c"
    check "[$lib lib] xenstore-rm -t removes empty parents" sh -c \
        "LD_LIBRARY_PATH=$LLP $DEB/xenstore-write $p/t/u/v 1 && LD_LIBRARY_PATH=$LLP $DEB/xenstore-rm -t $p/t/u/v && ! LD_LIBRARY_PATH=$LLP $DEB/xenstore-exists $p/t"
    check "[$lib lib] the multi-call xenstore binary" test "$(run $DEB/xenstore read $p/a)" = 1
done
check "Debian's binaries really used our library" sh -c \
    "LD_LIBRARY_PATH=$O ldd $DEB/xenstore-read | grep -q '$O/libxenstore.so.4'"

# Our tools and Debian's print the same thing for the same tree.
$DEB/xenstore-write /cmp/a 1 /cmp/b/c "x y" /cmp/b/d "tab	nl
end" /cmp/long "$(printf '%0300d' 0)"
$DEB/xenstore-chmod /cmp/b/c n0 r3
mkdir -p "$XENSTORED_RUNDIR/ours"
for t in read write ls list rm exists chmod watch; do ln -sf "$O/xenstore" "$XENSTORED_RUNDIR/ours/xenstore-$t"; done
ln -sf "$O/xenstore" "$XENSTORED_RUNDIR/ours/xenstore"
same() {
    d=$( (PATH=$DEB:/bin; "$@") 2>&1; echo "rc=$?")
    o=$( (PATH=$XENSTORED_RUNDIR/ours:/bin; "$@") 2>&1; echo "rc=$?")
    if [ "$d" = "$o" ]; then ok "same output as Debian's: $*"; else
        nok "same output as Debian's: $*"; echo "$d" | head -8 | sed 's/^/#   debian: /'
        echo "$o" | head -8 | sed 's/^/#   ours:   /'; fi
}
same xenstore-ls /cmp
same xenstore-ls -f /cmp
same xenstore-ls -p /cmp
same xenstore-ls -fp /cmp
same xenstore-read /cmp/a /cmp/b/d
same xenstore-read -p /cmp/b/d
same xenstore-read -R /cmp/b/d
same xenstore-read /cmp/nothere
same xenstore-list -p /cmp/b
same xenstore-exists /cmp/nothere
same xenstore-rm /cmp/x/y
same xenstore-chmod /cmp/a b0
same xenstore-chmod -r /cmp/b n0 r4
same xenstore-ls -p /cmp/b
same xenstore-write /cmp/esc 'a\tb\x41\101'
same xenstore-read -R /cmp/esc
same xenstore-read
same xenstore-write /cmp/odd
same xenstore-chmod /cmp/a q0
same xenstore
same xenstore frob
same xenstore ls /cmp/b
same xenstore list -h

# xenstore-control (Debian's is a wrapper of xen-utils, not installed here).
check "xenstore-control help" sh -c "$O/xenstore-control help | grep -q quota"
check "xenstore-control quota" sh -c "$O/xenstore-control quota | grep -q 'transaction-nodes'"
check "xenstore-control quota 0" sh -c "$O/xenstore-control quota 0 | grep -q 'Domain 0:'"
check "xenstore-control print" test "$($O/xenstore-control print hello)" = OK
check "xenstore-control: an unknown command exits 3" sh -c "$O/xenstore-control nope 2>/dev/null; test \$? -eq 3"
check "xenstore-control without a command exits 2" sh -c "$O/xenstore-control 2>/dev/null; test \$? -eq 2"

# The library's exported symbols are Debian's, all at VERS_4.0.
if [ -e "$DEBIAN_LIB" ]; then
    objdump -T "$DEBIAN_LIB" | awk 'NF > 5 && !/UND/ && $(NF-1) ~ /VERS/ {print $(NF-1), $NF}' | sort > "$XENSTORED_RUNDIR/syms.deb"
    objdump -T "$O/libxenstore.so.4" | awk 'NF > 5 && !/UND/ && $(NF-1) ~ /VERS/ {print $(NF-1), $NF}' | sort > "$XENSTORED_RUNDIR/syms.ours"
    if cmp -s "$XENSTORED_RUNDIR/syms.deb" "$XENSTORED_RUNDIR/syms.ours"; then
        ok "libxenstore.so.4 exports exactly Debian's $(wc -l < "$XENSTORED_RUNDIR/syms.ours") VERS_4.0 symbols"
    else
        nok "exported symbols differ from Debian's libxenstore4"
        diff "$XENSTORED_RUNDIR/syms.deb" "$XENSTORED_RUNDIR/syms.ours" | sed 's/^/#   /'
    fi
    check "no other symbol is exported" test "$(objdump -T "$O/libxenstore.so.4" | awk 'NF > 5 && !/UND/ && $(NF-1) !~ /VERS/ && $2 == "g"' | wc -l)" = 0
else
    nok "$DEBIAN_LIB missing: cannot compare the exported symbols"
fi
check "soname libxenstore.so.4" sh -c "objdump -p $O/libxenstore.so.4 | grep -q 'SONAME *libxenstore.so.4'"

# Socket paths: XENSTORED_PATH wins over XENSTORED_RUNDIR, for the library too.
check "XENSTORED_PATH names the socket" env XENSTORED_PATH="$XENSTORED_RUNDIR/socket" \
    XENSTORED_RUNDIR=/nonexistent "$O/xenstore-read" /cmp/a
check "the read-only socket refuses writes" sh -c "! XENSTORED_PATH=$XENSTORED_RUNDIR/socket_ro LD_LIBRARY_PATH=$O $DEB/xenstore-write /cmp/ro 1 2>/dev/null && XENSTORED_PATH=$XENSTORED_RUNDIR/socket_ro $O/xenstore-read /cmp/a"

# The daemon's options.
check "xenstored --help" sh -c "$O/xenstored --help | grep -q -- '--no-fork'"
check "xenstored: an unknown option fails" sh -c "! $O/xenstored --frobnicate 2>/dev/null"
check "xenstored: a bad quota fails" sh -c "! $O/xenstored -Q bogus=1 2>/dev/null"
d2=$(mktemp -d)
XENSTORED_RUNDIR=$d2 "$O/xenstored" -F "$d2/pid" -E 5 -t 3 -W 7 -A 4 -M 100 -S 1000 \
    -Q transaction-nodes=9 -q memory=100 --syslog
i=0
while { [ ! -S "$d2/socket" ] || [ ! -s "$d2/pid" ]; } && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check "xenstored forks, writes its pid file and serves" sh -c \
    "test -s $d2/pid && XENSTORED_RUNDIR=$d2 $O/xenstore-read /tool/xenstored"
check "quota options are applied" sh -c "XENSTORED_RUNDIR=$d2 $O/xenstore-control quota | grep -q 'transaction-nodes *: *9 '"
kill "$(cat "$d2/pid")" 2>/dev/null
i=0
while [ -S "$d2/socket" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check "xenstored removes its sockets when it stops" test ! -e "$d2/socket"
rm -rf "$d2"

# make install
d3=$(mktemp -d)
if make -s -C "$(dirname "$0")/.." O="$O" install DESTDIR="$d3" PREFIX=/usr/local >/dev/null 2>&1; then
    for f in sbin/xenstored bin/xenstore bin/xenstore-read bin/xenstore-watch bin/xenstore-control \
             lib/libxenstore.so.4.0 lib/libxenstore.so.4 lib/libxenstore.so include/xenstore.h; do
        [ -e "$d3/usr/local/$f" ] || miss="${miss:-} $f"
    done
    [ -L "$d3/usr/local/lib/libxenstore.so.4" ] || miss="${miss:-} (libxenstore.so.4 is not the soname link)"
    if [ -z "${miss:-}" ]; then ok "make install DESTDIR= PREFIX= installs the daemon, tools, library (with its soname link) and header"
    else nok "make install: missing$miss"; fi
else
    nok "make install failed"
fi
rm -rf "$d3"
echo "1..$n"
