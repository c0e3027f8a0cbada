# user-mode-linux: the user-mode test in the Linux-shaped link (user code at 0xffffffff8...).
user-mode-linux_SRC := tests/guests/user-mode/main.c
user-mode-linux_VARIANT := linux
