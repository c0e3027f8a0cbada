# guests.mk - builds the PV test kernels build/tests/guests/<name>.elf; included by tests/tests.mk.
#
#   make guests                 every test kernel (and the initrd modules some tests need)
#   make guest-NAME             one test kernel (and its initrd)
#
# A test is a directory tests/guests/<name>/ with main.c. An optional tests/guests/<name>/test.mk may set
#   <name>_SRC     := tests/guests/other/main.c   the source (to run one test in another variant)
#   <name>_VARIANT := linux hcpage modpfn         linux: the Linux-shaped link (VIRT_BASE, ENTRY,
#                                                 INIT_P2M); hcpage: a HYPERCALL_PAGE note and hypercalls
#                                                 through it; modpfn: a MOD_START_PFN note
#   <name>_INITRD  := BYTES                       build <name>.initrd (32-byte lines, see below)
# The framework (tests/guests/lib) is compiled once per test, with that test's variant.

GUESTS_DIR      := tests/guests
GUESTS_LIB      := $(GUESTS_DIR)/lib
GUESTS_OUT      := $(BUILD)/tests/guests
GUEST_NAMES     := $(sort $(patsubst $(GUESTS_DIR)/%/,%,$(dir \
                   $(wildcard $(GUESTS_DIR)/*/main.c $(GUESTS_DIR)/*/test.mk))))
GUEST_NAMES     := $(filter-out lib,$(GUEST_NAMES))
GUEST_ELFS      := $(addprefix $(GUESTS_OUT)/,$(addsuffix .elf,$(GUEST_NAMES)))

-include $(wildcard $(GUESTS_DIR)/*/test.mk)

GUEST_LIB_SRCS  := $(wildcard $(GUESTS_LIB)/*.c) $(GUESTS_LIB)/head.S $(GUESTS_LIB)/entry.S
GUEST_CPPFLAGS  := -nostdinc -isystem $(shell $(CC) -print-file-name=include) -isystem $(PUBINC) \
                   -I$(GUESTS_LIB) -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__
GUEST_CFLAGS    := -std=gnu11 -O2 -g -m64 -ffreestanding -fno-pie -fno-pic -mcmodel=kernel \
                   -mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
                   -fno-reorder-blocks-and-partition -fno-strict-aliasing -fcf-protection=none \
                   -Wall -Wextra -Werror -Wno-unused-parameter
GUEST_ASFLAGS   := -D__ASSEMBLY__ -m64 -Wa,--noexecstack
GUEST_LDFLAGS   := -m elf_x86_64 -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
                   --no-warn-rwx-segments

guest_variant_defs = $(if $(filter linux,$($(1)_VARIANT)),-DGUEST_SHAPE_LINUX) \
                     $(if $(filter hcpage,$($(1)_VARIANT)),-DGUEST_HYPERCALL_PAGE) \
                     $(if $(filter modpfn,$($(1)_VARIANT)),-DGUEST_MOD_START_PFN) \
                     -DGUEST_TEST_NAME='"$(1)"'

# guest_rule(name): objects, linker script and kernel of one test
define guest_rule
$(1)_SRC ?= $(GUESTS_DIR)/$(1)/main.c
$(1)_OBJS := $$(patsubst $(GUESTS_LIB)/%,$(GUESTS_OUT)/obj/$(1)/lib/%.o,$(GUEST_LIB_SRCS)) \
             $(GUESTS_OUT)/obj/$(1)/main.c.o

$(GUESTS_OUT)/obj/$(1)/lib/%.c.o: $(GUESTS_LIB)/%.c $(PUBINC)/xen/xen.h
	@mkdir -p $$(@D)
	$(Q)$(CC) $(GUEST_CPPFLAGS) $(call guest_variant_defs,$(1)) $(GUEST_CFLAGS) -MMD -MP -c $$< -o $$@

$(GUESTS_OUT)/obj/$(1)/lib/%.S.o: $(GUESTS_LIB)/%.S $(PUBINC)/xen/xen.h
	@mkdir -p $$(@D)
	$(Q)$(CC) $(GUEST_CPPFLAGS) $(call guest_variant_defs,$(1)) $(GUEST_ASFLAGS) -MMD -MP -c $$< -o $$@

$(GUESTS_OUT)/obj/$(1)/main.c.o: $$($(1)_SRC) $(PUBINC)/xen/xen.h
	@mkdir -p $$(@D)
	$(Q)$(CC) $(GUEST_CPPFLAGS) -I$$(dir $$($(1)_SRC)) $(call guest_variant_defs,$(1)) $(GUEST_CFLAGS) \
	    -MMD -MP -c $$< -o $$@

$(GUESTS_OUT)/obj/$(1)/guest.lds: $(GUESTS_LIB)/guest.lds.S
	@mkdir -p $$(@D)
	$(Q)$(CC) -undef $(call guest_variant_defs,$(1)) -P -E -x c $$< -o $$@

$(GUESTS_OUT)/$(1).elf: $$($(1)_OBJS) $(GUESTS_OUT)/obj/$(1)/guest.lds
	$(Q)$(LD) $(GUEST_LDFLAGS) -T $(GUESTS_OUT)/obj/$(1)/guest.lds -Map $$@.map -o $$@ $$($(1)_OBJS)

.PHONY: guest-$(1)
guest-$(1): $(GUESTS_OUT)/$(1).elf $(if $($(1)_INITRD),$(GUESTS_OUT)/$(1).initrd)

-include $$($(1)_OBJS:.o=.d)
endef
$(foreach t,$(GUEST_NAMES),$(eval $(call guest_rule,$(t))))

# An initrd module: BYTES bytes of 32-byte lines "PARVA-INITRD <offset as %018x>\n".
GUEST_INITRDS := $(foreach t,$(GUEST_NAMES),$(if $($(t)_INITRD),$(GUESTS_OUT)/$(t).initrd))
$(GUESTS_OUT)/%.initrd: $(GUESTS_DIR)/%/test.mk
	@mkdir -p $(@D)
	$(Q)awk -v n=$($*_INITRD) 'BEGIN { for ( o = 0; o < n; o += 32 ) printf "PARVA-INITRD %018x\n", o }' \
	    | head -c $($*_INITRD) > $@

.PHONY: guests
guests: $(GUEST_ELFS) $(GUEST_INITRDS)
