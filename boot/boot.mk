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

# The dom0 initramfs: Debian's busybox-static and an /init, plus the xenfs module of the fetched
# kernel's package (both fetched once into $(BUILD)/initramfs/cache with apt-get download).
$(INITRAMFS): boot/mkinitramfs.sh $(LINUX_DIR)/vmlinuz
	$(Q)boot/mkinitramfs.sh $@ $$(cat $(LINUX_DIR)/version)

$(ISO): $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in $(DOM0_KERNEL) $(DOM0_INITRD)
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(HV_CMDLINE)" $(ISO_MODULES)
	@echo "  built $@"

# Boot the default ISO; the serial console is this terminal (Ctrl-A X quits QEMU).
run: $(ISO)
	$(QEMU) $(QEMU_RUN_FLAGS) -cdrom $(ISO)
