# test_grant_entry.mk - the grant entry state machine (GTF_* protocol, v1 and v2).
test_grant_entry_SRCS := hypervisor/common/grant_entry.c
