# layout-linux: the layout test, linked like Linux (VIRT_BASE, ENTRY, INIT_P2M).
layout-linux_SRC := tests/guests/layout/main.c
layout-linux_VARIANT := linux
