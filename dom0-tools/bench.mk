# bench.mk - xenstored's figures in the top-level `make bench` (requests per second for
# read, write, directory and transaction commit with 1 and 16 clients; memory per 100k
# nodes).  A separate prerequisite of bench, beside the hypervisor's own benchmarks.
.PHONY: bench dom0-tools-bench

bench: dom0-tools-bench

dom0-tools-bench:
	$(Q)$(MAKE) -s -C dom0-tools O=$(abspath $(BUILD))/dom0-tools bench
