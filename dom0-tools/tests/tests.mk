# tests/tests.mk - dom0-tools tests (included by dom0-tools/Makefile).
#
# Unit tests compile the real xenstored sources (all but main.c and host_ring.c) with a
# fake platform, under ASan and UBSan, against cmocka.  The other tests run against an
# ASan/UBSan build of the daemon ($(O)/san/xenstored); see tests/run.sh.

UNIT_NAMES := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(addprefix $(O)/tests/,$(UNIT_NAMES))
CORE_SRCS  := $(filter-out xenstored/host_ring.c,$(XSD_SRCS))
HDRS       := $(wildcard xenstored/*.h common/*.h tests/*.h tests/unit/*.h include/*.h)
TEST_BINS  := $(UNIT_BINS) $(O)/san/xenstored $(O)/tests/badinput $(O)/tests/ringtest \
              $(O)/tests/libtest $(O)/tests/fuzz_wire $(O)/tests/test_xl_format
TFLAGS     := -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -Icommon

$(O)/tests/test_%: tests/unit/test_%.c $(CORE_SRCS) tests/unit/harness.c $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TFLAGS) $(SAN) -o $@ $< tests/unit/harness.c $(CORE_SRCS) -lcmocka

# xl's formats and CPU lists (xl/xl_format.c), against Xen 4.17's output.
$(O)/tests/test_xl_format: tests/xl/test_xl_format.c xl/xl_format.c xl/xl.h xc/xc.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(TFLAGS) $(SAN) -Ixl -Ixc -o $@ tests/xl/test_xl_format.c xl/xl_format.c -lcmocka

$(O)/san/xenstored: $(XSD_SRCS) $(XSD_MAIN) $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TFLAGS) $(SAN) -o $@ $(XSD_SRCS) $(XSD_MAIN)

$(O)/tests/badinput: tests/badinput.c $(O)/libxenstore.so.4 $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TFLAGS) -O1 -g -o $@ $< -L$(O) -lxenstore -Wl,-rpath,'$$ORIGIN/..'

$(O)/tests/ringtest: tests/ringtest.c tests/ringclient.c $(O)/libxenstore.so.4 $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TFLAGS) -O1 -g -o $@ tests/ringtest.c tests/ringclient.c -L$(O) -lxenstore \
	    -Wl,-rpath,'$$ORIGIN/..'

$(O)/tests/libtest: tests/libtest.c $(O)/libxenstore.so.4 $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TFLAGS) -O1 -g -o $@ $< -L$(O) -lxenstore -lpthread -Wl,-rpath,'$$ORIGIN/..'

$(O)/tests/bench: tests/bench.c $(O)/libxenstore.so.4 $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TFLAGS) -O2 -o $@ $< -L$(O) -lxenstore -Wl,-rpath,'$$ORIGIN/..'

# libFuzzer needs clang.
$(O)/tests/fuzz_wire: tests/fuzz_wire.c $(CORE_SRCS) $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(TFLAGS) -Wno-unknown-warning-option -O1 -g \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -o $@ tests/fuzz_wire.c $(CORE_SRCS)

unit: $(UNIT_BINS)
tests: all $(TEST_BINS)

check: tests
	$(Q)tests/run.sh --summary $(O)

# A longer fuzzing session: make fuzz FUZZ_TIME=3600 (the corpus grows in $(O)/fuzz-corpus).
fuzz: $(O)/tests/fuzz_wire
	@mkdir -p $(O)/fuzz-corpus
	$(O)/tests/fuzz_wire -max_total_time=$(FUZZ_TIME) -rss_limit_mb=2048 -timeout=10 \
	    $(O)/fuzz-corpus tests/fuzz-corpus

bench: all $(O)/tests/bench
	$(Q)tests/bench.sh $(O)
