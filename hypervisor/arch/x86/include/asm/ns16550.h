/* ns16550.h - the 16550 UART console. */
#ifndef ASM_NS16550_H
#define ASM_NS16550_H

void ns16550_init(void);
void ns16550_init_irq(void);

#endif /* ASM_NS16550_H */
