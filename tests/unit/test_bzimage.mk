# test_bzimage.mk - locating the payload of a Linux bzImage and naming its compression.
test_bzimage_SRCS := hypervisor/common/bzimage.c
