/* setup.h - boot-time entry points of the x86 setup path. */
#ifndef ASM_SETUP_H
#define ASM_SETUP_H

/* Called once the machine is up, before the boot modules are looked at; test builds override it. */
void boot_selftest_hook(void);

#endif /* ASM_SETUP_H */
