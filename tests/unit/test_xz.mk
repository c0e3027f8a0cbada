# test_xz.mk - the .xz decompressor: round trips of the host xz's output, corrupt and truncated input.
test_xz_SRCS := hypervisor/common/xz.c hypervisor/common/xz_lzma2.c hypervisor/common/xz_bcj_x86.c \
                hypervisor/common/bzimage.c

# The vectors are made at build time by the host's xz, next to the test binary, which finds them there.
TEST_XZ_VECTORS := $(BUILD)/tests/unit/test_xz.d
$(BUILD)/tests/unit/test_xz: $(TEST_XZ_VECTORS)/cases
$(TEST_XZ_VECTORS)/cases: tests/unit/gen_xz_vectors.sh
	$(Q)tests/unit/gen_xz_vectors.sh $(TEST_XZ_VECTORS)
