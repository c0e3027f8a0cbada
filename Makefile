# Parva - top-level build.
#
#   make            build the hypervisor (build/parva)
#   make iso        build the bootable GRUB2 ISO (build/parva.iso)
#   make run        build everything and boot the default ISO in QEMU, console on this terminal
#   make test       unit tests and boot tests; ends with "N passed, M failed"
#   make unit       unit tests only
#   make bench      PV micro-benchmarks on Parva and on Xen 4.17 under QEMU (not part of make test)
#   make clean      remove build/
#
# Everything is built out of tree, into $(BUILD).

BUILD     ?= build
CC        := gcc
LD        := ld
NM        := nm
OBJCOPY   := objcopy
Q         := $(if $(V),,@)

.DEFAULT_GOAL := all
.PHONY: all iso run test unit boottest clean deps
.SUFFIXES:

# Xen's public headers (Debian's libxen-dev) are the guest ABI.  They are
# reached through a private include directory holding only them, so that no
# C library header can leak into the freestanding build.
XEN_INCLUDE := /usr/include/xen
PUBINC      := $(BUILD)/include
$(PUBINC)/xen/xen.h:
	$(Q)test -f $(XEN_INCLUDE)/xen.h || { echo "Xen public headers missing: run 'make deps' or: apt-get install -y --no-install-recommends libxen-dev" >&2; exit 1; }
	$(Q)mkdir -p $(PUBINC) && ln -sfn $(XEN_INCLUDE) $(PUBINC)/xen

# Every goal but clean/deps needs the Debian packages: install them (as root) or say which are missing.
ifneq ($(filter-out clean deps,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell .ci/deps.sh >&2 && echo ok),ok)
$(error missing packages: see the apt-get line above)
endif
endif

include hypervisor/hypervisor.mk
include boot/boot.mk
include tests/tests.mk
include tests/bench/bench.mk
include dom0-tools/dom0-tools.mk
include dom0-tools/bench.mk

all: $(HV_BIN)

# Install the Debian packages the build and the tests need (as root), or say which.
deps:
	$(Q).ci/deps.sh

clean:
	rm -rf $(BUILD)
