# boot.mk - the bootable ISO: GRUB2 (BIOS) with the Parva entry; included by the top-level Makefile.
#
# The default ISO boots the hypervisor with the command line below and, when
# DOM0_KERNEL (and DOM0_INITRD) name files, those as the dom0 modules.

ISO             := $(BUILD)/parva.iso
HV_CMDLINE      ?= console=com1 com1=115200,8n1 loglvl=all noreboot
DOM0_KERNEL     ?=
DOM0_CMDLINE    ?= console=hvc0 earlyprintk=xen
DOM0_INITRD     ?=
ISO_MODULES     := $(if $(DOM0_KERNEL),$(DOM0_KERNEL) "$(DOM0_CMDLINE)") $(if $(DOM0_INITRD),$(DOM0_INITRD) "")

QEMU            := qemu-system-x86_64
QEMU_SMP        ?= 2
QEMU_MEM        ?= 1024
QEMU_RUN_FLAGS  := -accel tcg -cpu max -smp $(QEMU_SMP) -m $(QEMU_MEM) -no-reboot -display none \
                   -net none -serial mon:stdio -boot d

iso: $(ISO)

$(ISO): $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in $(DOM0_KERNEL) $(DOM0_INITRD)
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(HV_CMDLINE)" $(ISO_MODULES)
	@echo "  built $@"

# Boot the default ISO; the serial console is this terminal (Ctrl-A X quits QEMU).
run: $(ISO)
	$(QEMU) $(QEMU_RUN_FLAGS) -cdrom $(ISO)
