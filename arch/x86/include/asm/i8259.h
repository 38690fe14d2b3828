/* The legacy 8259 PIC pair. */
#ifndef ASM_I8259_H
#define ASM_I8259_H

/* Remap the PICs to vectors 0x20-0x2f (away from exceptions) and mask all their lines. */
void i8259_disable(void);

#endif
