# boot.mk - the bootable ISO: GRUB2 (BIOS) with the Parva entry; included by the top-level Makefile.
#
# The default ISO boots the hypervisor with the command line below and, as dom0, Debian 12's
# kernel (build/linux/vmlinuz, fetched once by tests/boot/fetch-linux.sh) with the small busybox
# initramfs of boot/mkinitramfs.sh, which gives a shell on the console.  DOM0_KERNEL and
# DOM0_INITRD name other files; set both empty for an ISO without a dom0.

ISO             := $(BUILD)/parva.iso
HV_CMDLINE      ?= console=com1 com1=115200,8n1 loglvl=all noreboot
LINUX_DIR       ?= $(BUILD)/linux
INITRAMFS       := $(BUILD)/initramfs/dom0.cpio.gz
DOM0_KERNEL     ?= $(LINUX_DIR)/vmlinuz
DOM0_CMDLINE    ?= console=hvc0 earlyprintk=xen
DOM0_INITRD     ?= $(INITRAMFS)
ISO_MODULES     := $(if $(DOM0_KERNEL),$(DOM0_KERNEL) "$(DOM0_CMDLINE)") $(if $(DOM0_INITRD),$(DOM0_INITRD) "")

QEMU            := qemu-system-x86_64
QEMU_SMP        ?= 2
QEMU_MEM        ?= 1024
# -vga none: no VGA device, whose BAR sizing by Linux sometimes crashes QEMU 7.2's multi-threaded
# TCG (tests/boot/run.sh says more); the console is the serial port anyway.
QEMU_RUN_FLAGS  := -accel tcg -cpu max -smp $(QEMU_SMP) -m $(QEMU_MEM) -no-reboot -display none \
                   -vga none -net none -serial mon:stdio -boot d

iso: $(ISO)

# The dom0 initramfs: Debian's busybox-static and an /init, the Xen modules of the fetched kernel's
# package (both fetched once into $(BUILD)/initramfs/cache with apt-get download), and dom0-tools
# (xenstored, libxenstore.so.4, the tools) installed into DOM0_ROOT, with Debian's xenstore tools.
DOM0_ROOT       := $(BUILD)/initramfs/dom0-root
DOM0_TOOLS_SRC  := $(wildcard dom0-tools/Makefile dom0-tools/*/*.c dom0-tools/*/*.h dom0-tools/*/*.map)

$(DOM0_ROOT).stamp: $(DOM0_TOOLS_SRC)
	$(Q)rm -rf $(DOM0_ROOT)
	$(Q)$(MAKE) -s -C dom0-tools O=$(abspath $(BUILD))/dom0-tools install DESTDIR=$(abspath $(DOM0_ROOT)) \
	    PREFIX=/usr/local
	$(Q)rm -rf $(DOM0_ROOT)/usr/local/include
	$(Q)touch $@

$(INITRAMFS): boot/mkinitramfs.sh $(LINUX_DIR)/vmlinuz $(DOM0_ROOT).stamp
	$(Q)boot/mkinitramfs.sh $@ $$(cat $(LINUX_DIR)/version) $(DOM0_ROOT)

$(ISO): $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in $(DOM0_KERNEL) $(DOM0_INITRD)
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(HV_CMDLINE)" $(ISO_MODULES)
	@echo "  built $@"

# Boot the default ISO; the serial console is this terminal (Ctrl-A X quits QEMU).
run: $(ISO)
	$(QEMU) $(QEMU_RUN_FLAGS) -cdrom $(ISO)
