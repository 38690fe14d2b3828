/* Guest memory for emulated instructions: segmentation, then paging with the guest's own faults. */
#include <asm/cpu.h>
#include <asm/guest_walk.h>
#include <asm/hvm.h>
#include <asm/hvm_emulate.h>
#include <asm/hvm_io.h>
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/string.h>
#include <keel/vcpu.h>

#define SEG_AR_TYPE_WR	 (1u << 1) /* data: writable; code: readable */
#define SEG_AR_TYPE_DOWN (1u << 2) /* data: expand-down */
#define SEG_AR_TYPE_CODE (1u << 3)
#define SEG_AR_PRESENT	 (1u << 7)
#define SEG_AR_DB	 (1u << 14)

/* #GP(0), or #SS(0) for an access through SS. */
static int segment_fault(struct vcpu *v, enum x86_seg seg)
{
	hvm_ops->inject_exception(v, seg == X86_SEG_SS ? X86_EXC_SS : X86_EXC_GP, true, 0);
	return -EFAULT;
}

static bool canonical(u64 la)
{
	return (u64)((s64)(la << 16) >> 16) == la;
}

/*
 * The checks the CPU makes on a data access through a loaded segment outside 64-bit mode: the
 * segment is usable, a write goes to a writable data segment and a read to a data or readable
 * code segment, and every byte lies within the limit (expand-up or expand-down).
 */
static bool segment_allows(const struct segment *s, u64 offset, unsigned int size, bool write)
{
	u64 last = offset + size - 1;

	if (!(s->ar & SEG_AR_PRESENT))
		return false;
	if (s->ar & SEG_AR_TYPE_CODE) {
		if (write || !(s->ar & SEG_AR_TYPE_WR))
			return false;
	} else if (write && !(s->ar & SEG_AR_TYPE_WR)) {
		return false;
	}
	if (!(s->ar & SEG_AR_TYPE_CODE) && (s->ar & SEG_AR_TYPE_DOWN))
		return offset > s->limit &&
		       last <= ((s->ar & SEG_AR_DB) ? 0xffffffffULL : 0xffffULL);
	return last <= s->limit;
}

int hvm_segment_linear(struct vcpu *v, enum x86_seg seg, u64 offset, unsigned int size, bool write,
		       u64 *la)
{
	struct segment s;

	hvm_ops->get_segment(v, seg, &s);
	if (hvm_guest_mode(v) == 64) {
		/* Only FS and GS have a base; no limits; the address must be canonical. */
		*la = offset + ((seg == X86_SEG_FS || seg == X86_SEG_GS) ? s.base : 0);
		if (!canonical(*la) || !canonical(*la + size - 1))
			return segment_fault(v, seg);
		return 0;
	}
	if (!segment_allows(&s, offset, size, write))
		return segment_fault(v, seg);
	*la = (s.base + offset) & 0xffffffffULL;
	return 0;
}

/* Tell the guest about a failed translation of @la; -EFAULT, -EAGAIN or -EIO (domain crashed). */
static int translation_failed(struct vcpu *v, u64 la, int rc, u32 pfec)
{
	switch (rc) {
	case -EFAULT:
		hvm_ops->inject_page_fault(v, la, pfec);
		return -EFAULT;
	case -EINVAL:
		hvm_ops->inject_exception(v, X86_EXC_GP, true, 0);
		return -EFAULT;
	case -EAGAIN:
		return -EAGAIN;
	default:
		hvm_ops->vcpu_dump(v);
		domain_crash(v->domain,
			     "vCPU %u: page tables for %#llx outside the domain's memory", v->id,
			     la);
		return -EIO;
	}
}

int hvm_linear_translate(struct vcpu *v, u64 la, unsigned int len, enum guest_access acc,
			 enum guest_priv priv, struct hvm_linear *out)
{
	bool wrap32 = hvm_guest_mode(v) != 64;

	out->n = 0;
	while (len && out->n < HVM_LINEAR_MAX_PIECES) {
		unsigned int n;
		u32 pfec;
		int rc;

		if (wrap32)
			la &= 0xffffffffULL; /* linear addresses wrap at 4 GiB outside long mode */
		n = MIN(len, (unsigned int)(PAGE_SIZE - (la & (PAGE_SIZE - 1))));
		rc = guest_walk(v, la, acc, priv, &out->gpa[out->n], &pfec);
		if (rc)
			return translation_failed(v, la, rc, pfec);
		out->len[out->n++] = n;
		la += n;
		len -= n;
	}
	return len ? -EINVAL : 0;
}

/* One piece: guest RAM through the EPT, else a device model's range, else the domain is done. */
static int access_piece(struct vcpu *v, u64 gpa, u8 *buf, unsigned int len, bool write)
{
	struct hvm_io_range dev;
	paddr_t hpa;
	u64 val = 0;

	if (arch_gpa_to_hpa(v->domain, gpa, write, &hpa) == 0) {
		if (write)
			memcpy(paddr_to_virt(hpa), buf, len);
		else
			memcpy(buf, paddr_to_virt(hpa), len);
		return 0;
	}
	if (len <= sizeof(val) && hvm_io_lookup(&v->domain->arch.mmio, gpa, &dev)) {
		int rc;

		if (write) {
			memcpy(&val, buf, len);
			rc = dev.ops->write(v, dev.priv, gpa, len, val);
		} else {
			rc = dev.ops->read(v, dev.priv, gpa, len, &val);
			memcpy(buf, &val, len);
		}
		if (rc == 0)
			return 0;
	}
	hvm_ops->vcpu_dump(v);
	domain_crash(v->domain, "vCPU %u: emulated %s at GPA %#llx: outside the domain's memory",
		     v->id, write ? "write" : "read", gpa);
	return -EIO;
}

int hvm_linear_copy(struct vcpu *v, const struct hvm_linear *m, void *buf, bool write)
{
	u8 *p = buf;

	for (unsigned int i = 0; i < m->n; i++) {
		int rc = access_piece(v, m->gpa[i], p, m->len[i], write);

		if (rc)
			return rc;
		p += m->len[i];
	}
	return 0;
}

int hvm_linear_read(struct vcpu *v, u64 la, void *buf, unsigned int len, enum guest_priv priv)
{
	struct hvm_linear m;

	return hvm_linear_translate(v, la, len, GUEST_READ, priv, &m)
		   ?: hvm_linear_copy(v, &m, buf, false);
}

int hvm_linear_write(struct vcpu *v, u64 la, const void *buf, unsigned int len,
		     enum guest_priv priv)
{
	struct hvm_linear m;

	return hvm_linear_translate(v, la, len, GUEST_WRITE, priv, &m)
		   ?: hvm_linear_copy(v, &m, (void *)(uintptr_t)buf, true);
}
