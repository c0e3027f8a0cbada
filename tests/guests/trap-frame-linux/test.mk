# trap-frame-linux: the trap-frame test in the Linux-shaped link (code and stacks at 0xffffffff8...).
trap-frame-linux_SRC := tests/guests/trap-frame/main.c
trap-frame-linux_VARIANT := linux
