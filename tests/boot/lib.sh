# lib.sh - helpers for boot tests: run an ISO under QEMU (TCG) and check its serial log.
#
# Each check prints one TAP line ("ok - ..." / "not ok - ..."); a failed check
# also prints the end of the serial log, so a CI log explains itself.

BT_OUT=${BT_OUT:-build/tests/boot/logs}
QEMU=${QEMU:-qemu-system-x86_64}
mkdir -p "$BT_OUT"

# boot NAME ISO SECONDS [QEMU ARGS...]
#   Boots ISO with the serial port on stdio (stdin: /dev/null), log in $BT_OUT/NAME.log.
#   Sets RC to QEMU's exit status (124: killed by the timeout) and LOG to the log path.
boot() {
    name=$1 iso=$2 secs=$3
    shift 3
    LOG=$BT_OUT/$name.log
    timeout "$secs" $QEMU -accel tcg -cpu max -display none -no-reboot -net none -boot d \
        -cdrom "$iso" -serial stdio "$@" </dev/null >"$LOG.raw" 2>&1
    RC=$?
    tr -d '\r' <"$LOG.raw" >"$LOG" && rm -f "$LOG.raw"
}

# boot_interactive NAME ISO SECONDS SCRIPT [QEMU ARGS...]
#   Like boot, but the serial input is fed by SCRIPT, a function that gets the log path in $LOG
#   and writes to file descriptor 3 (e.g. wait_for "ready"; printf h >&3).
boot_interactive() {
    name=$1 iso=$2 secs=$3 script=$4
    shift 4
    LOG=$BT_OUT/$name.log
    fifo=$BT_OUT/$name.in
    rm -f "$fifo" && mkfifo "$fifo"
    timeout "$secs" $QEMU -accel tcg -cpu max -display none -no-reboot -net none -boot d \
        -cdrom "$iso" -serial stdio "$@" <"$fifo" >"$LOG" 2>&1 &
    qpid=$!
    exec 3>"$fifo"
    $script
    exec 3>&-
    wait $qpid
    RC=$?
    rm -f "$fifo"
    tr -d '\r' <"$LOG" >"$LOG.tmp" && mv "$LOG.tmp" "$LOG"
}

# wait_for REGEX [SECONDS]: wait until the current log matches (default 60 s); 1 on timeout.
wait_for() {
    n=0
    while ! grep -qE "$1" "$LOG" 2>/dev/null; do
        n=$((n + 1))
        [ $n -gt $(( ${2:-60} * 10 )) ] && return 1
        sleep 0.1
    done
    return 0
}

bt_fail_detail() {
    echo "#   serial log $LOG (last 25 lines):"
    tail -n 25 "$LOG" 2>/dev/null | sed 's/^/#   | /'
}

# ok CONDITION-STATUS DESCRIPTION
report() {
    if [ "$1" -eq 0 ]; then
        echo "ok - $2"
    else
        echo "not ok - $2"
        bt_fail_detail
    fi
}

# expect REGEX DESCRIPTION: the log has a line matching REGEX (extended regex)
expect() {
    grep -qE "$1" "$LOG" 2>/dev/null
    report $? "$2"
}

# expect_not REGEX DESCRIPTION
expect_not() {
    ! grep -qE "$1" "$LOG" 2>/dev/null
    report $? "$2"
}

# expect_rc N DESCRIPTION: QEMU exited with status N
expect_rc() {
    [ "$RC" -eq "$1" ]
    report $? "$2 (QEMU exit status $RC)"
}

# field REGEX: the first capture-free match of REGEX in the log, for numeric checks
field() {
    grep -oE "$1" "$LOG" 2>/dev/null | head -n 1
}
