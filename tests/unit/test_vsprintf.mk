# test_vsprintf.mk - common/vsprintf.c is linked into every unit test (UNIT_HARNESS); nothing else needed.
test_vsprintf_SRCS :=
