/* Test guest dev_owner: drives a UART, its GSI and a page it owns; as dom0, finds them withheld. */
#include "bootargs.h"
#include "console.h"
#include "lapic.h"
#include "pvclock.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

const char guest_name[] = "dev_owner";

#define E820_RAM      1
#define UART_DATA     0
#define UART_IER      1
#define UART_IIR      2
#define UART_FCR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define UART_SCR      7
#define IER_THRE      0x02
#define IIR_NONE      0x01
#define IIR_ID	      0x0e
#define IIR_THRE      0x02
#define LCR_DLAB      0x80
#define LCR_8N1	      0x03
#define MCR_OUT2      0x08 /* gates the UART's interrupt line on a PC */
#define LSR_TEMT      0x40
#define IOREGSEL      0x00
#define IOWIN	      0x10
#define IOEOI	      0x40
#define RTE_LEVEL     (1u << 15)
#define RTE_MASKED    (1u << 16)
#define RTE_REMOTE    (1u << 14)
#define VEC_EDGE      0x60
#define VEC_LEVEL     0x61
#define VEC_DOM0      0x62
#define CMOS_INDEX    0x70
#define CMOS_DATA     0x71
#define CMOS_STATUS_D 0x0d
#define BYTES_SENT    8
#define LEVEL_REFIRES 2 /* level: EOIs while the line is still high, each must fire again */
#define IRQ_WAIT_NS   2000000000ull /* Bochs sends a byte in well under that */
#define PAGE_BYTES    4096u

/* Options (command line): the UART it owns, its GSI, the page it owns, a port it does not own. */
static uint16_t uart;
static uint32_t gsi;
static uint64_t page;
static uint16_t absent;

static volatile uint32_t *ioapic;
static int (*lapic_counting_hook)(struct trap_frame *f);
static volatile uint32_t iir_seen[BYTES_SENT + LEVEL_REFIRES + 2];
static volatile uint32_t nr_seen, refires_left;

static uint64_t rd64(uint64_t a)
{
	return *(volatile uint64_t *)(uintptr_t)a;
}

static uint32_t rd32(uint64_t a)
{
	return *(volatile uint32_t *)(uintptr_t)a;
}

static int sig_is(uint64_t t, const char *sig)
{
	const volatile char *p = (const volatile char *)(uintptr_t)t;

	return p[0] == sig[0] && p[1] == sig[1] && p[2] == sig[2] && p[3] == sig[3];
}

/* The MADT's IO-APIC: address, id and GSI base (FAIL when there is none or more than one). */
static void find_ioapic(void)
{
	uint64_t rsdp = boot_info->rsdp_paddr, madt = 0;
	/* ACPI 2+: the XSDT's 8-byte entries; ACPI 1 (a host's, as dom0 sees it): the RSDT's. */
	int x = *(volatile uint8_t *)(uintptr_t)(rsdp + 15) >= 2;
	uint64_t root = x ? rd64(rsdp + 24) : rd32(rsdp + 16);
	unsigned int found = 0;

	for (uint32_t off = 36; off + (x ? 8 : 4) <= rd32(root + 4); off += x ? 8 : 4) {
		uint64_t t = x ? rd64(root + off) : rd32(root + off);

		if (sig_is(t, "APIC"))
			madt = t;
	}
	TEST_CHECK(madt, "no MADT in the root table");
	for (uint32_t off = 44; off + 2 <= rd32(madt + 4);) {
		volatile uint8_t *e = (volatile uint8_t *)(uintptr_t)(madt + off);

		TEST_CHECK(e[1] >= 2, "MADT entry of length %u", e[1]);
		if (e[0] == 1) {
			uint32_t addr = rd32(madt + off + 4), base = rd32(madt + off + 8);

			con_printf("dev_owner: MADT IO-APIC id %u at %#x, GSI base %u\n", e[2],
				   addr, base);
			TEST_CHECK(base == 0, "IO-APIC GSI base %u, expected 0", base);
			ioapic = (volatile uint32_t *)(uintptr_t)addr;
			found++;
		}
		off += e[1];
	}
	TEST_CHECK(found == 1, "the MADT lists %u IO-APICs, expected 1", found);
}

static uint32_t ioapic_read(uint32_t reg)
{
	ioapic[IOREGSEL / 4] = reg;
	return ioapic[IOWIN / 4];
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
	ioapic[IOREGSEL / 4] = reg;
	ioapic[IOWIN / 4] = val;
}

static void set_rte(uint32_t lo)
{
	ioapic_write(0x10 + 2 * gsi + 1, 0); /* physical destination: APIC id 0, vCPU 0 */
	ioapic_write(0x10 + 2 * gsi, lo);
}

/*
 * The UART's interrupt: reading IIR quietens it (its line drops) before the EOI, as a driver
 * does; while @refires_left, it is left asserted, so a level-triggered pin must fire again.
 */
static int uart_hook(struct trap_frame *f)
{
	uint64_t v = f->vector & 0xff;

	if (v == VEC_EDGE || v == VEC_LEVEL) {
		uint32_t n = nr_seen;

		if (refires_left) {
			refires_left--;
		} else if (n < BYTES_SENT + LEVEL_REFIRES + 2) {
			iir_seen[n] = inb(uart + UART_IIR);
			nr_seen = n + 1;
		}
	}
	return lapic_counting_hook(f);
}

/* Every interrupt the hook quietened was THR-empty's. */
static void check_iir(const char *mode, uint32_t n)
{
	TEST_CHECK(nr_seen == n, "%s: the handler read IIR %u times, expected %u", mode, nr_seen,
		   n);
	for (uint32_t i = 0; i < n; i++)
		TEST_CHECK((iir_seen[i] & IIR_ID) == IIR_THRE && !(iir_seen[i] & IIR_NONE),
			   "%s interrupt %u: IIR %#x is not THR-empty", mode, i, iir_seen[i]);
	nr_seen = 0;
}

/* Interrupts on for a while: a pin that kept firing would show in the counts. */
static void settle(void)
{
	uint64_t end = time_now_ns() + IRQ_WAIT_NS;

	while (!(inb(uart + UART_LSR) & LSR_TEMT) && time_now_ns() < end)
		cpu_relax();
	irq_enable();
	for (end = time_now_ns() + 20000000ull; time_now_ns() < end;)
		cpu_relax();
	irq_disable();
}

/* The page is memory-mapped device memory: a pattern written reads back, in bytes and dwords. */
static void check_page(void)
{
	const struct pvh_memmap_entry *map = (const void *)(uintptr_t)boot_info->memmap_paddr;
	volatile uint8_t *p8 = (volatile uint8_t *)(uintptr_t)page;
	volatile uint32_t *p32 = (volatile uint32_t *)(uintptr_t)page;

	for (uint32_t i = 0; i < boot_info->memmap_entries; i++)
		TEST_CHECK(map[i].type != E820_RAM || page + PAGE_BYTES <= map[i].addr ||
			       page >= map[i].addr + map[i].size,
			   "page %#lx is RAM in the memory map", (unsigned long)page);
	for (uint32_t i = 0; i < PAGE_BYTES; i++)
		p8[i] = (uint8_t)(i * 7 + 0x5a);
	for (uint32_t i = 0; i < PAGE_BYTES; i++)
		TEST_CHECK(p8[i] == (uint8_t)(i * 7 + 0x5a), "page byte %#x reads %#x", i, p8[i]);
	for (uint32_t i = 0; i < PAGE_BYTES / 4; i++)
		p32[i] = 0x07200720u + i; /* blanks on the text screen, counted */
	for (uint32_t i = 0; i < PAGE_BYTES / 4; i++)
		TEST_CHECK(p32[i] == 0x07200720u + i, "page dword %#x reads %#x", i, p32[i]);
	con_printf("dev_owner: page %#lx: %u bytes written and read back (bytes and dwords)\n",
		   (unsigned long)page, PAGE_BYTES);
}

/* Its own UART's registers are the hardware's; a port it does not own is absent. */
static void check_ports(void)
{
	outb(uart + UART_SCR, 0xa5);
	TEST_CHECK(inb(uart + UART_SCR) == 0xa5, "scratch register reads %#x, wrote 0xa5",
		   inb(uart + UART_SCR));
	outb(uart + UART_SCR, 0x5a);
	TEST_CHECK(inb(uart + UART_SCR) == 0x5a, "scratch register reads %#x, wrote 0x5a",
		   inb(uart + UART_SCR));
	TEST_CHECK(inb(absent) == 0xff, "port %#x it does not own reads %#x", absent, inb(absent));
	TEST_CHECK(inl(absent) == 0xffffffffu, "port %#x it does not own reads %#x as a dword",
		   absent, inl(absent));
	/* A word at its last port runs into one it does not own: all ones. */
	TEST_CHECK(inw(uart + UART_SCR) == 0xffff, "a word at %#x reads %#x, expected 0xffff",
		   uart + UART_SCR, inw(uart + UART_SCR));
	con_printf("dev_owner: UART at %#x: scratch register is the device's; port %#x and the "
		   "word at %#x read all ones\n",
		   uart, absent, uart + UART_SCR);
}

static void uart_init(void)
{
	outb(uart + UART_IER, 0);
	outb(uart + UART_LCR, LCR_DLAB);
	outb(uart + UART_DATA, 1); /* divisor 1: 115200 baud */
	outb(uart + UART_IER, 0);
	outb(uart + UART_LCR, LCR_8N1);
	outb(uart + UART_FCR, 0); /* no FIFO: one THR-empty interrupt per byte */
	outb(uart + UART_MCR, MCR_OUT2 | 0x03);
	(void)inb(uart + UART_IIR);
	(void)inb(uart + UART_LSR);
}

/* Edge-triggered: one interrupt as THR-empty is enabled, one per byte sent. */
static void check_edge(void)
{
	set_rte(VEC_EDGE);
	TEST_CHECK(ioapic_read(0x10 + 2 * gsi) == VEC_EDGE, "RTE reads %#x",
		   ioapic_read(0x10 + 2 * gsi));
	outb(uart + UART_IER, IER_THRE);
	TEST_CHECK(lapic_wait_irqs(0, VEC_EDGE, 1, IRQ_WAIT_NS),
		   "edge: no interrupt when THR-empty was enabled (GSI %u)", gsi);
	for (uint32_t i = 1; i <= BYTES_SENT; i++) {
		outb(uart + UART_DATA, (uint8_t)('0' + i));
		TEST_CHECK(lapic_wait_irqs(0, VEC_EDGE, 1 + i, IRQ_WAIT_NS),
			   "edge: %u interrupts after %u bytes, expected %u",
			   lapic_irqs[0][VEC_EDGE], i, 1 + i);
	}
	settle();
	TEST_CHECK(lapic_irqs[0][VEC_EDGE] == 1 + BYTES_SENT, "edge: %u interrupts, expected %u",
		   lapic_irqs[0][VEC_EDGE], 1 + BYTES_SENT);
	check_iir("edge", 1 + BYTES_SENT);
	outb(uart + UART_IER, 0);
	set_rte(VEC_EDGE | RTE_MASKED);
}

/*
 * A level interrupt no vCPU takes (its entry names APIC id 7) waits for an EOI, as on hardware:
 * remote IRR set, nothing delivered, the host pin masked meanwhile; the IO-APIC's EOI register
 * clears it.
 */
static void check_no_destination(void)
{
	uint64_t end;

	ioapic_write(0x10 + 2 * gsi + 1, 7u << 24);
	ioapic_write(0x10 + 2 * gsi, VEC_LEVEL | RTE_LEVEL);
	outb(uart + UART_IER, IER_THRE);
	irq_enable();
	for (end = time_now_ns() + 20000000ull; time_now_ns() < end;)
		cpu_relax();
	irq_disable();
	TEST_CHECK(ioapic_read(0x10 + 2 * gsi) & RTE_REMOTE,
		   "no remote IRR for a level interrupt no vCPU took (RTE %#x)",
		   ioapic_read(0x10 + 2 * gsi));
	TEST_CHECK(lapic_irqs[0][VEC_LEVEL] == 0, "%u interrupts reached vCPU 0",
		   lapic_irqs[0][VEC_LEVEL]);
	outb(uart + UART_IER, 0);
	(void)inb(uart + UART_IIR);
	set_rte(VEC_LEVEL | RTE_LEVEL | RTE_MASKED);
	ioapic[IOEOI / 4] = VEC_LEVEL;
	TEST_CHECK(!(ioapic_read(0x10 + 2 * gsi) & RTE_REMOTE),
		   "remote IRR still set after an EOI through the IO-APIC's EOI register");
	con_printf("dev_owner: GSI %u: a level interrupt no vCPU took waited for its EOI\n", gsi);
}

/*
 * Level-triggered: the host pin stays masked until the guest's EOI, then follows the line: an
 * EOI with the device still asserting fires again, one after quietening it does not.
 */
static void check_level(void)
{
	const uint32_t expected = 1 + LEVEL_REFIRES + BYTES_SENT;

	refires_left = LEVEL_REFIRES;
	set_rte(VEC_LEVEL | RTE_LEVEL);
	outb(uart + UART_IER, IER_THRE);
	TEST_CHECK(lapic_wait_irqs(0, VEC_LEVEL, 1 + LEVEL_REFIRES, IRQ_WAIT_NS),
		   "level: %u interrupts while the line stayed high, expected %u",
		   lapic_irqs[0][VEC_LEVEL], 1 + LEVEL_REFIRES);
	for (uint32_t i = 1; i <= BYTES_SENT; i++) {
		outb(uart + UART_DATA, (uint8_t)('a' + i));
		TEST_CHECK(lapic_wait_irqs(0, VEC_LEVEL, 1 + LEVEL_REFIRES + i, IRQ_WAIT_NS),
			   "level: %u interrupts after %u bytes, expected %u",
			   lapic_irqs[0][VEC_LEVEL], i, 1 + LEVEL_REFIRES + i);
	}
	settle();
	TEST_CHECK(lapic_irqs[0][VEC_LEVEL] == expected, "level: %u interrupts, expected %u",
		   lapic_irqs[0][VEC_LEVEL], expected);
	check_iir("level", 1 + BYTES_SENT);
	TEST_CHECK(!(ioapic_read(0x10 + 2 * gsi) & RTE_REMOTE), "remote IRR still set after EOI");
	outb(uart + UART_IER, 0);
	set_rte(VEC_LEVEL | RTE_LEVEL | RTE_MASKED);
}

/*
 * As dom0 while another domain owns the UART at @uart, its GSI and @page: they are absent for
 * dom0 (all ones, its pin never fires), while what nobody else owns is still the hardware's.
 * It waits @wait_ms so that the owner finishes first (dom0's power-off is the machine's).
 */
static void check_withheld(void)
{
	volatile uint32_t *owned = (volatile uint32_t *)(uintptr_t)page;
	volatile uint32_t *beside = (volatile uint32_t *)(uintptr_t)(page + PAGE_BYTES);
	uint64_t wait_ms = bootargs_get_u64(boot_cmdline, "wait_ms", 3000);
	uint8_t status_d;

	TEST_CHECK(inb(uart + UART_LSR) == 0xff && inb(uart + UART_SCR) == 0xff,
		   "the UART at %#x another domain owns reads LSR %#x SCR %#x, not all ones", uart,
		   inb(uart + UART_LSR), inb(uart + UART_SCR));
	outb(CMOS_INDEX, CMOS_STATUS_D);
	status_d = inb(CMOS_DATA);
	TEST_CHECK(status_d != 0xff, "CMOS status D reads 0xff: dom0's ports miss the hardware");
	TEST_CHECK(owned[0] == 0xffffffffu, "page %#lx another domain owns reads %#x",
		   (unsigned long)page, owned[0]);
	owned[1] = 0x12345678u;
	TEST_CHECK(owned[1] == 0xffffffffu, "a write to page %#lx stuck: %#x", (unsigned long)page,
		   owned[1]);
	beside[0] = 0x07410741u;
	TEST_CHECK(beside[0] == 0x07410741u,
		   "page %#lx (nobody else's) reads %#x, wrote 0x07410741",
		   (unsigned long)(page + PAGE_BYTES), beside[0]);
	/* Its own pin of that GSI, unmasked: the owner's interrupts must never reach it. */
	find_ioapic();
	lapic_enable();
	set_rte(VEC_DOM0);
	(void)lapic_wait_irqs(0, VEC_DOM0, 1, wait_ms * NS_PER_MS);
	TEST_CHECK(lapic_irqs[0][VEC_DOM0] == 0, "dom0 took %u interrupts on GSI %u",
		   lapic_irqs[0][VEC_DOM0], gsi);
	set_rte(VEC_DOM0 | RTE_MASKED);
	con_printf("dev_owner: dom0: the UART at %#x and page %#lx read all ones, no interrupt on "
		   "GSI %u in %lu ms; CMOS (status D %#x) and page %#lx are the hardware's\n",
		   uart, (unsigned long)page, gsi, (unsigned long)wait_ms, status_d,
		   (unsigned long)(page + PAGE_BYTES));
	test_pass();
}

void guest_main(void)
{
	uint32_t version;

	test_require_hv();
	TEST_CHECK(shared_info_map() == 0, "cannot map shared_info (for the clock)");
	uart = (uint16_t)bootargs_get_u64(boot_cmdline, "uart", 0x2f8);
	gsi = (uint32_t)bootargs_get_u64(boot_cmdline, "gsi", 3);
	page = bootargs_get_u64(boot_cmdline, "page", 0xb8000);
	absent = (uint16_t)bootargs_get_u64(boot_cmdline, "absent", 0x2e8);
	if (bootargs_has(boot_cmdline, "withheld"))
		check_withheld();

	check_page();
	check_ports();
	find_ioapic();
	version = ioapic_read(1);
	TEST_CHECK(((version >> 16) & 0xff) >= gsi, "the IO-APIC has %u pins, GSI %u is not one",
		   ((version >> 16) & 0xff) + 1, gsi);
	lapic_enable();
	lapic_counting_hook = trap_hook;
	trap_hook = uart_hook;
	uart_init();
	check_edge();
	check_no_destination();
	check_level();
	con_printf("dev_owner: GSI %u: %u THR-empty interrupts edge-triggered, %u level-triggered "
		   "(%u of them fired again after an EOI with the line high) through its IO-APIC\n",
		   gsi, lapic_irqs[0][VEC_EDGE], lapic_irqs[0][VEC_LEVEL], LEVEL_REFIRES);
	test_pass();
}
