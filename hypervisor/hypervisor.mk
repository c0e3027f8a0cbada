# hypervisor.mk - builds the hypervisor image build/parva; included by the top-level Makefile.
#
# Freestanding C and assembly, linked twice: the first link gives the
# addresses of all functions, which become the symbol table used by stack
# traces; the second link embeds that table (it sits after all code, so no
# function moves between the two links).

HV_DIR      := hypervisor
HV_OBJDIR   := $(BUILD)/hypervisor
HV_BIN      := $(BUILD)/parva
HV_ARCH     := $(HV_DIR)/arch/x86

HV_SRCS     := $(wildcard $(HV_DIR)/common/*.c) $(wildcard $(HV_ARCH)/*.c) \
               $(filter-out %.lds.S,$(wildcard $(HV_ARCH)/*.S)) $(wildcard $(HV_ARCH)/boot/*.S) \
               $(wildcard $(HV_ARCH)/pv/*.c) $(wildcard $(HV_ARCH)/pv/*.S)
HV_OBJS     := $(patsubst $(HV_DIR)/%,$(HV_OBJDIR)/%.o,$(HV_SRCS))

HV_CPPFLAGS := -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
               -I$(HV_DIR)/include -I$(HV_ARCH)/include -isystem $(PUBINC) \
               -D__XEN__ -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__ \
               -include $(HV_DIR)/include/parva/compiler.h
HV_CFLAGS   := -std=gnu11 -O2 -g -m64 -ffreestanding -fpie -fno-stack-protector \
               -mno-red-zone -mgeneral-regs-only -fno-asynchronous-unwind-tables \
               -fno-omit-frame-pointer -fno-strict-aliasing -fcf-protection=none \
               -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
               -Wno-unused-parameter
HV_ASFLAGS  := -D__ASSEMBLY__ -m64 -fpie -Wa,--noexecstack
HV_LDFLAGS  := -m elf_x86_64 -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack --build-id=sha1 \
               -T $(HV_OBJDIR)/parva.lds

$(HV_OBJDIR)/%.c.o: $(HV_DIR)/%.c $(PUBINC)/xen/xen.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CPPFLAGS) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(HV_OBJDIR)/%.S.o: $(HV_DIR)/%.S $(PUBINC)/xen/xen.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CPPFLAGS) $(HV_ASFLAGS) -MMD -MP -c $< -o $@

$(HV_OBJDIR)/parva.lds: $(HV_ARCH)/parva.lds.S $(HV_ARCH)/include/asm/config.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CPPFLAGS) -D__ASSEMBLY__ -P -E -x c $< -o $@

-include $(HV_OBJS:.o=.d)

HV_TOOL_ELF := $(BUILD)/tools/elf-bootable
$(HV_TOOL_ELF): $(HV_DIR)/scripts/elf-bootable.c
	@mkdir -p $(@D)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

# link_hv(output, objects): two-pass link with the symbol table into output-syms, then the boot image
define link_hv
	@mkdir -p $(dir $(1))
	$(Q)$(HV_DIR)/scripts/gensyms.sh /dev/null > $(1).syms0.S
	$(Q)$(CC) $(HV_CPPFLAGS) $(HV_ASFLAGS) -c $(1).syms0.S -o $(1).syms0.o
	$(Q)$(LD) $(HV_LDFLAGS) -o $(1).pass1 $(2) $(1).syms0.o
	$(Q)$(NM) -n --defined-only $(1).pass1 | $(HV_DIR)/scripts/gensyms.sh - > $(1).syms.S
	$(Q)$(CC) $(HV_CPPFLAGS) $(HV_ASFLAGS) -c $(1).syms.S -o $(1).syms.o
	$(Q)$(LD) $(HV_LDFLAGS) -Map $(1).map -o $(1)-syms $(2) $(1).syms.o
	$(Q)$(NM) -n --defined-only $(1)-syms | $(HV_DIR)/scripts/gensyms.sh --check $(1).syms.S
	$(Q)$(HV_TOOL_ELF) $(1)-syms $(1)
	$(Q)if command -v grub-file >/dev/null; then grub-file --is-x86-multiboot2 $(1) || \
	    { echo "$(1): no valid multiboot2 header" >&2; rm -f $(1); exit 1; }; fi
endef

$(HV_BIN): $(HV_OBJS) $(HV_OBJDIR)/parva.lds $(HV_DIR)/scripts/gensyms.sh $(HV_TOOL_ELF)
	$(call link_hv,$@,$(HV_OBJS))
	@echo "  built $@"
