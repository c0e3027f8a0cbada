# common.sh - shared by tests/guests/run.sh (Parva) and tests/guests/xen-oracle.sh (real Xen 4.17):
# boot each PV test kernel as dom0 under QEMU and judge it by its serial log.
#
# A test passes when its log has "Test result: SUCCESS" or "Test result: SKIP ..." (the line may carry a
# prefix: hypervisors differ in how they print dom0's console_io output); ERROR, FAILURE or no result
# line fail. A test with an `expect` file is judged by it instead: every line is an extended regex the
# log must match, a line starting with "!" one it must not match, "#" starts a comment.
# Variables the caller sets: HV_NAME (log directory name), HV_IMAGE, HV_CMDLINE.
# Environment knobs: GUEST_TIMEOUT (seconds per boot, default 180), JOBS (parallel boots, default 1),
# QEMU (default qemu-system-x86_64), SKIP_BUILD=1 (do not run make).

GUESTS_SRC=tests/guests
GUESTS_BUILD=${BUILD:-build}/tests/guests
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
    mkdir -p "$out" "$(dirname "$iso")"
    rm -f "$log" "$tap"
    [ -f "$dir/args" ] && args=$(tr '\n' ' ' < "$dir/args" | sed 's/ *$//')
    [ -f "$dir/timeout" ] && secs=$(cat "$dir/timeout")
    if [ -f "$dir/expect.$HV_NAME" ]; then expectf=$dir/expect.$HV_NAME
    elif [ -f "$dir/expect" ]; then expectf=$dir/expect; fi
    if [ ! -f "$elf" ]; then
        echo "not ok - guest $name: no kernel $elf" > "$tap"; return
    fi
    set -- "$elf" "$args"
    [ -f "$initrd" ] && set -- "$@" "$initrd" ""
    if ! boot/mkiso.sh "$iso" "$HV_IMAGE" "$HV_CMDLINE" "$@" 2> "$log.mkiso"; then
        echo "not ok - guest $name: ISO build failed ($(head -c 200 "$log.mkiso"))" > "$tap"; return
    fi
    rm -f "$log.mkiso"
    timeout "$secs" $QEMU -accel tcg -cpu max -m 512 -smp 1 -no-reboot -display none -net none \
        -boot d -cdrom "$iso" -serial stdio </dev/null > "$log.raw" 2>&1 &
    qpid=$!
    # Poll the log: stop QEMU (by its PID) shortly after the outcome is known, because a hypervisor may
    # halt instead of powering off when dom0 shuts down.
    while kill -0 $qpid 2>/dev/null; do
        sleep 0.5
        t=$((t + 1))
        if [ $done_at -lt 0 ]; then
            if [ -n "$expectf" ]; then
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
        make -s -k $(for n in $names; do echo "guest-$n"; done) >&2
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
