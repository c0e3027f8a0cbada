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
include tests/guests/guests.mk
include tests/boot/kernels.mk

# A test compiles several sources in one command, which records the headers of only one of them:
# every header of the tree is a prerequisite instead.
UNIT_HEADERS  := $(wildcard hypervisor/include/parva/*.h hypervisor/arch/x86/include/asm/*.h \
                   $(UNIT_DIR)/harness/*.h $(UNIT_DIR)/harness/asm/*.h $(UNIT_DIR)/*.h)

define unit_rule
$(BUILD)/tests/unit/$(1): $(UNIT_DIR)/$(1).c $$(sort $$($(1)_SRCS) $(UNIT_HARNESS)) $(UNIT_HEADERS) $(PUBINC)/xen/xen.h
	@mkdir -p $$(@D)
	$(Q)$(CC) $(UNIT_CFLAGS) -o $$@ $(UNIT_DIR)/$(1).c $$(sort $$($(1)_SRCS) $(UNIT_HARNESS)) $(UNIT_LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

unit: $(UNIT_BINS)
	$(Q)tests/run-tests.sh --unit $(UNIT_BINS)

test: $(UNIT_BINS) $(HV_BIN) $(ISO) $(BOOTTEST_ARTIFACTS) guests
	$(Q)tests/run-tests.sh --unit $(UNIT_BINS) --dom0-tools --scripts --boot --guests

boottest: $(HV_BIN) $(ISO) $(BOOTTEST_ARTIFACTS)
	$(Q)tests/run-tests.sh --boot

