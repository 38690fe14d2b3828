/* Whole-machine power control: reboot and power off, trying each method the platform offers. */
#ifndef KEEL_POWER_H
#define KEEL_POWER_H

#include <keel/compiler.h>

/* Reset the machine: ACPI reset register, then port 0xCF9, then the 8042; halts if all fail. */
void platform_reboot(void) __noreturn;

/* Power off through ACPI S5; logs why and halts if that is impossible. */
void platform_poweroff(void) __noreturn;

#endif
