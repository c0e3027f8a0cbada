domu-busy-crash_SRC := tests/guests/domu-fair/main.c
