/* dom0's MSIs: Keel's host vectors and dom0's message behind each; the MSI capability's filter. */
#include <asm/dom0_msi.h>
#include <asm/hvm.h>
#include <asm/percpu.h>
#include <asm/traps.h>
#include <asm/vlapic.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/pci.h>
#include <keel/printk.h>
#include <keel/softirq.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/vcpu.h>

#define MSI_CTRL_64BIT	    (1u << 7)
#define MSI_ADDR_BASE	    0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_ADDR_LOGICAL    (1u << 2)

enum slot_kind { SLOT_FREE, SLOT_MSI, SLOT_MSIX };

/*
 * One host vector (MSI_VEC_BASE + its index) and what dom0 asked for it: a function's MSI
 * capability (index = its offset) or one entry of its MSI-X table (index = the entry).
 */
struct dom0_msi {
	enum slot_kind kind;
	u16 bdf;
	u16 index;
	bool is64;
	/* dom0's bytes: MSI from cap + 4 (address, high address if 64-bit, data); MSI-X as a
	 * 64-bit MSI (address, high address, data). */
	u8 shadow[12];
};

static struct dom0_msi msis[MSI_MAX];
static spinlock_t msi_lock = SPINLOCK_INIT;
static struct domain *msi_owner;
static u64 msi_fired_bits[(MSI_MAX + 63) / 64];

static unsigned int shadow_len(const struct dom0_msi *m)
{
	return m->is64 ? 10 : 6; /* address (4 or 8 bytes) and the 16-bit data */
}

static bool touches_message(const struct dom0_msi *m, unsigned int off, unsigned int size)
{
	return off + size > m->index + 4u && off < m->index + 4u + shadow_len(m);
}

static struct dom0_msi *free_slot(void)
{
	for (unsigned int i = 0; i < MSI_MAX; i++)
		if (msis[i].kind == SLOT_FREE)
			return &msis[i];
	return NULL;
}

/*
 * The MSI slot of @bdf when @off..@off+@size touches its message registers, made on first
 * touch when @make. *@full is set when the function has MSI but no vector is left.
 */
static struct dom0_msi *lookup(u16 bdf, unsigned int off, unsigned int size, bool make, bool *full)
{
	struct dom0_msi *m;
	u8 cap;

	for (unsigned int i = 0; i < MSI_MAX; i++) {
		m = &msis[i];
		if (m->kind == SLOT_MSI && m->bdf == bdf)
			return touches_message(m, off, size) ? m : NULL;
	}
	if (!make || off < 0x40 || off >= PCI_CONF_SIZE ||
	    !(cap = pci_find_cap(bdf, PCI_CAP_ID_MSI)))
		return NULL;
	m = free_slot();
	if (!m) {
		*full = true;
		return NULL;
	}
	*m = (struct dom0_msi){.kind = SLOT_MSI, .bdf = bdf, .index = cap};
	m->is64 = pci_conf_read(bdf, cap + 2, 2) & MSI_CTRL_64BIT;
	return touches_message(m, off, size) ? m : NULL;
}

u32 dom0_msi_host_address(void)
{
	return MSI_ADDR_BASE | (cpu_table[0]->apic_id << MSI_ADDR_DEST_SHIFT);
}

static u32 slot_vector(const struct dom0_msi *m)
{
	return MSI_VEC_BASE + (u32)(m - msis);
}

/* The device gets Keel's message: CPU 0, fixed, edge, its host vector. */
static void program_device(const struct dom0_msi *m)
{
	pci_conf_write(m->bdf, m->index + 4, 4, dom0_msi_host_address());
	if (m->is64) {
		pci_conf_write(m->bdf, m->index + 8, 4, 0);
		pci_conf_write(m->bdf, m->index + 12, 2, slot_vector(m));
	} else {
		pci_conf_write(m->bdf, m->index + 8, 2, slot_vector(m));
	}
}

bool dom0_msi_config_read(u16 bdf, unsigned int off, unsigned int size, u32 *val)
{
	unsigned long flags = spin_lock_irqsave(&msi_lock);
	struct dom0_msi *m = lookup(bdf, off, size, false, NULL);

	if (m) {
		*val = 0;
		for (unsigned int i = 0; i < size; i++) {
			unsigned int b = off + i - (m->index + 4u);
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
	bool full = false;
	struct dom0_msi *m = lookup(bdf, off, size, true, &full);

	if (m) {
		for (unsigned int i = 0; i < size; i++) {
			unsigned int b = off + i - (m->index + 4u);

			if (b < shadow_len(m))
				m->shadow[b] = (u8)(val >> (8 * i));
			else
				pci_conf_write(bdf, off + i, 1, (val >> (8 * i)) & 0xff);
		}
		program_device(m);
		__atomic_store_n(&msi_owner, d, __ATOMIC_SEQ_CST);
	}
	spin_unlock_irqrestore(&msi_lock, flags);
	if (full)
		pr_warn("msi: all %u host vectors in use: the MSI of %02x:%02x.%u left unfiltered",
			MSI_MAX, bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
	return m != NULL;
}

int dom0_msi_set_msix(struct domain *d, u16 bdf, unsigned int entry, u64 addr, u32 data)
{
	unsigned long flags = spin_lock_irqsave(&msi_lock);
	struct dom0_msi *m = NULL;
	int vec = -ENOSPC;

	for (unsigned int i = 0; i < MSI_MAX && !m; i++)
		if (msis[i].kind == SLOT_MSIX && msis[i].bdf == bdf && msis[i].index == entry)
			m = &msis[i];
	if (!m && (m = free_slot()))
		*m = (struct dom0_msi){
		    .kind = SLOT_MSIX, .bdf = bdf, .index = (u16)entry, .is64 = true};
	if (m) {
		memcpy(m->shadow, &addr, 8);
		memcpy(m->shadow + 8, &data, 4);
		vec = (int)slot_vector(m);
		__atomic_store_n(&msi_owner, d, __ATOMIC_SEQ_CST);
	}
	spin_unlock_irqrestore(&msi_lock, flags);
	return vec;
}

void dom0_msi_drop_msix(u16 bdf)
{
	unsigned long flags = spin_lock_irqsave(&msi_lock);

	for (unsigned int i = 0; i < MSI_MAX; i++)
		if (msis[i].kind == SLOT_MSIX && msis[i].bdf == bdf)
			msis[i].kind = SLOT_FREE;
	spin_unlock_irqrestore(&msi_lock, flags);
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
			if (copy.kind != SLOT_FREE)
				deliver(d, &copy);
		}
	}
}

void dom0_msi_release(const struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&msi_lock);

	if (msi_owner == d) {
		for (unsigned int i = 0; i < MSI_MAX; i++) {
			const struct dom0_msi *m = &msis[i];

			/* Quiet the device: its message control's enable bit off. MSI-X tables
			 * are quieted by their own filter (dom0_msix_release). */
			if (m->kind == SLOT_MSI)
				pci_conf_write(m->bdf, m->index + 2, 2,
					       pci_conf_read(m->bdf, m->index + 2, 2) & ~1u);
		}
		memset(msis, 0, sizeof(msis));
		__atomic_store_n(&msi_owner, NULL, __ATOMIC_SEQ_CST);
	}
	spin_unlock_irqrestore(&msi_lock, flags);
}
