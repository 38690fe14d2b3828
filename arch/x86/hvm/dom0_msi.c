/* dom0's MSIs: the message address/data it writes are kept; the device gets Keel's vector on CPU 0. */
#include <asm/dom0_msi.h>
#include <asm/hvm.h>
#include <asm/percpu.h>
#include <asm/traps.h>
#include <asm/vlapic.h>
#include <keel/domain.h>
#include <keel/printk.h>
#include <keel/softirq.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/vcpu.h>

#define PCI_STATUS	    0x06
#define PCI_STATUS_CAPS	    0x10
#define PCI_CAP_PTR	    0x34
#define PCI_CAP_MSI	    0x05
#define MSI_CTRL_64BIT	    (1u << 7)
#define MSI_ADDR_BASE	    0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_ADDR_LOGICAL    (1u << 2)
#define MAX_CAPS	    48 /* a capability list longer than config space allows is a loop */

/* One function's MSI: where its capability is, what dom0 wrote, the host vector behind it. */
struct dom0_msi {
	bool used;
	u16 bdf;
	u8 cap;
	bool is64;
	u8 shadow[12]; /* dom0's bytes from cap + 4: address (+ high address), data */
};

static struct dom0_msi msis[MSI_MAX];
static spinlock_t msi_lock = SPINLOCK_INIT;
static struct domain *msi_owner;
static u64 msi_fired_bits[(MSI_MAX + 63) / 64];

/* The MSI capability of @bdf (0: none), walking the real list with a bound. */
static u8 find_msi_cap(u16 bdf)
{
	u8 ptr;

	if (pci_conf_read(bdf, 0, 2) == 0xffff ||
	    !(pci_conf_read(bdf, PCI_STATUS, 2) & PCI_STATUS_CAPS))
		return 0;
	ptr = (u8)pci_conf_read(bdf, PCI_CAP_PTR, 1) & 0xfc;
	for (unsigned int i = 0; i < MAX_CAPS && ptr >= 0x40; i++) {
		u32 hdr = pci_conf_read(bdf, ptr, 2);

		if ((hdr & 0xff) == PCI_CAP_MSI)
			return ptr;
		ptr = (u8)(hdr >> 8) & 0xfc;
	}
	return 0;
}

static unsigned int shadow_len(const struct dom0_msi *m)
{
	return m->is64 ? 10 : 6; /* address (4 or 8 bytes) and the 16-bit data */
}

/* The entry for @bdf whose message registers @off..@off+@size touches, made on first touch. */
static struct dom0_msi *lookup(u16 bdf, unsigned int off, unsigned int size, bool make)
{
	struct dom0_msi *free_slot = NULL;
	u8 cap;

	for (unsigned int i = 0; i < MSI_MAX; i++) {
		struct dom0_msi *m = &msis[i];

		if (m->used && m->bdf == bdf)
			return off + size > m->cap + 4u && off < m->cap + 4u + shadow_len(m) ? m
											     : NULL;
		if (!m->used && !free_slot)
			free_slot = m;
	}
	if (!make || off < 0x40 || !(cap = find_msi_cap(bdf)))
		return NULL;
	if (!free_slot) {
		pr_warn("msi: more than %u devices with MSI: %04x left unfiltered", MSI_MAX, bdf);
		return NULL;
	}
	*free_slot = (struct dom0_msi){.used = true, .bdf = bdf, .cap = cap};
	free_slot->is64 = pci_conf_read(bdf, cap + 2, 2) & MSI_CTRL_64BIT;
	return off + size > cap + 4u && off < cap + 4u + shadow_len(free_slot) ? free_slot : NULL;
}

/* The device gets Keel's message: CPU 0, fixed, edge, its host vector. */
static void program_device(const struct dom0_msi *m)
{
	u32 addr = MSI_ADDR_BASE | (cpu_table[0]->apic_id << MSI_ADDR_DEST_SHIFT);
	u32 vec = MSI_VEC_BASE + (u32)(m - msis);

	pci_conf_write(m->bdf, m->cap + 4, 4, addr);
	if (m->is64) {
		pci_conf_write(m->bdf, m->cap + 8, 4, 0);
		pci_conf_write(m->bdf, m->cap + 12, 2, vec);
	} else {
		pci_conf_write(m->bdf, m->cap + 8, 2, vec);
	}
}

bool dom0_msi_config_read(u16 bdf, unsigned int off, unsigned int size, u32 *val)
{
	unsigned long flags = spin_lock_irqsave(&msi_lock);
	struct dom0_msi *m = lookup(bdf, off, size, false);

	if (m) {
		*val = 0;
		for (unsigned int i = 0; i < size; i++) {
			unsigned int b = off + i - (m->cap + 4u);
			u32 byte = b < shadow_len(m) ? m->shadow[b]
						     : (pci_conf_read(bdf, off + i, 1) & 0xff);

			*val |= byte << (8 * i);
		}
	}
	spin_unlock_irqrestore(&msi_lock, flags);
	return m != NULL;
}

bool dom0_msi_config_write(struct domain *d, u16 bdf, unsigned int off, unsigned int size, u32 val)
{
	unsigned long flags = spin_lock_irqsave(&msi_lock);
	struct dom0_msi *m = lookup(bdf, off, size, true);

	if (m) {
		for (unsigned int i = 0; i < size; i++) {
			unsigned int b = off + i - (m->cap + 4u);

			if (b < shadow_len(m))
				m->shadow[b] = (u8)(val >> (8 * i));
			else
				pci_conf_write(bdf, off + i, 1, (val >> (8 * i)) & 0xff);
		}
		program_device(m);
		__atomic_store_n(&msi_owner, d, __ATOMIC_SEQ_CST);
	}
	spin_unlock_irqrestore(&msi_lock, flags);
	return m != NULL;
}

void dom0_msi_fired(unsigned int vec)
{
	unsigned int i = vec - MSI_VEC_BASE;

	if (i < MSI_MAX) {
		__atomic_fetch_or(&msi_fired_bits[i / 64], 1ULL << (i % 64), __ATOMIC_SEQ_CST);
		softirq_raise(SOFTIRQ_DEVICE_IRQ);
	}
}

/* What dom0's message says: the vCPU (by APIC id, physical or logical) and the vector. */
static void deliver(struct domain *d, const struct dom0_msi *m)
{
	u32 addr = (u32)m->shadow[0] | (u32)m->shadow[1] << 8 | (u32)m->shadow[2] << 16 |
		   (u32)m->shadow[3] << 24;
	unsigned int data_at = m->is64 ? 8 : 4;
	u8 vec = m->shadow[data_at];
	u32 dest = (addr >> MSI_ADDR_DEST_SHIFT) & 0xff;
	struct vcpu *t;

	if ((addr & 0xfff00000u) != MSI_ADDR_BASE || vec < 0x10)
		return; /* dom0 left it unprogrammed: nothing to deliver, as on hardware */
	t = vlapic_device_dest(d, dest, addr & MSI_ADDR_LOGICAL);
	if (t && vlapic_accept_fixed(t->arch.vlapic, vec))
		vcpu_kick(t);
}

void dom0_msi_run_pending(void)
{
	struct domain *d = __atomic_load_n(&msi_owner, __ATOMIC_SEQ_CST);

	for (unsigned int w = 0; w < (MSI_MAX + 63) / 64; w++) {
		u64 bits = __atomic_exchange_n(&msi_fired_bits[w], 0, __ATOMIC_SEQ_CST);

		while (bits && d) {
			unsigned int b = (unsigned int)__builtin_ctzll(bits);
			struct dom0_msi copy;
			unsigned long flags;

			bits &= bits - 1;
			flags = spin_lock_irqsave(&msi_lock);
			copy = msis[w * 64 + b];
			spin_unlock_irqrestore(&msi_lock, flags);
			if (copy.used)
				deliver(d, &copy);
		}
	}
}

void dom0_msi_release(const struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&msi_lock);

	if (msi_owner == d) {
		for (unsigned int i = 0; i < MSI_MAX; i++)
			if (msis[i]
				.used) /* quiet the device: its message control, enable bit off */
				pci_conf_write(msis[i].bdf, msis[i].cap + 2, 2,
					       pci_conf_read(msis[i].bdf, msis[i].cap + 2, 2) &
						   ~1u);
		memset(msis, 0, sizeof(msis));
		__atomic_store_n(&msi_owner, NULL, __ATOMIC_SEQ_CST);
	}
	spin_unlock_irqrestore(&msi_lock, flags);
}
