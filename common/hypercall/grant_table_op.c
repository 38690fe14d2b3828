/* grant_table_op: decoding its batches and single ops (the work is in common/grant/). */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/vcpu.h>
#include <public/grant_table.h>
#include <public/hypercall.h>

#include "handlers.h"

#define GNTTABOP_get_status_frames 9 /* v2 only */

struct gnttab_get_version {
	u16 dom;
	u16 pad;     // cppcheck-suppress unusedStructMember ; the ABI's layout
	u32 version; /* OUT */
};

/* The OUT fields of each batched op, which lie at its end: written back alone. */
#define MAP_OUT_OFF   __builtin_offsetof(struct gnttab_map_grant_ref, status)
#define UNMAP_OUT_OFF __builtin_offsetof(struct gnttab_unmap_grant_ref, status)
#define COPY_OUT_OFF  __builtin_offsetof(struct gnttab_copy, status)

static long map_batch(struct vcpu *v, u64 uop, u64 count)
{
	for (u64 i = 0; i < count; i++) {
		struct gnttab_map_grant_ref op;
		u64 at = uop + i * sizeof(op);

		if (copy_from_guest(v, &op, at, sizeof(op)))
			return -EFAULT;
		grant_map_one(v, &op);
		if (copy_to_guest(v, at + MAP_OUT_OFF, (u8 *)&op + MAP_OUT_OFF,
				  sizeof(op) - MAP_OUT_OFF))
			return -EFAULT;
	}
	return 0;
}

static long unmap_batch(struct vcpu *v, u64 uop, u64 count)
{
	for (u64 i = 0; i < count; i++) {
		struct gnttab_unmap_grant_ref op;
		u64 at = uop + i * sizeof(op);

		if (copy_from_guest(v, &op, at, sizeof(op)))
			return -EFAULT;
		grant_unmap_one(v, &op);
		if (copy_to_guest(v, at + UNMAP_OUT_OFF, &op.status, sizeof(op.status)))
			return -EFAULT;
	}
	return 0;
}

static long copy_batch(struct vcpu *v, u64 uop, u64 count)
{
	for (u64 i = 0; i < count; i++) {
		struct gnttab_copy op;
		u64 at = uop + i * sizeof(op);

		if (copy_from_guest(v, &op, at, sizeof(op)))
			return -EFAULT;
		grant_copy_one(v, &op);
		if (copy_to_guest(v, at + COPY_OUT_OFF, &op.status, sizeof(op.status)))
			return -EFAULT;
	}
	return 0;
}

/* Keel has v1 only: asking for 2 gets -ENOSYS as from a hypervisor without set_version. */
static long set_version(struct vcpu *v, u64 uop)
{
	struct gnttab_set_version sv;
	long rc;

	if (copy_from_guest(v, &sv, uop, sizeof(sv)))
		return -EFAULT;
	rc = sv.version == 1 ? 0 : sv.version == 2 ? -ENOSYS : -EINVAL;
	sv.version = 1;
	return copy_to_guest(v, uop, &sv, sizeof(sv)) ? -EFAULT : rc;
}

static long get_version(struct vcpu *v, u64 uop)
{
	struct gnttab_get_version gv;

	if (copy_from_guest(v, &gv, uop, sizeof(gv)))
		return -EFAULT;
	if (gv.dom != DOMID_SELF && gv.dom != v->domain->id)
		return -EPERM;
	gv.version = 1;
	return copy_to_guest(v, uop, &gv, sizeof(gv)) ? -EFAULT : 0;
}

static long query_size(struct vcpu *v, u64 uop)
{
	struct gnttab_query_size q;

	if (copy_from_guest(v, &q, uop, sizeof(q)))
		return -EFAULT;
	grant_query_size(v, &q);
	return copy_to_guest(v, uop, &q, sizeof(q)) ? -EFAULT : 0;
}

static long setup_table(struct vcpu *v, u64 uop)
{
	struct gnttab_setup_table s;
	struct grant_table_frames frames;

	if (copy_from_guest(v, &s, uop, sizeof(s)))
		return -EFAULT;
	grant_setup_table(v, &s, &frames);
	for (u32 i = 0; s.status == GNTST_okay && i < s.nr_frames; i++)
		if (copy_to_guest(v, s.frame_list + i * sizeof(u64), &frames.gfn[i], sizeof(u64)))
			return -EFAULT;
	return copy_to_guest(v, uop, &s, sizeof(s)) ? -EFAULT : 0;
}

long do_grant_table_op(struct vcpu *v, const u64 *args)
{
	u64 cmd = args[0], uop = args[1], count = args[2];
	bool batch = cmd == GNTTABOP_map_grant_ref || cmd == GNTTABOP_unmap_grant_ref ||
		     cmd == GNTTABOP_copy;
	bool single = cmd == GNTTABOP_setup_table || cmd == GNTTABOP_query_size ||
		      cmd == GNTTABOP_set_version || cmd == GNTTABOP_get_version;

	/* No continuations: a batch is bounded (Linux sends at most a page's worth). */
	if (batch && count > GRANT_MAX_BATCH)
		return -EINVAL;
	if (single && count != 1)
		return -EINVAL;
	switch (cmd) {
	case GNTTABOP_map_grant_ref:
		return map_batch(v, uop, count);
	case GNTTABOP_unmap_grant_ref:
		return unmap_batch(v, uop, count);
	case GNTTABOP_copy:
		return copy_batch(v, uop, count);
	case GNTTABOP_setup_table:
		return setup_table(v, uop);
	case GNTTABOP_query_size:
		return query_size(v, uop);
	case GNTTABOP_set_version:
		return set_version(v, uop);
	case GNTTABOP_get_version:
		return get_version(v, uop);
	default: /* also GNTTABOP_get_status_frames: status frames are v2 only */
		return -ENOSYS;
	}
}
