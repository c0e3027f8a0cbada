#!/bin/sh
# mkinitramfs.sh - build the small dom0 initramfs: Debian's static busybox and an /init script.
#   mkinitramfs.sh OUT.cpio.gz [LINUX-IMAGE-PACKAGE]
#
# The archive is a newc cpio written by this script itself (so it needs neither root nor cpio for the
# device nodes), compressed with `gzip -n`: the same inputs give the same bytes (every time stamp is
# SOURCE_DATE_EPOCH, default 0; owners are root; entries come in a fixed order).
#
# Busybox comes from Debian's busybox-static package, fetched once with `apt-get download` (no root
# needed) and kept in OUTDIR/cache/.  Given the name of the dom0 kernel's package (e.g. the content of
# build/linux/version), the script also takes that package's xen-privcmd and xenfs modules (fetched
# once the same way), so that /init can mount xenfs on /proc/xen: Debian builds xenfs as a module.
#
# Given DOM0-TOOLS-ROOT, an install tree of dom0-tools (`make -C dom0-tools install DESTDIR=ROOT
# PREFIX=/usr/local`: xenstored, libxenstore.so.4, the xenstore tools), the archive holds that tree, the
# host's shared libraries its programs need (found with ldd: glibc's), the xen-evtchn module, and Debian's
# own xenstore tools (package xenstore-utils, fetched once, in /opt/debian/bin), which /init runs
# against our libxenstore.so.4.
#
# /init mounts /proc, /sys, /dev (devtmpfs), /dev/pts and xenfs, prints
#   Parva dom0: userspace is up (Linux <release>)
# then `uname -a`, /proc/xen and /sys/hypervisor/{type,version/*}; with xenstored present, starts it
# (platform xen: dom0's own ring through /proc/xen/xsd_kva) and reports what our tools and Debian's
# read back from it, over its socket and over the kernel's ring (/dev/xen/xenbus) ("Parva dom0:
# xenstore: ..." lines); then loads the drivers of the devices
# the boot tests may attach and reports them ("Parva dom0: dev: ..." lines: the pirqs of
# /proc/interrupts, the first line of /dev/sda, eth0 and a DHCP lease, the ACPI SCI count after a power
# button press, which it waits 15 s for when there is a disk).  With `parva.test=poweroff` on the
# kernel command line it prints "Parva dom0: powering off" and runs `poweroff -f` (after
# parva.test.linger=N seconds, if given); otherwise it starts
# a shell with job control on the console (and another one whenever that shell exits).
set -eu
[ $# -ge 1 ] && [ $# -le 3 ] || { echo "usage: $0 OUT.cpio.gz [LINUX-IMAGE-PACKAGE [DOM0-TOOLS-ROOT]]" >&2; exit 2; }
out=$1 kpkg=${2:-} toolsroot=${3:-}
outdir=$(dirname "$out")
cache=$outdir/cache
mkdir -p "$cache"
mtime=${SOURCE_DATE_EPOCH:-0}
for t in apt-get dpkg-deb gzip od; do
    command -v $t >/dev/null || { echo "$0: $t missing (run .ci/deps.sh)" >&2; exit 1; }
done

# fetch PACKAGE DIR: download PACKAGE's .deb with apt-get download and unpack it into DIR.
fetch() {
    tmp=$(mktemp -d "$cache/fetch.XXXXXX")
    if ! (cd "$tmp" && apt-get download "$1" >download.log 2>&1); then
        cat "$tmp/download.log" >&2
        echo "$0: cannot download $1 (network? apt-get update?)" >&2
        rm -rf "$tmp"
        exit 1
    fi
    dpkg-deb -x "$tmp"/*.deb "$tmp/x"
    (cd "$tmp" && ls ./*.deb | sed 's|^\./||') > "$tmp/x/.deb-name"
    rm -rf "$2"
    mv "$tmp/x" "$2"
    rm -rf "$tmp"
}

# Busybox, statically linked (Debian's busybox-static).
if [ ! -s "$cache/busybox" ]; then
    fetch busybox-static "$cache/busybox-static"
    cp "$cache/busybox-static/bin/busybox" "$cache/busybox.tmp"
    cat "$cache/busybox-static/.deb-name" > "$cache/busybox.deb-name"
    rm -rf "$cache/busybox-static"
    mv "$cache/busybox.tmp" "$cache/busybox"
fi

# The dom0 kernel's xenfs module and its dependency xen-privcmd (optional), and the drivers of the
# devices the boot tests attach (DRIVER_MODULES, in load order: an IDE disk through ata_piix and
# sd_mod, an e1000 NIC, and the ACPI power button, whose driver enables its event).
DRIVER_MODULES="crct10dif_common crc-t10dif crc64 crc64-rocksoft t10-pi scsi_common scsi_mod sd_mod libata ata_piix e1000 button"
kver="" kmods=""
if [ -n "$kpkg" ]; then
    kver=${kpkg#linux-image-}
    kdir=$cache/modules-$kver
    missing=""
    for m in xenfs xen-evtchn $DRIVER_MODULES; do
        [ -s "$kdir/$m.ko" ] || missing="$missing $m"
    done
    if [ -n "$missing" ]; then
        fetch "$kpkg" "$cache/$kpkg"
        mkdir -p "$kdir.tmp"
        kmoddir=$cache/$kpkg/lib/modules/$kver/kernel
        cp "$kmoddir/drivers/xen/xen-privcmd.ko" "$kmoddir/drivers/xen/xenfs/xenfs.ko" \
           "$kmoddir/drivers/xen/xen-evtchn.ko" "$kdir.tmp/"
        for m in $DRIVER_MODULES; do
            f=$(find "$kmoddir" -name "$m.ko" | head -n 1)
            [ -n "$f" ] || { echo "$0: $kpkg has no module $m.ko" >&2; exit 1; }
            cp "$f" "$kdir.tmp/"
        done
        rm -rf "$cache/$kpkg" "$kdir"
        mv "$kdir.tmp" "$kdir"
    fi
    kmods="xen-privcmd xenfs xen-evtchn $DRIVER_MODULES"
fi

# Debian's xenstore tools (with dom0-tools): the multi-call binary of xenstore-utils.
if [ -n "$toolsroot" ] && [ ! -s "$cache/debian-xenstore" ]; then
    fetch xenstore-utils "$cache/xenstore-utils"
    cp "$cache/xenstore-utils/usr/bin/xenstore" "$cache/debian-xenstore.tmp"
    cat "$cache/xenstore-utils/.deb-name" > "$cache/debian-xenstore.deb-name"
    rm -rf "$cache/xenstore-utils"
    mv "$cache/debian-xenstore.tmp" "$cache/debian-xenstore"
fi

# ---- the newc writer ----
ino=300000
# hdr NAME MODE SIZE NLINK RDEVMAJOR RDEVMINOR: a newc header and the padded name
hdr() {
    ino=$((ino + 1))
    nsize=$(( ${#1} + 1 ))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        $ino $2 0 0 $4 $mtime $3 0 0 $5 $6 $nsize 0
    printf '%s\000' "$1"
    pad $(( (110 + nsize) % 4 ))
}
pad() {     # pad N: zeros up to the next multiple of 4 after N bytes (N is taken modulo 4)
    n=$(( (4 - $1 % 4) % 4 ))
    [ $n -eq 0 ] || head -c $n /dev/zero
}
dir()     { hdr "$1" $((0040755)) 0 2 0 0; }
nod()     { hdr "$1" $((0020000 | $2)) 0 1 $3 $4; }   # nod NAME PERM MAJOR MINOR (character device)
symlink() { hdr "$1" $((0120777)) ${#2} 1 0 0; printf '%s' "$2"; pad ${#2}; }
file() {    # file NAME PERM SOURCE
    size=$(wc -c < "$3")
    hdr "$1" $((0100000 | $2)) $size 1 0 0
    cat "$3"
    pad $size
}

# tree ROOT: every directory, file and symlink under ROOT (sorted, so the archive does not depend on
# the file system's order), then the host libraries its ELF files need (ldd), each with its parent
# directories (a directory that is already there is harmless: the kernel's unpacker skips it).
# The loops read files, not pipes, so that hdr's inode counter lives in this shell.
tree() {
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort) > "$work/tree.list"
    while read -r p; do
        p=${p#./}
        if [ -L "$1/$p" ]; then
            symlink "$p" "$(readlink "$1/$p")"
        elif [ -d "$1/$p" ]; then
            dir "$p"
        else
            file "$p" "0$(stat -c %a "$1/$p")" "$1/$p"
        fi
    done < "$work/tree.list"
    find "$1" -type f -perm -u+x -exec ldd {} \; 2>/dev/null | grep -oE '/[^ ]+' | LC_ALL=C sort -u \
        > "$work/libs.list"
    while read -r lib; do
        case "$lib" in "$1"/*|"$(cd "$1" && pwd)"/*) continue ;; esac
        d=${lib#/}
        parents=""
        while [ "${d%/*}" != "$d" ]; do
            d=${d%/*}
            parents="$d $parents"
        done
        for d in $parents; do dir "$d"; done
        file "${lib#/}" 0755 "$(readlink -f "$lib")"
    done < "$work/libs.list"
}

work=$(mktemp -d "$cache/init.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat > "$work/init" <<'EOF'
#!/bin/sh
# /init of Parva's dom0 initramfs (generated by boot/mkinitramfs.sh).
/bin/busybox --install -s
export PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin HOME=/root TERM=linux
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || mdev -s
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
kver=$(uname -r)
for m in xen-privcmd xenfs; do
    [ -f /lib/modules/$kver/$m.ko ] && insmod /lib/modules/$kver/$m.ko
done
mkdir -p /proc/xen 2>/dev/null
grep -qw xenfs /proc/filesystems && mount -t xenfs xenfs /proc/xen

echo
echo "Parva dom0: userspace is up (Linux $kver)"
echo "uname -a: $(uname -a)"
echo "Parva dom0: CPUs online: $(cat /sys/devices/system/cpu/online) ($(grep -c ^processor /proc/cpuinfo) vCPUs)"
if [ -f /proc/xen/capabilities ]; then
    echo "/proc/xen: $(ls /proc/xen | tr '\n' ' ')"
    echo "/proc/xen/capabilities: $(cat /proc/xen/capabilities)"
else
    echo "/proc/xen: not present (no xenfs)"
fi
if [ -f /sys/hypervisor/type ]; then
    echo "/sys/hypervisor/type: $(cat /sys/hypervisor/type)"
    for f in /sys/hypervisor/version/*; do
        [ -f "$f" ] && echo "$f: $(cat "$f")"
    done
else
    echo "/sys/hypervisor: not present"
fi

# Xenstore: our xenstored in this dom0, reached over its socket and over the kernel's ring.  Every
# line here starts with "Parva dom0: xenstore".  Only in the control domain: a domU started from
# this initramfs (boot-time domains) has no xenstore, and its kernel's xenbus waits for one.
if [ -x /usr/local/sbin/xenstored ] && grep -qw control_d /proc/xen/capabilities 2>/dev/null; then
    [ -f /lib/modules/$kver/xen-evtchn.ko ] && insmod /lib/modules/$kver/xen-evtchn.ko
    mkdir -p /var/run/xenstored /var/log
    if /usr/local/sbin/xenstored --pid-file /var/run/xenstored.pid --log-file /var/log/xenstored.log; then
        echo "Parva dom0: xenstore: xenstored started (pid $(cat /var/run/xenstored.pid))"
    else
        echo "Parva dom0: xenstore: xenstored failed to start"
    fi
    sed 's/^/Parva dom0: xenstore: log: /' /var/log/xenstored.log
    /usr/local/bin/xenstore-write /parva/ours "written by our xenstore-write"
    echo "Parva dom0: xenstore: ours read: $(/usr/local/bin/xenstore-read /parva/ours)"
    export LD_LIBRARY_PATH=/usr/local/lib
    /opt/debian/bin/xenstore-write /parva/debian "written by Debian's xenstore-write"
    echo "Parva dom0: xenstore: Debian's read: $(/opt/debian/bin/xenstore-read /parva/debian)"
    echo "Parva dom0: xenstore: Debian's ls: $(/opt/debian/bin/xenstore-ls /parva | tr '\n' ' ')"
    unset LD_LIBRARY_PATH
    # Through the dom0 kernel's own ring to xenstored (libxenstore falls back to the xenbus device).
    echo "Parva dom0: xenstore: via /dev/xen/xenbus: $(XENSTORED_PATH=/dev/xen/xenbus /usr/local/bin/xenstore-read /parva/ours 2>&1)"
    # dom0's own entries, as Xen's xen-init-dom0 writes them (xl names domains from xenstore).
    /usr/local/bin/xenstore-write /local/domain/0/name Domain-0 /local/domain/0/domid 0
fi

# xl: the toolstack's view of the machine ("Parva dom0: xl: <command>" before each output).
if [ -x /usr/local/sbin/xl ] && grep -qw control_d /proc/xen/capabilities 2>/dev/null; then
    for c in "list" "vcpu-list" "sched-credit"; do
        echo "Parva dom0: xl: $c"
        /usr/local/sbin/xl $c 2>&1
    done
    echo "Parva dom0: xl: info"
    /usr/local/sbin/xl info 2>&1 | grep -E '^(nr_cpus|total_memory|free_memory|xen_version|xen_scheduler|virt_caps) '
    echo "Parva dom0: xl: dmesg (first line): $(/usr/local/sbin/xl dmesg 2>&1 | head -n 1)"
    echo "Parva dom0: xl: debug-keys m"
    /usr/local/sbin/xl debug-keys m
fi

# Devices: the drivers of what the boot tests may attach (an IDE disk whose first line is a signature,
# an e1000 NIC), then what they see.  Every line here starts with "Parva dom0: dev".
for m in crct10dif_common crc-t10dif crc64 crc64-rocksoft t10-pi scsi_common scsi_mod sd_mod libata \
         ata_piix e1000 button; do
    [ -f /lib/modules/$kver/$m.ko ] && insmod /lib/modules/$kver/$m.ko 2>/dev/null
done
pirqs() {   # pirqs WHEN: the xen-pirq lines of /proc/interrupts
    grep xen-pirq /proc/interrupts | sed "s/^ */Parva dom0: dev: \/proc\/interrupts ($1): /"
}
if [ -e /sys/block/sda ]; then
    pirqs before
    echo 3 > /proc/sys/vm/drop_caches
    echo "Parva dom0: dev: /dev/sda sector 0: $(dd if=/dev/sda bs=512 count=1 2>/dev/null | head -n 1)"
fi
if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up
    lease=$(udhcpc -i eth0 -n -q -t 5 -T 2 -s /bin/true 2>&1 | grep -o 'lease of [0-9.]* obtained')
    echo "Parva dom0: dev: eth0 $(cat /sys/class/net/eth0/operstate), DHCP: ${lease:-none}"
    ip link show eth0 | sed 's/^/Parva dom0: dev: ip link: /'
fi
if [ -e /sys/block/sda ]; then
    # A level-triggered interrupt: the ACPI SCI, raised when the boot test presses the power button.
    sci() { awk '/xen-pirq.*acpi/ { s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }' /proc/interrupts; }
    echo "Parva dom0: dev: waiting 15 s for an ACPI event (the power button)"
    n=0
    while [ $n -lt 30 ] && [ "$(sci)" = 0 ]; do sleep 0.5; n=$((n + 1)); done
    echo "Parva dom0: dev: ACPI SCI interrupts: $(sci)"
fi
if [ -e /sys/block/sda ] || [ -e /sys/class/net/eth0 ]; then
    pirqs after
fi

# parva.test.linger=N: stay N seconds before going on (a boot-time domU that dom0's xl must see).
linger=$(sed -n 's/.*parva\.test\.linger=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$linger" ]; then
    echo "Parva dom0: lingering $linger s (parva.test.linger)"
    sleep "$linger"
fi

case " $(cat /proc/cmdline) " in
*" parva.test=poweroff "*)
    echo "Parva dom0: powering off"
    poweroff -f
    sleep 60
    echo "Parva dom0: poweroff -f returned"
    ;;
esac

echo "Parva dom0: starting a shell on the console ('poweroff -f' powers the machine off)"
while :; do
    setsid cttyhack sh -l
    echo "Parva dom0: the shell exited; starting another"
    sleep 1
done
EOF
cat > "$work/profile" <<'EOF'
PS1='dom0:$PWD# '
export PS1
EOF

{
    for d in bin dev etc lib lib/modules mnt proc root run sbin sys tmp usr usr/bin usr/sbin var; do
        dir $d
    done
    if [ -n "$kmods" ]; then
        dir lib/modules/$kver
        for m in $kmods; do
            file lib/modules/$kver/$m.ko 0644 "$cache/modules-$kver/$m.ko"
        done
    fi
    if [ -n "$toolsroot" ]; then
        tree "$toolsroot"
        dir opt
        dir opt/debian
        dir opt/debian/bin
        file opt/debian/bin/xenstore 0755 "$cache/debian-xenstore"
        for t in read write ls list rm exists chmod watch; do
            symlink opt/debian/bin/xenstore-$t xenstore
        done
    fi
    nod dev/console 0600 5 1
    nod dev/null 0666 1 3
    nod dev/tty 0666 5 0
    nod dev/hvc0 0600 229 0
    file bin/busybox 0755 "$cache/busybox"
    symlink bin/sh busybox
    file etc/profile 0644 "$work/profile"
    file init 0755 "$work/init"
    hdr TRAILER!!! 0 0 1 0 0
} > "$work/cpio"
gzip -n -9 < "$work/cpio" > "$out.tmp"
mv "$out.tmp" "$out"
echo "  built $out (busybox from $(cat "$cache/busybox.deb-name" 2>/dev/null)${kmods:+, modules $kmods of $kver}${toolsroot:+, dom0-tools from $toolsroot and $(cat "$cache/debian-xenstore.deb-name" 2>/dev/null)})"
