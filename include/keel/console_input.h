/* Serial console input (common/console_input.c): the input focus and the console-ring poll. */
#ifndef KEEL_CONSOLE_INPUT_H
#define KEEL_CONSOLE_INPUT_H

#include <keel/types.h>

/* Ctrl-A (0x01) typed this many times in a row moves the input focus to the next domain. */
#define CONSOLE_SWITCH_CHAR  0x01
#define CONSOLE_SWITCH_COUNT 3
/* How often the UART and every domain's console ring are polled. */
#define CONSOLE_POLL_NS 20000000ULL /* 20 ms */
/* Received bytes handled per poll (the rest wait in the UART's FIFO or are lost). */
#define CONSOLE_POLL_BYTES 64
/* The focus when it is on Keel itself (not a domain id). */
#define CONSOLE_FOCUS_KEEL (-1)

/* Start polling on CPU 0 (after the boot-time domains are built). */
void console_input_start(void);
/*
 * One received byte: counts switch characters, or goes to the domain with the focus (the
 * switch characters of an incomplete sequence first, so a lone Ctrl-A reaches the guest).
 * Bytes for Keel itself are dropped (Keel has no shell). May print the new focus.
 */
void console_input_byte(char c);
/* The domain id with the focus, or CONSOLE_FOCUS_KEEL. */
int console_input_focus(void);

#endif
