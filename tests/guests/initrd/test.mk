initrd_INITRD := 100000
