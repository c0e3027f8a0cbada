#!/bin/bash
# run.sh - boot every PV test kernel (or the named ones) as dom0 on Parva under QEMU and check its one
# "Test result:" line (or its `expect` file). Prints TAP ("ok - guest NAME: SUCCESS").
#   tests/guests/run.sh [TEST...]                 (JOBS=2 to boot two at a time)
# The same kernels pass on real Xen 4.17: see tests/guests/xen-oracle.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/guests/common.sh

HV_NAME=parva
HV_IMAGE=${BUILD:-build}/parva
HV_CMDLINE="console=com1 com1=115200,8n1 loglvl=all dom0_mem=64M"

if [ -z "${SKIP_BUILD:-}" ]; then
    make -s "$HV_IMAGE" >&2 || { echo "not ok - Parva does not build"; exit 1; }
fi
run_guests "$@"
