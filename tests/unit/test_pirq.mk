# test_pirq.mk - physical interrupts for dom0: the pirq table and the ack/EOI state machine.
test_pirq_SRCS := hypervisor/arch/x86/pirq.c
