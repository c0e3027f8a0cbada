# tests.mk - unit tests (cmocka, host) and boot tests (QEMU); included by the top-level Makefile.
#
# A unit test is tests/unit/test_<name>.c plus tests/unit/test_<name>.mk, which
# names the real hypervisor sources it compiles:  test_<name>_SRCS := hypervisor/common/x.c
# Every test also links the harness and the formatter/number helpers that printk needs.

UNIT_DIR      := tests/unit
UNIT_TESTS    := $(patsubst $(UNIT_DIR)/%.c,%,$(wildcard $(UNIT_DIR)/test_*.c))
UNIT_BINS     := $(addprefix $(BUILD)/tests/unit/,$(UNIT_TESTS))
UNIT_HARNESS  := $(UNIT_DIR)/harness/harness.c hypervisor/common/vsprintf.c hypervisor/common/lib.c
UNIT_CFLAGS   := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer \
                 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                 -D__XEN__ -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__ \
                 -include $(UNIT_DIR)/harness/harness.h -include hypervisor/include/parva/compiler.h \
                 -I$(UNIT_DIR)/harness -Ihypervisor/include -Ihypervisor/arch/x86/include -isystem $(PUBINC)
UNIT_LDLIBS   := -lcmocka

-include $(wildcard $(UNIT_DIR)/test_*.mk)
include tests/boot/boot.mk

define unit_rule
$(BUILD)/tests/unit/$(1): $(UNIT_DIR)/$(1).c $$(sort $$($(1)_SRCS) $(UNIT_HARNESS)) $(PUBINC)/xen/xen.h
	@mkdir -p $$(@D)
	$(Q)$(CC) $(UNIT_CFLAGS) -MMD -MP -MF $$@.d -o $$@ $(UNIT_DIR)/$(1).c $$(sort $$($(1)_SRCS) $(UNIT_HARNESS)) $(UNIT_LDLIBS)
-include $(BUILD)/tests/unit/$(1).d
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

unit: $(UNIT_BINS)
	$(Q)tests/run-tests.sh --unit $(UNIT_BINS)

test: $(UNIT_BINS) $(HV_BIN) $(ISO) $(BOOTTEST_ARTIFACTS)
	$(Q)tests/run-tests.sh --unit $(UNIT_BINS) --scripts --boot

boottest: $(HV_BIN) $(ISO) $(BOOTTEST_ARTIFACTS)
	$(Q)tests/run-tests.sh --boot

