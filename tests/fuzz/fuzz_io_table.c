/* libFuzzer target for arch/x86/hvm/io_table.c: operation sequences checked against a byte map. */
#include <asm/hvm_io.h>
#include <keel/errno.h>
#include <stdlib.h>
#include <string.h>

#define SPACE	256
#define MAX_OPS 64

/* One thread: a lock taken twice or released unheld is a bug. */
void spin_lock(spinlock_t *lock)
{
	if (lock->next != lock->owner)
		abort();
	lock->next++;
}

void spin_unlock(spinlock_t *lock)
{
	if (lock->next == lock->owner)
		abort();
	lock->owner++;
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

static int dev_read(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 *val)
{
	return 0;
}

static int dev_write(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 val)
{
	return 0;
}

static const struct hvm_io_ops ops = {.read = dev_read, .write = dev_write};

int LLVMFuzzerTestOneInput(const u8 *data, size_t len);
int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	static struct hvm_io_table t;
	static unsigned int model[SPACE]; /* 0: free, else the tag (1 + index of the op) */
	unsigned int nlive = 0;

	hvm_io_table_init(&t);
	memset(model, 0, sizeof(model));
	/* Each op is 4 bytes: kind, first (2 bytes, in the space), size. */
	for (size_t i = 0; i + 4 <= len && i < 4 * MAX_OPS; i += 4) {
		u64 first = ((u64)data[i + 1] | (u64)data[i + 2] << 8) % SPACE;
		u64 size = data[i + 3] % 48;
		unsigned int tag = (unsigned int)(i / 4) + 1;
		struct hvm_io_range r;
		bool free = size && first + size <= SPACE;
		int rc;

		for (u64 a = first; free && a < first + size; a++)
			free = !model[a];
		if (data[i] & 1) {
			/* Unregister: succeeds exactly when one range is [first, first + size). */
			bool exact = size && first + size <= SPACE && model[first] &&
				     (first == 0 || model[first - 1] != model[first]) &&
				     (first + size == SPACE || model[first + size] != model[first]);

			for (u64 a = first; exact && a < first + size; a++)
				exact = model[a] == model[first];
			rc = hvm_io_unregister(&t, first, size);
			check(rc == (exact ? 0 : -ENOENT));
			if (exact) {
				for (u64 a = first; a < first + size; a++)
					model[a] = 0;
				nlive--;
			}
		} else if (first + size <= SPACE) {
			rc = hvm_io_register(&t, first, size, "fuzz", &ops, (void *)(uintptr_t)tag);
			if (!size)
				check(rc == -EINVAL);
			else if (!free)
				check(rc == -EEXIST);
			else if (nlive == HVM_IO_MAX_RANGES)
				check(rc == -ENOSPC);
			else
				check(rc == 0);
			if (rc == 0) {
				for (u64 a = first; a < first + size; a++)
					model[a] = tag;
				nlive++;
			}
		}
		check(t.nr == nlive);
		for (unsigned int k = 0; k + 1 < t.nr; k++)
			check(t.r[k].last < t.r[k + 1].first);
		for (u64 a = data[i + 1] % 5; a < SPACE; a += 5) {
			bool found = hvm_io_lookup(&t, a, &r);

			check(found == (model[a] != 0));
			check(!found || (uintptr_t)r.priv == model[a]);
		}
	}
	return 0;
}
