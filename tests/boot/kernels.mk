# kernels.mk (tests/boot) - test kernels of the boot tests, built with the PV test-kernel framework
# (tests/guests/guests.mk's guest_rule, hence included after it), and the ISOs that boot them.
#
#   console-input  a boot-time domU alone (no dom0) that reads a line typed on the serial console
#                  after input was switched to it with Ctrl-A three times

console-input_SRC := tests/boot/console-input/main.c
$(eval $(call guest_rule,console-input))

BT_ISOS += $(BT_DIR)/console-input.iso
BOOTTEST_ARTIFACTS += $(BT_DIR)/console-input.iso
$(BT_DIR)/console-input.iso: $(HV_BIN) boot/mkiso.sh boot/grub.cfg.in $(GUESTS_OUT)/console-input.elf
	$(Q)boot/mkiso.sh $@ $(HV_BIN) "$(BT_BASE)" $(GUESTS_OUT)/console-input.elf "domU name=reader memory=16M"
