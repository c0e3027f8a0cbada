# test.mk (gnttab-bench) - its part of the top-level `make bench`: the grant-table figures (bench.sh),
# beside the other benchmarks' prerequisites of `bench`.
.PHONY: bench gnttab-bench
bench: gnttab-bench
gnttab-bench: $(HV_BIN) guest-gnttab-bench
	@echo "Grant tables (guest cycles per operation, QEMU -icount shift=0):"
	$(Q)BUILD=$(BUILD) tests/guests/gnttab-bench/bench.sh
