/* Guest port I/O with no device behind it: reads return all ones, writes are dropped; 0xE9 prints. */
#include <asm/hvm_emul.h>
#include <keel/domain.h>
#include <keel/vcpu.h>

#define DEBUG_CONSOLE_PORT 0xe9

u32 hvm_io_in(struct vcpu *v, u16 port, unsigned int size)
{
	return 0xffffffffu;
}

void hvm_io_out(struct vcpu *v, u16 port, unsigned int size, u32 val)
{
	if (port == DEBUG_CONSOLE_PORT && size == 1) {
		char c = (char)val;

		domain_console_write(v->domain, &c, 1);
		if (c == '\n')
			domain_console_flush(v->domain); /* no lock held, interrupts on */
	}
}

bool hvm_is_mmio_window(u64 gpa)
{
	return gpa >= 0xf0000000ULL && gpa < 0x100000000ULL;
}
