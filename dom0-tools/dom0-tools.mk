# dom0-tools.mk - dom0-tools in the top-level build (included by the top-level Makefile).
# dom0-tools/Makefile does the work, into $(BUILD)/dom0-tools:
#   make              also builds xenstored, libxenstore.so.4 and the xenstore tools
#   make test         also builds the dom0-tools tests (tests/run-tests.sh --dom0-tools runs them)
#   make dom0-tools-check   only the dom0-tools tests, with their own summary line

DOM0_TOOLS_O := $(abspath $(BUILD))/dom0-tools
.PHONY: dom0-tools dom0-tools-tests dom0-tools-check

all: dom0-tools
test: dom0-tools-tests

dom0-tools:
	$(Q)$(MAKE) -C dom0-tools O=$(DOM0_TOOLS_O)

dom0-tools-tests:
	$(Q)$(MAKE) -C dom0-tools O=$(DOM0_TOOLS_O) tests

dom0-tools-check:
	$(Q)$(MAKE) -C dom0-tools O=$(DOM0_TOOLS_O) check
