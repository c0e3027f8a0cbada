# common.sh - shared by tests/guests/run.sh (Parva) and tests/guests/xen-oracle.sh (real Xen 4.17):
# boot each PV test kernel as dom0 under QEMU and judge it by its serial log.
#
# A test passes when its log has "Test result: SUCCESS" or "Test result: SKIP ..." (the line may carry a
# prefix: hypervisors differ in how they print dom0's console_io output); ERROR, FAILURE or no result
# line fail. A test with an `expect` file is judged by it instead: every line is an extended regex the
# log must match, a line starting with "!" one it must not match, "#" starts a comment.
# Variables the caller sets: HV_NAME (log directory name), HV_IMAGE, HV_CMDLINE.
# Per-test files besides `args` (the dom0 command line), `timeout` and `expect`: `hv-args`, options
# appended to the hypervisor's command line (e.g. dom0_max_vcpus=4), and `qemu-args`, QEMU options
# appended to the defaults (e.g. -smp 2, which overrides -smp 1).
# Environment knobs: GUEST_TIMEOUT (seconds per boot, default 180), JOBS (parallel boots, default 1),
# QEMU (default qemu-system-x86_64), SKIP_BUILD=1 (do not run make).

GUESTS_SRC=${GUESTS_SRC:-tests/guests}                   # tests/bench/run.sh boots its kernels from
GUESTS_BUILD=${GUESTS_BUILD:-${BUILD:-build}/tests/guests}   # tests/bench and $BUILD/tests/bench
QEMU=${QEMU:-qemu-system-x86_64}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-180}
JOBS=${JOBS:-1}
RESULT_RE='Test result: (SUCCESS|SKIP|FAILURE|ERROR)'
# The hypervisor has finished with dom0 (or with itself): nothing more will come.
END_RE='Hardware Dom0 (halted|shutdown|crashed)|Domain 0 (halted|shut down|crashed)|Powering off'
END_RE="$END_RE|Panic on CPU|FATAL TRAP|Reboot in five seconds|Rebooting"

guest_names() {   # every test, in name order
    for d in "$GUESTS_SRC"/*/; do
        n=$(basename "$d")
        [ "$n" = lib ] && continue
        [ -f "$d/main.c" ] || [ -f "$d/test.mk" ] || continue
        echo "$n"
    done
}

# expect_check LOG EXPECTFILE: 0 if every positive regex matches and no negative one does.
# With MISSING set to a file name, lists the regexes that are not satisfied there.
expect_check() {
    local log=$1 ef=$2 line rc=0
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
            ''|'#'*) continue ;;
            '!'*) grep -qE -- "${line#!}" "$log" || continue
                  rc=1
                  [ -n "${MISSING:-}" ] && echo "present: ${line#!}" >> "$MISSING" ;;
            *)    grep -qE -- "$line" "$log" && continue
                  rc=1
                  [ -n "${MISSING:-}" ] && echo "missing: $line" >> "$MISSING" ;;
        esac
    done < "$ef"
    return $rc
}

# positive_done LOG EXPECTFILE: all positive regexes match (the run may stop)
positive_done() {
    local log=$1 ef=$2 line
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
            ''|'#'*|'!'*) continue ;;
            *) grep -qE -- "$line" "$log" || return 1 ;;
        esac
    done < "$ef"
    return 0
}

# boot_guest NAME: builds the ISO, boots it, writes the log and one TAP line to $OUT/NAME.tap
boot_guest() {
    local name=$1
    local elf=$GUESTS_BUILD/$name.elf initrd=$GUESTS_BUILD/$name.initrd dir=$GUESTS_SRC/$name
    local out=$GUESTS_BUILD/logs/$HV_NAME
    local iso=$GUESTS_BUILD/iso/$HV_NAME/$name.iso log=$out/$name.log tap=$out/$name.tap
    local args="" expectf="" secs=$GUEST_TIMEOUT qpid t=0 done_at=-1 line res
    local hv_args="" qemu_args=""
    mkdir -p "$out" "$(dirname "$iso")"
    rm -f "$log" "$tap"
    [ -f "$dir/args" ] && args=$(tr '\n' ' ' < "$dir/args" | sed 's/ *$//')
    [ -f "$dir/timeout" ] && secs=$(cat "$dir/timeout")
    [ -f "$dir/hv-args" ] && hv_args=" $(tr '\n' ' ' < "$dir/hv-args" | sed 's/ *$//')"
    [ -f "$dir/qemu-args" ] && qemu_args=$(tr '\n' ' ' < "$dir/qemu-args")
    if [ -f "$dir/expect.$HV_NAME" ]; then expectf=$dir/expect.$HV_NAME
    elif [ -f "$dir/expect" ]; then expectf=$dir/expect; fi
    if [ ! -f "$elf" ]; then
        echo "not ok - guest $name: no kernel $elf" > "$tap"; return
    fi
    set -- "$elf" "$args"
    [ -f "$initrd" ] && set -- "$@" "$initrd" ""
    if [ -f "$dir/domains" ]; then      # boot-time domains (Parva's convention): see domains_modules
        if [ "$HV_NAME" != parva ]; then
            echo "ok - guest $name: SKIP boot-time domains (domU modules) are Parva's, not $HV_NAME's" > "$tap"
            return
        fi
        domains_modules "$dir/domains" || { echo "not ok - guest $name: $DOMAINS_ERROR" > "$tap"; return; }
        [ -n "$DOMAINS_NODOM0" ] && set --
        eval "set -- \"\$@\" $DOMAINS_MODULES"
    fi
    if ! boot/mkiso.sh "$iso" "$HV_IMAGE" "$HV_CMDLINE$hv_args" "$@" 2> "$log.mkiso"; then
        echo "not ok - guest $name: ISO build failed ($(head -c 200 "$log.mkiso"))" > "$tap"; return
    fi
    rm -f "$log.mkiso"
    timeout "$secs" $QEMU -accel tcg -cpu max -m 512 -smp 1 $qemu_args -no-reboot -display none -net none \
        -boot d -cdrom "$iso" -serial stdio </dev/null > "$log.raw" 2>&1 &
    qpid=$!
    # Poll the log: stop QEMU (by its PID) shortly after the outcome is known, because a hypervisor may
    # halt instead of powering off when dom0 shuts down.
    while kill -0 $qpid 2>/dev/null; do
        sleep 0.5
        t=$((t + 1))
        if [ $done_at -lt 0 ]; then
            if [ -f "$dir/domains" ]; then
                domains_done "$log.raw" "$expectf" && done_at=$t
            elif [ -n "$expectf" ]; then
                positive_done "$log.raw" "$expectf" && done_at=$t
            elif grep -qE "$RESULT_RE" "$log.raw"; then
                done_at=$t
            fi
            grep -qE "$END_RE" "$log.raw" && [ $done_at -lt 0 ] && done_at=$((t - 4))
        elif [ $((t - done_at)) -ge 6 ] || grep -qE "$END_RE" "$log.raw"; then
            # give the hypervisor's own reaction a moment to reach the log, then stop
            sleep 1
            kill $qpid 2>/dev/null
            break
        fi
    done
    wait $qpid 2>/dev/null
    tr -d '\r' < "$log.raw" > "$log" && rm -f "$log.raw"

    if [ -f "$dir/domains" ]; then
        domains_judge "$name" "$dir" "$log" "$expectf" > "$tap"
        return
    fi
    if [ -n "$expectf" ]; then
        MISSING=$log.missing; rm -f "$MISSING"
        if expect_check "$log" "$expectf"; then
            echo "ok - guest $name: expected outcome ($(basename "$expectf") matched)" > "$tap"
        else
            echo "not ok - guest $name: $(basename "$expectf") not satisfied:" \
                 "$(tr '\n' ';' < "$MISSING" | head -c 300)" > "$tap"
        fi
        rm -f "$MISSING"
        return
    fi
    line=$(grep -oE "$RESULT_RE.*" "$log" | head -n 1)
    res=$(echo "$line" | sed -E 's/^Test result: ([A-Z]+).*/\1/')
    case "$res" in
        SUCCESS) echo "ok - guest $name: SUCCESS" > "$tap" ;;
        SKIP)    echo "ok - guest $name: SKIP ${line#Test result: SKIP }" > "$tap" ;;
        ERROR|FAILURE) echo "not ok - guest $name: ${line#Test result: }" > "$tap" ;;
        *)       echo "not ok - guest $name: no result line (see $log)" > "$tap" ;;
    esac
    if [ "$(grep -cE "$RESULT_RE" "$log")" -gt 1 ]; then
        echo "not ok - guest $name: more than one result line" > "$tap"
    fi
}

# run_guests [NAME...]: builds the kernels, boots each test (JOBS at a time), prints TAP, exit status.
run_guests() {
    local names="$*" n running=0 failed=0 total=0
    local out=$GUESTS_BUILD/logs/$HV_NAME
    [ -n "$names" ] || names=$(guest_names)
    if [ -z "${SKIP_BUILD:-}" ]; then
        # -k: a test that does not build fails alone ("no kernel"), the others still run
        make -s -k $(for n in $names; do echo "guest-$n"; domains_kernels "$n"; done) >&2
    fi
    for n in $names; do
        [ -d "$GUESTS_SRC/$n" ] || { echo "not ok - guest $n: no such test"; failed=1; continue; }
        total=$((total + 1))
    done
    echo "1..$total"
    for n in $names; do
        [ -d "$GUESTS_SRC/$n" ] || continue
        boot_guest "$n" &
        running=$((running + 1))
        if [ $running -ge "$JOBS" ]; then
            wait -n
            running=$((running - 1))
        fi
    done
    wait
    for n in $names; do
        [ -d "$GUESTS_SRC/$n" ] || continue
        if [ -f "$out/$n.tap" ]; then cat "$out/$n.tap"; else echo "not ok - guest $n: no outcome"; fi
        grep -q '^not ok' "$out/$n.tap" 2>/dev/null && failed=1
        [ -f "$out/$n.tap" ] || failed=1
    done
    echo "# logs: $out/"
    return $failed
}

# ---- Tests with boot-time domains (Parva's domU modules, docs/boot-time-domains.md) ----
#
# tests/guests/<name>/domains lists domUs to boot besides the test's own kernel (dom0), one per line:
#     KERNEL domU [name=NAME] [memory=SIZE] [vcpus=N] ... [-- GUEST COMMAND LINE]
# KERNEL names a test kernel (build/tests/guests/KERNEL.elf: the test's own, or another test's); the
# rest is the module's command line. A line "nodom0" boots the domUs alone. A line starting with "!"
# is a domU the hypervisor must refuse to build: its module is there, but it must not report.
# "#" starts a comment. No single quotes. Judging: dom0 (unless nodom0) prints one "Test result:" line at the start of a
# line (console_io), and every domU one "(NAME) Test result:" line through its console ring (NAME
# from name=, default domU<k>); all must be SUCCESS or SKIP. An `expect` file must hold as well,
# and an executable `check` script, run as `check LOG`, must exit 0 (its output says why not).

# domains_modules FILE: DOMAINS_MODULES (quoted "ELF" 'CMDLINE' pairs for mkiso.sh), DOMAINS_NAMES,
# DOMAINS_NODOM0; 1 with DOMAINS_ERROR on a bad line.
domains_modules() {
    local line kernel rest k=0 nm refused
    DOMAINS_MODULES="" DOMAINS_NAMES="" DOMAINS_REFUSED="" DOMAINS_NODOM0="" DOMAINS_ERROR=""
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%%#*}
        line=$(echo "$line" | sed 's/^ *//; s/ *$//')
        [ -z "$line" ] && continue
        [ "$line" = nodom0 ] && { DOMAINS_NODOM0=1; continue; }
        refused=""
        case "$line" in '!'*) refused=1 line=${line#!} ;; esac
        kernel=${line%% *} rest=${line#* }
        case "$rest" in
            domU|"domU "*) ;;
            *) DOMAINS_ERROR="domains: \"$line\" is not KERNEL domU ..."; return 1 ;;
        esac
        case "$line" in *\'*) DOMAINS_ERROR="domains: no single quotes, please"; return 1 ;; esac
        [ -f "$GUESTS_BUILD/$kernel.elf" ] || { DOMAINS_ERROR="domains: no kernel $GUESTS_BUILD/$kernel.elf"; return 1; }
        k=$((k + 1))
        nm=$(echo " ${rest%% -- *} " | sed -n 's/.* name=\([^ ]*\) .*/\1/p')
        if [ -n "$refused" ]; then DOMAINS_REFUSED="$DOMAINS_REFUSED ${nm:-domU$k}"
        else DOMAINS_NAMES="$DOMAINS_NAMES ${nm:-domU$k}"; fi
        DOMAINS_MODULES="$DOMAINS_MODULES \"$GUESTS_BUILD/$kernel.elf\" '$rest'"
    done < "$1"
    [ $k -gt 0 ] || { DOMAINS_ERROR="domains: no domU line"; return 1; }
}

# domains_kernels NAME: the kernels NAME's domains file boots (make targets guest-KERNEL).
domains_kernels() {
    [ -f "$GUESTS_SRC/$1/domains" ] || return 0
    sed 's/#.*//; s/^ *!//' "$GUESTS_SRC/$1/domains" | awk '$2 == "domU" { print "guest-" $1 }' | sort -u
}

# domains_result LOG WHO: the first result line of dom0 (WHO empty) or of domU WHO, without prefix.
domains_result() {
    if [ -z "$2" ]; then
        grep -E "^$RESULT_RE" "$1" | head -n 1
    else
        grep -E "^\($2\) $RESULT_RE" "$1" | head -n 1 | sed "s/^($2) //"
    fi
}

# domains_done LOG EXPECTFILE: every domain reported (and the expect file's positive lines hold).
domains_done() {
    local who
    [ -n "$DOMAINS_NODOM0" ] || [ -n "$(domains_result "$1" "")" ] || return 1
    for who in $DOMAINS_NAMES; do
        [ -n "$(domains_result "$1" "$who")" ] || return 1
    done
    [ -z "$2" ] || positive_done "$1" "$2"
}

# domains_judge NAME DIR LOG EXPECTFILE: one TAP line.
domains_judge() {
    local name=$1 dir=$2 log=$3 ef=$4 who line bad="" n why all=$DOMAINS_NAMES
    [ -n "$DOMAINS_NODOM0" ] || all="dom0 $all"
    for who in $all; do
        if [ "$who" = dom0 ]; then
            line=$(domains_result "$log" "")
            n=$(grep -cE "^$RESULT_RE" "$log")
        else
            line=$(domains_result "$log" "$who")
            n=$(grep -cE "^\($who\) $RESULT_RE" "$log")
        fi
        case "$line" in
            "Test result: SUCCESS"*|"Test result: SKIP"*) [ "$n" -eq 1 ] || bad="$bad $who: $n result lines;" ;;
            "") bad="$bad $who: no result line;" ;;
            *) bad="$bad $who: ${line#Test result: };" ;;
        esac
    done
    for who in $DOMAINS_REFUSED; do      # (a refused duplicate name is checked by its twin's result)
        case " $DOMAINS_NAMES " in *" $who "*) continue ;; esac
        grep -qE "^\($who\) " "$log" && bad="$bad $who: runs, but should have been refused;"
    done
    if [ -n "$ef" ]; then
        MISSING=$log.missing; rm -f "$MISSING"
        expect_check "$log" "$ef" || bad="$bad $(basename "$ef") not satisfied: $(tr '\n' ';' < "$MISSING" | head -c 300)"
        rm -f "$MISSING"
    fi
    if [ -x "$dir/check" ]; then
        why=$("$dir/check" "$log" 2>&1) || bad="$bad check: $(echo "$why" | tail -n 1 | head -c 300)"
    fi
    if [ -n "$bad" ]; then
        echo "not ok - guest $name:$bad (see $log)"
    else
        echo "ok - guest $name: SUCCESS ($(echo $all | sed 's/ /, /g')${DOMAINS_REFUSED:+; refused:$DOMAINS_REFUSED})"
        [ -n "${why:-}" ] && echo "$why" | sed 's/^/# check: /'
    fi
}
