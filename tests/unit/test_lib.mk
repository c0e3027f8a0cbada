# test_lib.mk - number parsers; common/lib.c is already in UNIT_HARNESS, and test_lib.c compiles
# common/string.c itself under other names (it must not replace the C library's).
test_lib_SRCS :=
