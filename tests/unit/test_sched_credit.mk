# test_sched_credit.mk - the credit scheduler policy, driven by a simulated core (xzalloc/xfree stubbed in the test).
test_sched_credit_SRCS := hypervisor/common/sched_credit.c
