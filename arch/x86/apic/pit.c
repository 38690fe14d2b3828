/* The 8254 PIT, used only as a calibration reference: channel 2 one-shot, polled. */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/time.h>
#include <keel/printk.h>

#define PIT_HZ	    1193182ULL
#define PIT_CH2	    0x42
#define PIT_CMD	    0x43
#define PORT_B	    0x61
#define PORTB_GATE2 0x01
#define PORTB_SPKR  0x02
#define PORTB_OUT2  0x20

u64 pit_wait_ms(unsigned int ms)
{
	u64 count = PIT_HZ * ms / 1000;
	u64 spins = 0;

	if (count > 0xffff)
		count = 0xffff;
	outb(PORT_B, (inb(PORT_B) & ~PORTB_SPKR) | PORTB_GATE2);
	outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	while (!(inb(PORT_B) & PORTB_OUT2)) {
		if (++spins > 100000000ULL) {
			pr_err("pit: channel 2 never reached terminal count");
			break;
		}
		cpu_relax();
	}
	return count * 1000000000ULL / PIT_HZ;
}
