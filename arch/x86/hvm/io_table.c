/* A table of emulated address ranges (MMIO or ports): register, unregister, look up; no overlaps. */
#include <asm/hvm_io.h>
#include <keel/errno.h>
#include <keel/string.h>

void hvm_io_table_init(struct hvm_io_table *t)
{
	memset(t, 0, sizeof(*t));
	t->lock = (spinlock_t)SPINLOCK_INIT;
}

/* Index of the first range that ends at or after @addr (t->nr if none); the lock is held. */
static unsigned int first_ending_at_or_after(const struct hvm_io_table *t, u64 addr)
{
	unsigned int lo = 0, hi = t->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (t->r[mid].last < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int hvm_io_register(struct hvm_io_table *t, u64 first, u64 size, const char *name,
		    const struct hvm_io_ops *ops, void *priv)
{
	u64 last = first + size - 1;
	unsigned int i;
	int rc = 0;

	if (!size || last < first || !ops || !ops->read || !ops->write)
		return -EINVAL;
	spin_lock(&t->lock);
	i = first_ending_at_or_after(t, first);
	if (i < t->nr && t->r[i].first <= last) {
		rc = -EEXIST; /* r[i] ends at or after @first and starts at or before @last */
	} else if (t->nr == HVM_IO_MAX_RANGES) {
		rc = -ENOSPC;
	} else {
		memmove(&t->r[i + 1], &t->r[i], (t->nr - i) * sizeof(t->r[0]));
		t->r[i] = (struct hvm_io_range){first, last, name, ops, priv};
		t->nr++;
	}
	spin_unlock(&t->lock);
	return rc;
}

int hvm_io_unregister(struct hvm_io_table *t, u64 first, u64 size)
{
	unsigned int i;
	int rc = -ENOENT;

	spin_lock(&t->lock);
	i = first_ending_at_or_after(t, first);
	if (size && i < t->nr && t->r[i].first == first && t->r[i].last == first + size - 1) {
		t->nr--;
		memmove(&t->r[i], &t->r[i + 1], (t->nr - i) * sizeof(t->r[0]));
		rc = 0;
	}
	spin_unlock(&t->lock);
	return rc;
}

bool hvm_io_lookup(struct hvm_io_table *t, u64 addr, struct hvm_io_range *out)
{
	unsigned int i;
	bool found;

	spin_lock(&t->lock);
	i = first_ending_at_or_after(t, addr);
	found = i < t->nr && t->r[i].first <= addr;
	if (found)
		*out = t->r[i];
	spin_unlock(&t->lock);
	return found;
}
