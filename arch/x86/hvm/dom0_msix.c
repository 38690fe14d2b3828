/* dom0's MSI-X tables: the pages trapped, dom0's entries kept, the device given Keel's vectors. */
#include <asm/dom0_msi.h>
#include <asm/dom0_msix.h>
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <asm/io.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/pci.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/vcpu.h>

#define MSIX_CTRL	 2 /* message control: table size - 1 in bits 10:0, enable bit 15 */
#define MSIX_CTRL_SIZE	 0x7ffu
#define MSIX_CTRL_ENABLE (1u << 15)
#define MSIX_TABLE	 4 /* BAR indicator in bits 2:0, offset in the BAR above */
#define MSIX_BIR	 0x7u
#define ENTRY_SIZE	 16
#define ENTRY_CTRL	 12
#define ENTRY_MASKED	 1u
#define MSI_ADDR_MASK	 0xfff00000u
#define MSI_ADDR_BASE	 0xfee00000u

/* dom0's view of one table entry, and whether the device's entry carries a Keel vector. */
struct msix_entry {
	u32 addr_lo, addr_hi, data, ctrl;
	bool has_vec;
};

/* One function's table: where it is trapped, Keel's mapping of those pages, dom0's entries. */
struct dom0_msix {
	bool used;
	u16 bdf;
	u8 cap;
	u16 nr;		 /* entries */
	u64 table;	 /* host-physical (= dom0-physical) address of entry 0; 0: not trapped */
	u64 start, len;	 /* the trapped pages */
	volatile u8 *hw; /* Keel's uncached mapping of them */
	struct msix_entry *e;
};

static struct dom0_msix devs[MSIX_MAX_DEVS];
static spinlock_t msix_lock = SPINLOCK_INIT;

static bool valid_message(const struct msix_entry *e)
{
	return (e->addr_lo & MSI_ADDR_MASK) == MSI_ADDR_BASE && !e->addr_hi;
}

static volatile u32 *hw_dword(const struct dom0_msix *m, u64 addr)
{
	return (volatile u32 *)(m->hw + (addr - m->start));
}

/*
 * Give entry @i of @m to the device: Keel's message when dom0's is a valid one and a vector is
 * free, else masked. Returns false when no vector was left. Under msix_lock.
 */
static bool program_entry(struct domain *d, struct dom0_msix *m, unsigned int i)
{
	struct msix_entry *e = &m->e[i];
	volatile u32 *hw = hw_dword(m, m->table + (u64)i * ENTRY_SIZE);
	int vec = -ENOSPC;

	if (valid_message(e))
		vec = dom0_msi_set_msix(d, m->bdf, i, (u64)e->addr_hi << 32 | e->addr_lo, e->data);
	e->has_vec = vec >= 0;
	hw[3] = e->ctrl | ENTRY_MASKED; /* masked while its message changes */
	if (e->has_vec) {
		hw[0] = dom0_msi_host_address();
		hw[1] = 0;
		hw[2] = (u32)vec;
		hw[3] = e->ctrl;
	}
	return e->has_vec || !valid_message(e);
}

/* One dword of the table at @addr (4-byte aligned, inside it). Under msix_lock. */
static u32 entry_read(const struct dom0_msix *m, u64 addr)
{
	const struct msix_entry *e = &m->e[(addr - m->table) / ENTRY_SIZE];
	const u32 f[4] = {e->addr_lo, e->addr_hi, e->data, e->ctrl};

	return f[((addr - m->table) % ENTRY_SIZE) / 4];
}

static bool entry_write(struct domain *d, struct dom0_msix *m, u64 addr, u32 val)
{
	unsigned int i = (unsigned int)((addr - m->table) / ENTRY_SIZE);
	struct msix_entry *e = &m->e[i];

	switch ((addr - m->table) % ENTRY_SIZE) {
	case 0:
		e->addr_lo = val;
		break;
	case 4:
		e->addr_hi = val;
		break;
	case 8:
		e->data = val;
		break;
	default:
		e->ctrl = val;
		/* Unmasking an entry Keel gave no vector stays masked on the device. */
		*hw_dword(m, addr) = val | (e->has_vec ? 0 : ENTRY_MASKED);
		return true;
	}
	return program_entry(d, m, i);
}

static bool in_table(const struct dom0_msix *m, u64 addr, unsigned int size)
{
	return addr >= m->table && addr + size <= m->table + (u64)m->nr * ENTRY_SIZE;
}

/* An access that is not the table's: the device's own, at @p. */
static void device_access(volatile u8 *p, unsigned int size, u64 *val, bool write)
{
	if (!write)
		*val = size == 8   ? mmio_read64(p)
		       : size == 4 ? mmio_read32(p)
		       : size == 2 ? *(volatile u16 *)p
				   : *p;
	else if (size == 8)
		mmio_write64(p, *val);
	else if (size == 4)
		mmio_write32(p, (u32)*val);
	else if (size == 2)
		*(volatile u16 *)p = (u16)*val;
	else
		*p = (u8)*val;
}

/*
 * An access of dom0 to the trapped pages: inside the table, dword or qword aligned, it meets
 * dom0's entries; elsewhere (the PBA, other registers sharing the page) it reaches the device.
 */
static int table_access(struct vcpu *v, struct dom0_msix *m, u64 addr, unsigned int size, u64 *val,
			bool write)
{
	unsigned long flags = spin_lock_irqsave(&msix_lock);
	bool ok = true, warn_size = false;

	if (!m->used || !m->table || addr < m->start || addr + size > m->start + m->len) {
		if (!write) /* the trap moved under this access: reads see nothing */
			*val = ~0ULL;
	} else if (!in_table(m, addr, size)) {
		device_access(m->hw + (addr - m->start), size, val, write);
	} else if ((size != 4 && size != 8) || (addr & (size - 1))) {
		warn_size = true;
		if (!write)
			*val = ~0ULL;
	} else {
		for (u64 i = 0; i < size / 4; i++) {
			if (write)
				ok &= entry_write(v->domain, m, addr + 4 * i,
						  (u32)(*val >> (32 * i)));
			else
				*val = (i ? *val : 0) | (u64)entry_read(m, addr + 4 * i)
							    << (32 * i);
		}
	}
	spin_unlock_irqrestore(&msix_lock, flags);
	if (warn_size)
		pr_warn("msix: dom0's %u-byte access at %#llx of the table of %02x:%02x.%u ignored "
			"(entries take aligned dwords and qwords)",
			size, addr, m->bdf >> 8, (m->bdf >> 3) & 0x1f, m->bdf & 7);
	if (!ok)
		pr_warn("msix: all %u host vectors in use: an entry of %02x:%02x.%u stays masked",
			MSI_MAX, m->bdf >> 8, (m->bdf >> 3) & 0x1f, m->bdf & 7);
	return 0;
}

static int table_read(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 *val)
{
	return table_access(v, priv, addr, size, val, false);
}

static int table_write(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 val)
{
	return table_access(v, priv, addr, size, &val, true);
}

static const struct hvm_io_ops table_ops = {.read = table_read, .write = table_write};

/* The slot of @bdf, made when @cap is its MSI-X capability and a slot is free. Under msix_lock. */
static struct dom0_msix *slot_of(u16 bdf, u8 cap)
{
	struct dom0_msix *free = NULL;

	for (unsigned int i = 0; i < MSIX_MAX_DEVS; i++) {
		if (devs[i].used && devs[i].bdf == bdf)
			return &devs[i];
		if (!devs[i].used && !free)
			free = &devs[i];
	}
	if (free)
		*free = (struct dom0_msix){.used = true, .bdf = bdf, .cap = cap};
	return free;
}

/* Undo a trap: dom0 maps the pages 1:1 again. Without locks. */
static void untrap(struct domain *d, u64 start, u64 len)
{
	hvm_io_unregister(&d->arch.mmio, start, len);
	if (hvm_ops->map_mmio(d, start, start, len))
		pr_err("msix: remapping dom0's pages at %#llx failed", start);
}

/* Where @bdf's table is now by its BAR (0: nowhere dom0 may have it trapped), and its size. */
static u64 table_address(u16 bdf, u8 cap, u16 *nr)
{
	u32 t = pci_conf_read(bdf, cap + MSIX_TABLE, 4);
	u64 bar = pci_bar_address(bdf, t & MSIX_BIR);
	u64 table = bar + (t & ~MSIX_BIR);

	*nr = (u16)((pci_conf_read(bdf, cap + MSIX_CTRL, 2) & MSIX_CTRL_SIZE) + 1);
	if (!bar || !(pci_conf_read(bdf, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY))
		return 0;
	return table;
}

/* Take dom0's entries from the device as they stand, and give it Keel's. Under msix_lock. */
static bool adopt_entries(struct domain *d, struct dom0_msix *m)
{
	bool ok = true;

	for (unsigned int i = 0; i < m->nr; i++) {
		volatile u32 *hw = hw_dword(m, m->table + (u64)i * ENTRY_SIZE);

		m->e[i] = (struct msix_entry){hw[0], hw[1], hw[2], hw[3], false};
		ok &= program_entry(d, m, i);
	}
	return ok;
}

void dom0_msix_config_written(struct domain *d, u16 bdf, unsigned int off, unsigned int size)
{
	u8 cap;
	u16 nr;
	u64 table, start, len, old_start = 0, old_len = 0;
	struct msix_entry *e, *old_e = NULL;
	struct dom0_msix *m;
	volatile u8 *hw;
	unsigned long flags;
	bool full = false;

	if (off + size <= PCI_COMMAND || (off >= PCI_BAR0 + 4 * PCI_BAR_COUNT && off < 0x40) ||
	    !(cap = pci_find_cap(bdf, PCI_CAP_ID_MSIX)) ||
	    (off >= 0x40 && (off >= cap + 8u || off + size <= cap)))
		return;
	table = table_address(bdf, cap, &nr);
	start = ALIGN_DOWN(table, PAGE_SIZE);
	len = ALIGN_UP(table + (u64)nr * ENTRY_SIZE, PAGE_SIZE) - start;
	if (table && !dom0_device_space_contains(start, start + len)) {
		pr_warn("msix: the table of %02x:%02x.%u at %#llx is outside dom0's device space: "
			"not filtered",
			bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7, table);
		table = 0;
	}
	flags = spin_lock_irqsave(&msix_lock);
	m = slot_of(bdf, cap);
	if (!m || m->table == table) {
		spin_unlock_irqrestore(&msix_lock, flags);
		if (!m)
			pr_warn(
			    "msix: more than %u functions with MSI-X: %02x:%02x.%u not filtered",
			    MSIX_MAX_DEVS, bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
		return;
	}
	/* The table moved (or appeared, or went): the old trap goes, the new one comes. */
	old_start = m->table ? m->start : 0;
	old_len = m->len;
	old_e = m->e;
	m->table = 0;
	m->e = NULL;
	spin_unlock_irqrestore(&msix_lock, flags);
	dom0_msi_drop_msix(bdf);
	kfree(old_e);
	if (table) {
		e = kzalloc(sizeof(*e) * nr);
		if (!e || hvm_ops->unmap(d, start, len) ||
		    hvm_io_register(&d->arch.mmio, start, len, "MSI-X table", &table_ops, m)) {
			kfree(e);
			pr_err(
			    "msix: trapping the table of %02x:%02x.%u at %#llx failed: not filtered",
			    bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7, table);
			table = 0;
		} else {
			hw = ioremap(start,
				     len); /* Keel's mappings are never undone: a move maps anew */
			flags = spin_lock_irqsave(&msix_lock);
			*m = (struct dom0_msix){.used = true,
						.bdf = bdf,
						.cap = cap,
						.nr = nr,
						.table = table,
						.start = start,
						.len = len,
						.hw = hw,
						.e = e};
			full = !adopt_entries(d, m);
			spin_unlock_irqrestore(&msix_lock, flags);
		}
	}
	if (old_start)
		untrap(d, old_start, old_len);
	if (table)
		pr_info("msix: %02x:%02x.%u: %u entries at %#llx filtered", bdf >> 8,
			(bdf >> 3) & 0x1f, bdf & 7, nr, table);
	if (full)
		pr_warn("msix: all %u host vectors in use: entries of %02x:%02x.%u stay masked",
			MSI_MAX, bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
}

void dom0_msix_release(struct domain *d)
{
	for (unsigned int i = 0; i < MSIX_MAX_DEVS; i++) {
		struct dom0_msix *m = &devs[i];

		if (!m->used)
			continue;
		/* The domain is going: its mappings go with it; the device is quieted. */
		pci_conf_write(m->bdf, m->cap + MSIX_CTRL, 2,
			       pci_conf_read(m->bdf, m->cap + MSIX_CTRL, 2) & ~MSIX_CTRL_ENABLE);
		dom0_msi_drop_msix(m->bdf);
		kfree(m->e);
		memset(m, 0, sizeof(*m));
	}
}
