# initrd-pfn: the initrd test with a MOD_START_PFN note (the initrd is passed as a PFN, unmapped).
initrd-pfn_SRC := tests/guests/initrd/main.c
initrd-pfn_VARIANT := modpfn
initrd-pfn_INITRD := 100000
