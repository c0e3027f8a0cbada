#!/bin/sh
# run.sh - boot tests: the real hypervisor under QEMU (TCG), judged by its serial log.
# Prints one TAP line per check.  The ISOs come from tests/boot/boot.mk (make boottest builds them).
set -u
cd "$(dirname "$0")/../.."
. tests/boot/lib.sh
ISOS=build/tests/boot

# Usable RAM the hypervisor reports must match QEMU's -m, less what the firmware reserves
# (the 384 KiB legacy hole below 1 MiB and SeaBIOS's 128 KiB at the top of low RAM).
check_ram() {   # MiB given to -m
    kb=$(field 'System RAM: [0-9]+MB \([0-9]+kB\)' | sed 's/.*(\([0-9]*\)kB)/\1/')
    want=$(( $1 * 1024 ))
    [ -n "$kb" ] && [ "$kb" -le "$want" ] && [ $(( want - kb )) -le 1024 ]
    report $? "$2: usable RAM ${kb:-?} kB matches -m $1 ($want kB) within the firmware's reservations"
    free=$(field 'Heap: [0-9]+ MiB free' | grep -oE '[0-9]+')
    [ -n "$free" ] && [ $(( free * 100 )) -ge $(( $1 * 90 )) ]
    report $? "$2: the heap holds at least 90% of RAM (${free:-?} MiB free)"
}

check_cpus() {  # number of CPUs
    expect "Brought up $1 CPUs" "$2: all $1 CPUs online"
    if [ "$1" -gt 1 ]; then
        expect "IPI check: $(( $1 - 1 )) of $(( $1 - 1 )) other CPUs answered a cross-CPU call$" \
            "$2: every other CPU answers an IPI"
    fi
}

check_common_boot() {
    expect '^\(PARVA\) (\[ *[0-9.]+\] )?Parva [0-9]+\.[0-9]+, a Xen 4\.17 PV ABI hypervisor' "$1: banner"
    expect 'APIC timer check: [0-9]+ kHz counted over 200 ms of TSC against [0-9]+ kHz calibrated \([-+][0-9]+\.[0-9]+%\) ok; 10 of 10 periodic interrupts' \
        "$1: local APIC timer rate agrees with the TSC (within 2%) and its interrupts arrive"
    expect 'SMEP/SMAP self-test: passed' "$1: SMEP/SMAP self-test"
    expect_not 'FATAL TRAP|Panic on CPU' "$1: no panic"
}

# --- plain ISO: -smp 1 / -m 512, powers off because there is no dom0 ---
boot smp1 $ISOS/plain.iso 120 -smp 1 -m 512
check_common_boot smp1
check_ram 512 smp1
check_cpus 1 smp1
expect 'parameter "frobnicate" unknown!' "smp1: an unknown option is reported"
expect 'Command line: console=com1 com1=115200,8n1 loglvl=all frobnicate=7$' "smp1: command line seen"
expect 'com1: I/O port 0x3f8, 115200 baud, 8n1, IRQ 4' "smp1: serial port configured from com1="
expect 'IRQ: GSI 4 -> vector 0x[0-9a-f]+ on CPU 0 \(edge, active high\) for com1' \
    "smp1: serial receive IRQ routed through the IO-APIC"
expect 'No dom0 kernel given \(no module2 line\): nothing to run\.' "smp1: missing dom0 is explained"
expect 'Powering off\.' "smp1: powers off"
expect_rc 0 "smp1: ACPI power-off ends QEMU"

boot smp2 $ISOS/plain.iso 120 -smp 2 -m 1024
check_common_boot smp2
check_ram 1024 smp2
check_cpus 2 smp2
expect_rc 0 "smp2: powers off"

boot smp4 $ISOS/plain.iso 180 -smp 4 -m 4096
check_common_boot smp4
check_ram 4096 smp4
check_cpus 4 smp4
expect '\[0000000100000000, 000000013fffffff\] \(usable\)' "smp4: RAM above 4 GiB in the memory map"
expect_rc 0 "smp4: powers off"

# --- boot modules and their command lines ---
boot modules $ISOS/modules.iso 120 -smp 2 -m 1024
check_common_boot modules
expect 'Command line: console=com1 com1=115200,8n1 loglvl=all dom0_mem=512M,max:1G dom0_max_vcpus=2 console_timestamps=boot$' \
    "modules: hypervisor command line"
expect 'Module 0: 0x[0-9a-f]+-0x[0-9a-f]+ \(39 KiB\) dom0 kernel: "console=hvc0 earlyprintk=xen root=/dev/xvda1"' \
    "modules: dom0 kernel module with its command line"
expect 'Module 1: 0x[0-9a-f]+-0x[0-9a-f]+ \(97 KiB\) dom0 initrd: "initrd-marker=42"' \
    "modules: initrd module with its command line"
expect 'dom0: memory 512 MiB \(min 0, max 1 GiB\), vcpus 2\.\.2' "modules: dom0_mem and dom0_max_vcpus parsed"
expect '^\(PARVA\) \[ *[0-9]+\.[0-9]{6}\] ' "modules: console_timestamps=boot stamps lines"
expect 'dom0 kernel: not a usable ELF64 PV kernel' "modules: a module that is not a PV kernel is refused clearly"
expect 'dom0 could not be built \(see above\): nothing to run\.' "modules: and the machine says it has nothing to run"
expect_rc 0 "modules: powers off"

# --- an unexpected exception: full report, then reboot (QEMU -no-reboot exits) ---
boot fault $ISOS/fault.iso 120 -smp 2 -m 512
expect 'fault test: writing to 000000000dead000' "fault: the test build faults on purpose"
expect 'FATAL TRAP: vector = 14 \(page fault\)' "fault: vector and name"
expect '\[error_code=0002\]' "fault: error code (write, not present)"
expect 'Faulting linear address: 000000000dead000' "fault: faulting address (CR2)"
expect 'RIP:    \[<ffff82d0[0-9a-f]{8}>\] fault_here\+0x[0-9a-f]+/0x[0-9a-f]+' "fault: RIP with its symbol"
expect '\[<ffff82d0[0-9a-f]{8}>\] fault_here\+0x[0-9a-f]+/0x[0-9a-f]+' "fault: call trace starts at the faulting function"
expect 'rax: [0-9a-f]{16}   rbx: [0-9a-f]{16}   rcx: [0-9a-f]{16}' "fault: general registers"
expect 'r15: [0-9a-f]{16}   cr0: [0-9a-f]{16}   cr4: [0-9a-f]{16}' "fault: r15, CR0, CR4"
expect 'cr3: [0-9a-f]{16}   cr2: 000000000dead000' "fault: CR3 and CR2"
expect '\[<ffff82d0[0-9a-f]{8}>\] boot_selftest_hook\+0x' "fault: call trace through the caller"
expect '\[<ffff82d0[0-9a-f]{8}>\] __start_parva\+0x' "fault: call trace up to the entry"
expect 'Reboot in five seconds\.\.\.' "fault: reboots after the panic"
expect_rc 0 "fault: the reboot ends QEMU"

# --- noreboot: stays up; debug keys through the serial receive interrupt (q35: FADT reset register) ---
stayup_script() {
    wait_for "'noreboot' given: staying up" 120 || return
    printf 'h' >&3
    wait_for "key 'R' \(ascii '52'\) => reboot machine" 30 || return
    printf 'd' >&3
    wait_for 'Dumping CPU1 state' 30 || return
    printf 'i' >&3
    wait_for 'GSI +4 +vector' 30 || return
    printf 'R' >&3
}
boot_interactive stayup $ISOS/stayup.iso 200 stayup_script -machine q35 -smp 2 -m 512
expect "'h' pressed -> show this message" "stayup: a key typed on the serial port reaches the hypervisor"
expect "key 'd' \(ascii '64'\) => dump registers" "stayup: 'h' lists the debug keys"
expect 'Dumping CPU0 state' "stayup: 'd' dumps CPU 0"
expect 'Dumping CPU1 state' "stayup: 'd' dumps CPU 1 (by IPI)"
expect 'GSI +4 +vector 0x[0-9a-f]+ +edge +high +count +[1-9][0-9]* +com1' \
    "stayup: 'i' shows the serial IRQ with its interrupt count"
expect 'ACPI: reset register io 0xcf9' "stayup: q35's FADT reset register found"
expect 'Rebooting\.' "stayup: 'R' reboots"
expect_rc 0 "stayup: the reboot ends QEMU"

# --- SMEP/SMAP turned off on the command line; no HPET, so the TSC is calibrated with the PIT ---
boot nosmx $ISOS/nosmx.iso 120 -machine pc,hpet=off -smp 1 -m 512
expect 'SMEP disabled \(smep=0\), SMAP disabled \(smap=0\)' "nosmx: smep=0 smap=0 honoured"
expect 'SMEP/SMAP self-test: passed \(SMEP off, SMAP off' "nosmx: guest accessors work with SMAP off"
expect 'Platform timer is PIT \(1193182 Hz\)' "nosmx: TSC calibrated against the PIT without an HPET"
expect 'APIC timer check: .* ok; 10 of 10' "nosmx: APIC timer agrees with the PIT-calibrated TSC"
expect_rc 0 "nosmx: powers off"

# --- a boot entry that fails falls back to powering off ---
boot broken $ISOS/broken.iso 60 -smp 1 -m 256
expect 'The Parva boot entry failed: powering off\.' "broken: GRUB falls back to the power-off entry"
expect_rc 0 "broken: QEMU ends instead of waiting for a key"

# --- Debian 12's Linux kernel as dom0 (an unmodified linux-image-amd64 vmlinux) ---
# Linux boots run with -vga none: Linux sizes the BARs of a VGA device with memory decoding left
# on (mmio_always_on), so QEMU remaps the 16 MiB framebuffer at 0xff000000 and back while the
# other vCPU thread does I/O; QEMU 7.2's multi-threaded TCG then sometimes dies in
# memory_region_dispatch_write (SIGSEGV, exit status 139; seen in 1 of 4 linux-smp boots under
# gdb, always right after "pci 0000:00:02.0: BAR 0"). No test needs a VGA device.
boot linux $ISOS/linux.iso 240 -smp 1 -m 1024 -vga none
expect 'Building a PV Dom0' "linux: the builder takes Debian's kernel"
expect 'ENTRY ADDRESS: ffffffff830791c0|ENTRY ADDRESS: ffffffff8[0-9a-f]{7}' "linux: entry point from its ENTRY note"
expect 'Phys-Mach map: 0000008000000000' "linux: p2m list at its INIT_P2M address"
expect 'Linux version 6\.1' "linux: Linux prints its first lines (earlyprintk=xen, console_io)"
expect 'Booting kernel on Xen' "linux: Linux detects Xen through the CPUID leaves"
expect 'Xen version: 4\.17' "linux: Linux reads Xen 4.17 from xen_version"
expect 'installing Xen timer for CPU 0' "linux: Linux binds VIRQ_TIMER (event channels)"
expect 'Calibrating delay loop \(skipped\)' "linux: Linux's clock event device runs on the vCPU timers"
expect 'Unable to mount root fs' "linux: Linux boots through to mounting its root file system (this test gives it none)"
expect_not 'FATAL TRAP|Panic on CPU' "linux: the hypervisor survives whatever the guest does"
last=$(grep -a '^\[ *[0-9.]*\]' "$LOG" | tail -n 1)
echo "# linux: last kernel line: ${last:-none}"

# --- the same kernel as Debian installs it (vmlinuz: a bzImage whose xz payload Parva decompresses) ---
boot linux-vmlinuz $ISOS/linux-vmlinuz.iso 240 -smp 1 -m 1024 -vga none
expect 'Building a PV Dom0' "linux-vmlinuz: the builder takes Debian's vmlinuz"
expect 'dom0 kernel: xz payload decompressed, [0-9]+ KiB to [0-9]+ KiB, in [0-9]+ ms' \
    "linux-vmlinuz: Parva decompresses its xz payload"
expect 'ENTRY ADDRESS: ffffffff8[0-9a-f]{7}' "linux-vmlinuz: entry point from its ENTRY note"
expect 'Phys-Mach map: 0000008000000000' "linux-vmlinuz: p2m list at its INIT_P2M address"
expect 'Linux version 6\.1' "linux-vmlinuz: Linux prints its first lines"
expect 'Booting kernel on Xen' "linux-vmlinuz: Linux detects Xen through the CPUID leaves"
expect 'Xen version: 4\.17' "linux-vmlinuz: Linux reads Xen 4.17 from xen_version"
expect_not 'FATAL TRAP|Panic on CPU' "linux-vmlinuz: the hypervisor survives whatever the guest does"
echo "# linux-vmlinuz: $(field 'xz payload decompressed, .*')"

# --- the same vmlinuz with the dom0 initramfs (boot/mkinitramfs.sh): Linux's userspace runs, then powers off ---
boot linux-initramfs $ISOS/linux-initramfs.iso 300 -smp 1 -m 1024 -vga none
expect 'Module 1: 0x[0-9a-f]+-0x[0-9a-f]+ \([0-9]+ KiB\) dom0 initrd' "linux-initramfs: the initramfs is dom0's initrd module"
expect 'Run /init as init process' "linux-initramfs: Linux unpacks the initramfs and runs its /init"
expect '^Parva dom0: userspace is up \(Linux 6\.1\.[0-9]+-[0-9]+-amd64\)$' "linux-initramfs: /init's banner (userspace runs)"
expect '^uname -a: Linux .* 6\.1\.[0-9]+-[0-9]+-amd64 #1 SMP .*Debian 6\.1\.[0-9]+' "linux-initramfs: uname shows Debian's kernel"
expect '^/sys/hypervisor/type: xen$' "linux-initramfs: /sys/hypervisor/type is xen"
expect '^/sys/hypervisor/version/minor: 17$' "linux-initramfs: /sys/hypervisor/version says Xen 4.17"
expect '^/proc/xen/capabilities: control_d$' "linux-initramfs: xenfs on /proc/xen: dom0 is the control domain"
expect 'xenstored info: domain 0 introduced \(port [0-9]+\)' \
    "linux-initramfs: our xenstored runs in dom0 and connects dom0's own ring (xsd_kva, xsd_port)"
expect '^Parva dom0: xenstore: ours read: written by our xenstore-write$' \
    "linux-initramfs: our xenstore tools write and read through xenstored's socket"
expect "^Parva dom0: xenstore: Debian's read: written by Debian's xenstore-write\$" \
    "linux-initramfs: Debian's xenstore-utils run against our libxenstore.so.4 in dom0"
expect "^Parva dom0: xenstore: Debian's ls: ours = \"written by our xenstore-write\" debian = \"written by Debian's xenstore-write\" \$" \
    "linux-initramfs: Debian's xenstore-ls lists both"
expect '^Parva dom0: xenstore: via /dev/xen/xenbus: written by our xenstore-write$' \
    "linux-initramfs: the dom0 kernel's xenbus ring reaches xenstored (event channel to itself)"
expect '^Domain-0 +0 +512 +1 +r----- +[0-9]+\.[0-9]$' "linux-initramfs: xl list in dom0 (domctl/sysctl through privcmd, the name from xenstore)"
expect '^Domain-0 +0 +0 +0 +r-- +[0-9]+\.[0-9]  all / all$' "linux-initramfs: xl vcpu-list"
expect '^Domain-0 +0 +256 +0$' "linux-initramfs: xl sched-credit (weight 256, no cap)"
expect '^xen_version +: 4\.17' "linux-initramfs: xl info: the Xen version dom0 sees"
expect '^xen_scheduler +: credit$' "linux-initramfs: xl info: the scheduler"
expect '^Parva dom0: xl: dmesg \(first line\): \(PARVA\) Parva ' "linux-initramfs: xl dmesg reads the hypervisor's console ring"
expect "^\(PARVA\) 'm' pressed -> " "linux-initramfs: xl debug-keys m reaches the hypervisor's debug keys"
expect '^Parva dom0: powering off$' "linux-initramfs: /init powers off (parva.test=poweroff)"
expect 'Hardware Dom0 halted: powering off' "linux-initramfs: dom0's SCHEDOP_shutdown(poweroff) reaches the hypervisor"
expect_rc 0 "linux-initramfs: ACPI power-off ends QEMU before the timeout"
expect_not 'FATAL TRAP|Panic on CPU' "linux-initramfs: no hypervisor panic"
expect_not 'Kernel panic|Attempted to kill init|Oops|BUG:' "linux-initramfs: no Linux panic or oops"
echo "# linux-initramfs: $(grep -a 'Run /init as init process' "$LOG" | head -n 1)"

# --- an SMP dom0: 4 vCPUs on 2 CPUs, brought up by Linux itself (VCPUOP_initialise, VCPUOP_up) ---
boot linux-smp $ISOS/linux-smp.iso 300 -smp 2 -m 1024 -vga none
expect 'Scheduler: credit' "linux-smp: the credit scheduler runs the vCPUs"
expect 'smp: Brought up 1 node, 4 CPUs' "linux-smp: Linux brings up its 3 other vCPUs"
expect '^Parva dom0: CPUs online: 0-3 \(4 vCPUs\)$' "linux-smp: userspace sees 4 CPUs online"
expect '^Parva dom0: powering off$' "linux-smp: /init runs to its end on 4 vCPUs sharing 2 CPUs"
expect_rc 0 "linux-smp: ACPI power-off ends QEMU before the timeout"
expect_not 'FATAL TRAP|Panic on CPU' "linux-smp: no hypervisor panic"
expect_not 'Kernel panic|Oops|BUG:|rcu.*stall|soft lockup' "linux-smp: no Linux panic, oops, RCU stall or soft lockup"

# --- Debian's kernel as a boot-time domU next to dom0 Linux: its console ring, its userspace, its end ---
# dom0 runs its shell; the domU (2 vCPUs, 384 MiB, the same initramfs) reaches its /init through the
# console ring and powers off, which destroys it; then dom0 is told to power off on the serial line.
linux_domu_script() {
    wait_for 'Domain 1 \(linux\) destroyed' 400
    wait_for 'dom0:/# ' 60
    sleep 1
    printf 'poweroff -f\r' >&3
    wait_for 'Powering off' 60
}
boot_interactive linux-domu $ISOS/linux-domu.iso 500 linux_domu_script -smp 2 -m 1536 -vga none
expect 'Module 2: 0x[0-9a-f]+-0x[0-9a-f]+ \([0-9]+ KiB\) domU 1 kernel: "domU name=linux' "linux-domu: the third module is a domU"
expect 'Module 3: 0x[0-9a-f]+-0x[0-9a-f]+ \([0-9]+ KiB\) domU 1 initrd: "initrd"' "linux-domu: the fourth, its initrd"
expect 'domain 1 \(linux\) kernel: xz payload decompressed' "linux-domu: the domU's vmlinuz is decompressed too"
expect 'domain 1 \(linux\) built: 2 vCPUs, console on port [0-9]+' "linux-domu: the domU is built with its console ring"
expect '^\(d1\) .*Linux version 6\.1' "linux-domu: the domU's first lines (earlyprintk=xen: console_io, \"(d1)\")"
expect 'ACPI in unprivileged domain disabled' "linux-domu: Linux knows it is not dom0 (start_info flags)"
expect '^\(linux\) .*printk: console \[hvc0\] enabled' "linux-domu: hvc0 on the console ring, printed as \"(linux) ...\""
expect '^\(linux\) .*smp: Brought up 1 node, 2 CPUs' "linux-domu: the domU brings up its second vCPU"
expect '^\(linux\) .*Run /init as init process' "linux-domu: the domU runs its /init"
expect '^\(linux\) Parva dom0: userspace is up \(Linux 6\.1\.[0-9]+-[0-9]+-amd64\)$' "linux-domu: the domU's userspace prints through the ring"
expect '^\(linux\) /proc/xen/capabilities: $' "linux-domu: the domU is not the control domain"
expect 'domain 1 \(linux\) has shut down \(poweroff\): destroying it' "linux-domu: the domU's poweroff reaches the hypervisor"
expect 'Domain 1 \(linux\) destroyed: [0-9]+ pages returned \(it owned 98304\)' "linux-domu: the domU is destroyed and its 384 MiB returned"
expect '^Parva dom0: starting a shell' "linux-domu: dom0 reaches its shell next to the domU"
# (No "$": the domU's own lines, printed by the hypervisor, may cut into dom0's output on the serial line.)
expect '^\(null\) +1 +384 +2 +[-r][-b]---- +[0-9]+\.[0-9]' "linux-domu: dom0's xl list shows the boot-time domU (384 MiB, 2 vCPUs; no name in xenstore)"
expect 'Hardware Dom0 halted: powering off' "linux-domu: dom0 powers the machine off afterwards"
expect_rc 0 "linux-domu: ACPI power-off ends QEMU"
expect_not 'FATAL TRAP|Panic on CPU' "linux-domu: no hypervisor panic"
expect_not 'Kernel panic|Oops|BUG:|rcu.*stall|soft lockup' "linux-domu: no Linux panic, oops, RCU stall or soft lockup"
echo "# linux-domu: the domU without xenstore still reaches its userspace: $(grep -a '^(linux) .*Run /init' "$LOG" | head -n 1)"
echo "# linux-domu: $(grep -a 'Domain 1 (linux) destroyed' "$LOG" | sed 's/^(PARVA) //')"

# --- console input for a boot-time domain: Ctrl-A three times moves input from Parva to DOM1 ---
console_input_script() {
    wait_for '\(reader\) waiting for input' 120 || return
    printf '\001\001\001' >&3
    wait_for 'Serial input to DOM1' 30 || return
    printf 'parva-input\r' >&3
    wait_for 'Powering off' 60
}
boot_interactive console-input $ISOS/console-input.iso 240 console_input_script -smp 1 -m 512
expect '\*\*\* Serial input to Parva \(type .CTRL-a. three times to switch input\)' \
    "console-input: without dom0, input starts with the hypervisor"
expect '\*\*\* Serial input to DOM1 \(type .CTRL-a. three times to switch input\)' \
    "console-input: Ctrl-A three times gives it to the boot-time domain"
expect '^\(reader\) got: parva-input$' "console-input: the domain reads the typed line from its console ring"
expect '^\(reader\) Test result: SUCCESS' "console-input: its checks pass"
expect 'The last boot-time domain has ended, and there is no dom0\.' "console-input: it ends, and the machine powers off"
expect_rc 0 "console-input: QEMU ends before the timeout"
expect_not 'FATAL TRAP|Panic on CPU' "console-input: no hypervisor panic"

# --- physical interrupts: dom0 drives an IDE disk (IRQ 14/15, edge), its PS/2 controller and RTC, and
# gets the ACPI SCI (GSI 9, level) when the power button is pressed through QEMU's monitor ---
press_power_button() {
    wait_for 'Parva dom0: dev: waiting 15 s for an ACPI event' 240 || return
    echo system_powerdown > "$BT_OUT/linux-devices.mon.in"
}
rm -f "$BT_OUT/linux-devices.mon.in" "$BT_OUT/linux-devices.mon.out"
mkfifo "$BT_OUT/linux-devices.mon.in" "$BT_OUT/linux-devices.mon.out"
cat "$BT_OUT/linux-devices.mon.out" > /dev/null &
mon_reader=$!
boot_interactive linux-devices $ISOS/linux-initramfs.iso 300 press_power_button -smp 2 -m 1024 -vga none \
    -drive file=$ISOS/disk.img,format=raw,if=ide,snapshot=on -nic user,model=e1000 \
    -chardev pipe,id=mon0,path=$BT_OUT/linux-devices.mon -mon chardev=mon0
kill $mon_reader 2>/dev/null
rm -f "$BT_OUT/linux-devices.mon.in" "$BT_OUT/linux-devices.mon.out"
expect 'PCI: Using configuration type 1 for base access' "linux-devices: Linux reaches PCI configuration space through 0xcf8/0xcfc"
expect_not 'PCI: Fatal: No config space access|AE_ERROR, During region initialization: \[PCI_Config\]' \
    "linux-devices: no PCI configuration space errors (ACPI's PCI_Config regions work)"
expect_not 'xen map irq failed|Failed to setup GSI|Failed to obtain physical IRQ' "linux-devices: every GSI is mapped, set up and bound"
expect 'serio: i8042 KBD port at 0x60,0x64 irq 1' "linux-devices: i8042 probes (IRQ 1 and 12)"
expect 'rtc_cmos 00:0[0-9]: registered as rtc0' "linux-devices: rtc_cmos probes (IRQ 8)"
expect_not 'probe of .* failed with error -38' "linux-devices: no driver fails with -ENOSYS"
expect 'ata1\.00: ATA-7: QEMU HARDDISK' "linux-devices: ata_piix identifies the disk (IRQ 14)"
expect '\[sda\] Attached SCSI disk' "linux-devices: the disk is sda"
expect '^Parva dom0: dev: /dev/sda sector 0: PARVA-TEST-DISK 0123456789abcdef$' "linux-devices: reading sda returns the signature"
pirq_count() {   # pirq_count WHEN NAME: the summed per-CPU counts of that /proc/interrupts line
    grep -a "^Parva dom0: dev: /proc/interrupts ($1): .*xen-pirq.* $2\$" "$LOG" | head -n 1 |
        sed 's/.*(.*): *[0-9]*://' | awk '{ s = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }'
}
before=$(pirq_count before ata_piix) after=$(pirq_count after ata_piix)
[ -n "$before" ] && [ -n "$after" ] && [ "$after" -gt "$before" ]
report $? "linux-devices: the disk's xen-pirq count grows with the read (${before:-?} -> ${after:-?})"
expect '^Parva dom0: dev: ACPI SCI interrupts: [1-9]' "linux-devices: the power button raises the ACPI SCI (GSI 9, level-triggered)"
expect 'e1000: eth0 NIC Link is Up' "linux-devices: the e1000 NIC comes up (its DMA buffers from XENMEM_exchange)"
expect '^Parva dom0: dev: eth0 up, DHCP: lease of [0-9.]+ obtained$' "linux-devices: dom0 gets a DHCP lease over the e1000 (DMA and INTx both work)"
expect '^Parva dom0: powering off$' "linux-devices: /init runs to its end"
expect_rc 0 "linux-devices: ACPI power-off ends QEMU before the timeout"
expect_not 'FATAL TRAP|Panic on CPU' "linux-devices: no hypervisor panic"
expect_not 'Kernel panic|Oops|BUG:|general protection fault|rcu.*stall|nobody cared' "linux-devices: no Linux panic, oops, stall or unhandled interrupt"
echo "# linux-devices: $(grep -a 'Parva dom0: dev: /proc/interrupts (after)' "$LOG" | sed 's/^Parva dom0: dev: \/proc\/interrupts (after): *//' | awk '{ printf "%s%s", sep, $0; sep = " | " }')"
echo "# linux-devices: e1000: $(grep -a -E 'e1000 0000:00:03.0|e1000: .*(abort|failed)|Parva dom0: dev: eth0' "$LOG" | tail -n 1)"
