/* Kernel modules as PVH ELFs: an ELF is used in place, a bzImage is decompressed for the build. */
#include <keel/bzimage.h>
#include <keel/errno.h>
#include <keel/kernel_image.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/time.h>

/*
 * Where the decompressed ELF goes: a run of contiguous frames from the frame allocator
 * (frame_alloc_run), reached through the direct map, given back by kernel_image_close as soon as
 * the domain builder has copied the segments into guest RAM. Decompressors want one flat output
 * buffer (back-references reach anywhere behind), and neither the heap (at most one 4 MiB
 * block) nor the domain's own RAM (4 MiB extents, contiguous in guest-physical space only, and
 * the ELF's load range is unknown until it is decompressed) gives one. The cost is a transient
 * peak of the ELF's size (about 50-65 MiB for Debian's 6.1 kernels) on top of the domain's RAM;
 * it is bounded by BZIMAGE_MAX_KERNEL and comes back whole on every path.
 */

static int open_bzimage(const void *module, size_t size, const char *label, struct kernel_image *ki,
			char *err, size_t errlen)
{
	struct bzimage_info bz;
	struct frame_stats st;
	void *work = NULL;
	u64 t0, ms;
	int rc;

	rc = bzimage_inspect(module, size, &bz, err, errlen);
	if (rc)
		return rc;
	ki->buf_frames = PFN_UP((u64)bz.kernel_size);
	ki->buf = frame_alloc_run(ki->buf_frames);
	if (ki->buf == INVALID_PADDR) {
		frames_get_stats(&st);
		snprintf(err, errlen,
			 "bzImage payload (%s) decompresses to %u MiB: no free contiguous run of "
			 "that size (%llu MiB free in all)",
			 bz.format, (bz.kernel_size + (1u << 20) - 1) >> 20,
			 (unsigned long long)(st.free_frames >> (20 - PAGE_SHIFT)));
		return -ENOMEM;
	}
	if (bz.work_size) {
		work = kmalloc(bz.work_size);
		if (!work) {
			snprintf(err, errlen,
				 "bzImage payload (%s): no memory for %zu KiB of "
				 "decompressor state",
				 bz.format, bz.work_size >> 10);
			kernel_image_close(ki);
			return -ENOMEM;
		}
	}
	pr_info("domain: %s: bzImage (boot protocol %u.%02u), %s payload of %llu KiB: "
		"decompressing %u KiB",
		label, bz.protocol >> 8, bz.protocol & 0xff, bz.format, bz.payload_len >> 10,
		bz.kernel_size >> 10);
	t0 = now_ns();
	rc = bzimage_decompress(module, &bz, paddr_to_virt(ki->buf), work, err, errlen);
	ms = (now_ns() - t0) / 1000000;
	kfree(work);
	if (rc) {
		kernel_image_close(ki);
		return rc;
	}
	pr_info("domain: %s: decompressed %s in %llu.%03llu s", label, bz.format, ms / 1000,
		ms % 1000);
	ki->elf = paddr_to_virt(ki->buf);
	ki->elf_size = bz.kernel_size;
	ki->from_bzimage = true;
	return 0;
}

int kernel_image_open(const void *module, size_t size, const char *label, struct kernel_image *ki,
		      char *err, size_t errlen)
{
	const u8 *p = module;

	if (errlen)
		err[0] = '\0';
	memset(ki, 0, sizeof(*ki));
	ki->buf = INVALID_PADDR;
	if (!module) {
		snprintf(err, errlen, "no image");
		return -EINVAL;
	}
	if (bzimage_detect(module, size))
		return open_bzimage(module, size, label, ki, err, errlen);
	if (size < 4 || p[0] != 0x7f || p[1] != 'E' || p[2] != 'L' || p[3] != 'F') {
		snprintf(err, errlen, "not an ELF file nor a Linux bzImage (bad magic)");
		return -EINVAL;
	}
	ki->elf = module;
	ki->elf_size = size;
	return 0;
}

void kernel_image_close(struct kernel_image *ki)
{
	if (ki->buf != INVALID_PADDR)
		frame_free_run(ki->buf, ki->buf_frames);
	memset(ki, 0, sizeof(*ki));
	ki->buf = INVALID_PADDR;
}
