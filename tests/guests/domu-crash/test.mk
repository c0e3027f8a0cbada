domu-crash_SRC := tests/guests/domu-exc/main.c
