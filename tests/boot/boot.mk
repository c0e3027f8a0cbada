# boot.mk (tests) - the ISOs the boot tests run; included by tests/tests.mk.
#
#   plain      no modules; unknown option on the command line   (-smp 1/2/4, -m 512/1024/4096)
#   modules    two modules with command lines, dom0 options, timestamps
#   fault      a test build that takes a deliberate page fault
#   stayup     noreboot: stays up for debug keys typed on the serial port
#   nosmx      smep=0 smap=0
#   broken     a file without a multiboot2 header: GRUB's fallback entry powers off
#   linux      Debian 12's own kernel (linux-image-amd64, its vmlinux extracted) as dom0
#   linux-vmlinuz  the same kernel as Debian installs it (vmlinuz: a bzImage, xz payload), decompressed by Parva
#   linux-initramfs  vmlinuz with the dom0 initramfs (boot/mkinitramfs.sh): /init reports, then powers off

BT_DIR      := $(BUILD)/tests/boot
BT_BASE     := console=com1 com1=115200,8n1 loglvl=all
BT_ISOS     := $(addprefix $(BT_DIR)/,plain.iso modules.iso fault.iso stayup.iso nosmx.iso broken.iso linux.iso)
LINUX_DIR   := $(BUILD)/linux
BOOTTEST_ARTIFACTS := $(BT_ISOS)

BT_FAULT_BIN := $(BT_DIR)/fault/parva
BT_FAULT_OBJ := $(BT_DIR)/fault/fault.o

$(BT_DIR)/plain.iso: $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(BT_BASE) frobnicate=7"

$(BT_DIR)/mod-kernel.bin $(BT_DIR)/mod-initrd.bin:
	@mkdir -p $(@D)
	$(Q)head -c 40000 /dev/zero | tr '\0' 'K' > $(BT_DIR)/mod-kernel.bin
	$(Q)head -c 100000 /dev/zero | tr '\0' 'I' > $(BT_DIR)/mod-initrd.bin

$(BT_DIR)/modules.iso: $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in $(BT_DIR)/mod-kernel.bin $(BT_DIR)/mod-initrd.bin
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(BT_BASE) dom0_mem=512M,max:1G dom0_max_vcpus=2 console_timestamps=boot" \
	    $(BT_DIR)/mod-kernel.bin "console=hvc0 earlyprintk=xen root=/dev/xvda1" \
	    $(BT_DIR)/mod-initrd.bin "initrd-marker=42"

$(BT_FAULT_OBJ): tests/boot/fault.c $(PUBINC)/xen/xen.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CPPFLAGS) $(HV_CFLAGS) -c $< -o $@

$(BT_FAULT_BIN): $(HV_OBJS) $(BT_FAULT_OBJ) $(HV_OBJDIR)/parva.lds $(HV_DIR)/scripts/gensyms.sh $(HV_TOOL_ELF)
	$(call link_hv,$@,$(HV_OBJS) $(BT_FAULT_OBJ))

$(BT_DIR)/fault.iso: $(BT_FAULT_BIN) boot/mkiso.sh boot/grub.cfg.in
	$(Q)boot/mkiso.sh $@ $(BT_FAULT_BIN) "$(BT_BASE)"

$(BT_DIR)/stayup.iso: $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(BT_BASE) noreboot"

$(BT_DIR)/nosmx.iso: $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(BT_BASE) smep=0 smap=0"

$(BT_DIR)/broken.iso: boot/mkiso.sh boot/grub.cfg.in
	@mkdir -p $(@D)
	$(Q)head -c 65536 /dev/zero > $(BT_DIR)/not-a-hypervisor
	$(Q)boot/mkiso.sh $@ $(BT_DIR)/not-a-hypervisor "$(BT_BASE)"

# Debian's kernel, fetched with apt-get download and unpacked once (tests/boot/fetch-linux.sh).
$(LINUX_DIR)/vmlinux: tests/boot/fetch-linux.sh
	$(Q)tests/boot/fetch-linux.sh $(LINUX_DIR)

$(BT_DIR)/linux.iso: $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in $(LINUX_DIR)/vmlinux
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(BT_BASE) dom0_mem=512M" $(LINUX_DIR)/vmlinux \
	    "earlyprintk=xen console=hvc0 loglevel=8"

# The same kernel as the bzImage Debian installs in /boot: Parva decompresses its xz payload.
BT_ISOS += $(BT_DIR)/linux-vmlinuz.iso
BOOTTEST_ARTIFACTS += $(BT_DIR)/linux-vmlinuz.iso
$(LINUX_DIR)/vmlinuz: $(LINUX_DIR)/vmlinux
	$(Q)tests/boot/fetch-linux.sh $(LINUX_DIR)

$(BT_DIR)/linux-vmlinuz.iso: $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in $(LINUX_DIR)/vmlinuz
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(BT_BASE) dom0_mem=512M console_timestamps=boot" $(LINUX_DIR)/vmlinuz \
	    "earlyprintk=xen console=hvc0 loglevel=8"

# Debian's vmlinuz with the dom0 initramfs (boot/mkinitramfs.sh): Linux runs its /init, which reports
# and powers off (parva.test=poweroff).
BT_ISOS += $(BT_DIR)/linux-initramfs.iso
BOOTTEST_ARTIFACTS += $(BT_DIR)/linux-initramfs.iso
$(BT_DIR)/linux-initramfs.iso: $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in $(LINUX_DIR)/vmlinuz $(INITRAMFS)
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(BT_BASE) dom0_mem=512M" $(LINUX_DIR)/vmlinuz \
	    "console=hvc0 earlyprintk=xen parva.test=poweroff" $(INITRAMFS) ""

# Debian's kernel as an SMP dom0: 4 vCPUs on 2 CPUs (VCPUOP_initialise/up, the credit scheduler).
BT_ISOS += $(BT_DIR)/linux-smp.iso
BOOTTEST_ARTIFACTS += $(BT_DIR)/linux-smp.iso
$(BT_DIR)/linux-smp.iso: $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in $(LINUX_DIR)/vmlinuz $(INITRAMFS)
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(BT_BASE) dom0_mem=512M dom0_max_vcpus=4" $(LINUX_DIR)/vmlinuz \
	    "console=hvc0 earlyprintk=xen parva.test=poweroff" $(INITRAMFS) ""

# Debian's kernel twice: dom0 with the initramfs, and a boot-time domU (a module whose command line
# starts with "domU", docs/boot-time-domains.md) with the same initramfs as its initrd; the domU's
# hvc0 is its console ring, printed by the hypervisor as "(linux) ...".
BT_ISOS += $(BT_DIR)/linux-domu.iso
BOOTTEST_ARTIFACTS += $(BT_DIR)/linux-domu.iso
$(BT_DIR)/linux-domu.iso: $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in $(LINUX_DIR)/vmlinuz $(INITRAMFS)
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(BT_BASE) dom0_mem=512M" \
	    $(LINUX_DIR)/vmlinuz "console=hvc0 earlyprintk=xen" $(INITRAMFS) "" \
	    $(LINUX_DIR)/vmlinuz "domU name=linux memory=384M vcpus=2 -- console=hvc0 earlyprintk=xen parva.test=poweroff parva.test.linger=15" \
	    $(INITRAMFS) "initrd"

# linux-devices boots linux-initramfs.iso with an IDE disk whose first line is a signature (and an e1000
# NIC): dom0's drivers get their interrupts as pirqs and reach PCI configuration space.
BT_DISK := $(BT_DIR)/disk.img
BOOTTEST_ARTIFACTS += $(BT_DISK)
$(BT_DISK):
	@mkdir -p $(@D)
	$(Q)printf 'PARVA-TEST-DISK 0123456789abcdef\n' > $@.tmp && truncate -s 1M $@.tmp && mv $@.tmp $@
