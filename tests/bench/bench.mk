# bench.mk - `make bench`: PV micro-benchmark kernels booted on Parva and on real Xen 4.17 under QEMU
# with -icount shift=0, and a table of their figures (tests/bench/run.sh). Included by the top-level
# Makefile after tests/tests.mk; not part of `make test`.
#
# A benchmark is a test kernel (the framework of tests/guests/lib) in tests/bench/<name>/main.c, with
# the per-test files of tests/guests (hv-args, qemu-args, timeout; see tests/guests/common.sh). It
# prints "BENCH <key> median=<cycles> ..." lines. To add one, add its directory and its name to
# BENCH_NAMES. domu-rtt (the inter-domain round trip) boots as two boot-time domUs (its domains file).

BENCH_DIR    := tests/bench
BENCH_NAMES  := pvbench domu-rtt
BENCH_OUT    := $(BUILD)/tests/bench

# Built like a guest test kernel (guests.mk's guest_rule), then copied where run.sh boots it from.
$(foreach b,$(BENCH_NAMES),$(eval $(b)_SRC := $(BENCH_DIR)/$(b)/main.c))
$(foreach b,$(BENCH_NAMES),$(eval $(call guest_rule,$(b))))

$(BENCH_OUT)/%.elf: $(GUESTS_OUT)/%.elf
	@mkdir -p $(@D)
	$(Q)cp $< $@

.PHONY: bench
bench: $(HV_BIN) $(addprefix $(BENCH_OUT)/,$(addsuffix .elf,$(BENCH_NAMES)))
	$(Q)BUILD=$(BUILD) $(BENCH_DIR)/run.sh $(BENCH_NAMES)
