/* xen_version: the version Keel reports (4.17 ABI level), extra version and feature bits. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/version.h>

#include "handlers.h"

static u32 feature_submap0(const struct domain *d)
{
	u32 f = (1u << XENFEAT_writable_page_tables) | (1u << XENFEAT_auto_translated_physmap) |
		(1u << XENFEAT_hvm_callback_vector) | (1u << XENFEAT_hvm_safe_pvclock);

	if (d->privileged)
		f |= 1u << XENFEAT_dom0;
	return f;
}

long do_xen_version(struct vcpu *v, const u64 *args)
{
	switch (args[0]) {
	case XENVER_version:
		return KEEL_XEN_ABI_VERSION;
	case XENVER_extraversion: {
		char extra[XENVER_EXTRAVERSION_LEN] = ".0-keel";

		return copy_to_guest(v, args[1], extra, sizeof(extra)) ? -EFAULT : 0;
	}
	case XENVER_get_features: {
		struct version_features f;

		if (copy_from_guest(v, &f, args[1], sizeof(f)))
			return -EFAULT;
		if (f.submap_idx >= XENFEAT_NR_SUBMAPS)
			return -EINVAL;
		f.submap = feature_submap0(v->domain);
		return copy_to_guest(v, args[1], &f, sizeof(f)) ? -EFAULT : 0;
	}
	case XENVER_pagesize:
		return 4096;
	default:
		return -ENOSYS;
	}
}
