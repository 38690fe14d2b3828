/* xen_version: every sub-op a guest may ask (version, strings, features, page size, handle, ...). */
#include <keel/cmdline.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/version.h>

#include "handlers.h"

static u32 feature_submap0(const struct domain *d)
{
	/* Never hvm_pirqs: Linux would then route interrupts through event channels. */
	u32 f = (1u << XENFEAT_writable_page_tables) | (1u << XENFEAT_auto_translated_physmap) |
		(1u << XENFEAT_hvm_callback_vector) | (1u << XENFEAT_hvm_safe_pvclock);

	if (d->privileged)
		f |= 1u << XENFEAT_dom0;
	return f;
}

/* A NUL-padded string of exactly @size bytes to the guest (the ABI's fixed-size buffers). */
static long put_string(struct vcpu *v, u64 arg, const char *s, size_t size)
{
	char buf[XENVER_COMMANDLINE_LEN];

	if (size > sizeof(buf))
		return -EINVAL;
	memset(buf, 0, size);
	strlcpy(buf, s, size);
	return copy_to_guest(v, arg, buf, size) ? -EFAULT : 0;
}

static long get_features(struct vcpu *v, u64 arg)
{
	struct version_features f;

	if (copy_from_guest(v, &f, arg, sizeof(f)))
		return -EFAULT;
	if (f.submap_idx >= XENFEAT_NR_SUBMAPS)
		return -EINVAL;
	f.submap = feature_submap0(v->domain);
	return copy_to_guest(v, arg, &f, sizeof(f)) ? -EFAULT : 0;
}

static long compile_info(struct vcpu *v, u64 arg)
{
	struct xen_compile_info ci;

	memset(&ci, 0, sizeof(ci));
	strlcpy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler));
	strlcpy(ci.compile_by, "keel", sizeof(ci.compile_by));
	/* No date: the build stays reproducible. */
	return copy_to_guest(v, arg, &ci, sizeof(ci)) ? -EFAULT : 0;
}

long do_xen_version(struct vcpu *v, const u64 *args)
{
	u64 arg = args[1];

	switch (args[0]) {
	case XENVER_version:
		return KEEL_XEN_ABI_VERSION;
	case XENVER_extraversion:
		return put_string(v, arg, ".0-keel", XENVER_EXTRAVERSION_LEN);
	case XENVER_compile_info:
		return compile_info(v, arg);
	case XENVER_capabilities:
		return put_string(v, arg, "hvm-3.0-x86_64", XENVER_CAPABILITIES_LEN);
	case XENVER_changeset:
		return put_string(v, arg, "keel", XENVER_CHANGESET_LEN);
	case XENVER_platform_parameters: {
		/* PVH: Keel takes no part of the guest's virtual address space. */
		struct xen_platform_parameters p = {.virt_start = 0};

		return copy_to_guest(v, arg, &p, sizeof(p)) ? -EFAULT : 0;
	}
	case XENVER_get_features:
		return get_features(v, arg);
	case XENVER_pagesize:
		return 4096;
	case XENVER_guest_handle: {
		/* Keel's domains have no toolstack UUID: the handle is all zeroes. */
		u8 handle[XENVER_GUEST_HANDLE_LEN] = {0};

		return copy_to_guest(v, arg, handle, sizeof(handle)) ? -EFAULT : 0;
	}
	case XENVER_commandline:
		if (!v->domain->privileged)
			return -EPERM;
		return put_string(v, arg, keel_cmdline, XENVER_COMMANDLINE_LEN);
	case XENVER_build_id:
		/* Keel is linked without a build-id note: dom0 learns there is none. */
		return v->domain->privileged ? -ENODATA : -EPERM;
	default:
		return -ENOSYS;
	}
}
