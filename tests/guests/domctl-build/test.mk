# domctl-build's initrd (dom0's second module) is its own kernel: dom0 builds a domU from it.
$(GUESTS_OUT)/domctl-build.initrd: $(GUESTS_OUT)/domctl-build.elf
	$(Q)cp $< $@
guest-domctl-build guests: $(GUESTS_OUT)/domctl-build.initrd
