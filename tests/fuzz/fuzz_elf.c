/* libFuzzer target for common/loader/elf.c: raw or patched template images, inspect then load. */
#include <keel/compiler.h>
#include <keel/elf_loader.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <stdlib.h>

/* tests/unit/shim_loader_elf.c */
extern const size_t test_elf_size;
extern const u64 test_elf_default_entry;
size_t test_elf_build(u8 *buf, bool is64, unsigned int note_desc_size, u64 entry,
		      unsigned int flags);

#define GUEST_BUF_MAX (4u << 20) /* segments spanning more are loaded without a backing copy */

struct fuzz_guest {
	const struct elf_pvh_info *info;
	u8 *mem; /* paddr_lo .. paddr_hi, or NULL */
	const u8 *image;
	size_t image_size;
	u64 written;
};

/* The loader must only touch [paddr_lo, paddr_hi), from inside the image. */
static void check_range(struct fuzz_guest *g, u64 gpa, size_t len)
{
	if (len == 0 || gpa < g->info->paddr_lo || gpa > g->info->paddr_hi ||
	    len > g->info->paddr_hi - gpa)
		abort();
}

static int fz_write(void *ctx, u64 gpa, const void *src, size_t len)
{
	struct fuzz_guest *g = ctx;
	const u8 *s = src;

	check_range(g, gpa, len);
	if (s < g->image || len > g->image_size || s > g->image + g->image_size - len)
		abort();
	if (g->mem)
		memcpy(g->mem + (gpa - g->info->paddr_lo), src, len);
	g->written += len;
	return 0;
}

static int fz_zero(void *ctx, u64 gpa, size_t len)
{
	struct fuzz_guest *g = ctx;

	check_range(g, gpa, len);
	if (g->mem)
		memset(g->mem + (gpa - g->info->paddr_lo), 0, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const unsigned int note_sizes[] = {8, 4, 0, 2};
	static struct elf_pvh_info info;
	struct fuzz_guest g = {.info = &info};
	char err[ELF_PVH_ERR_MAX];
	size_t img_size, i;
	u8 *img;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		/* A valid template, then (offset, value) byte patches and a possible truncation. */
		u8 tmpl[0x480];
		bool is64 = data[0] & 2;

		img_size = test_elf_build(tmpl, is64, note_sizes[(data[0] >> 2) & 3],
					  test_elf_default_entry, (data[0] >> 4) & 1);
		if (!is64 && data[0] & 0x40)
			tmpl[18] = 62; /* ELF32 with e_machine x86-64 */
		if (data[0] & 0x20 && size > 1)
			img_size -= data[1] % img_size;
		for (i = 2; i + 2 < size; i += 3) {
			size_t off = (data[i] | (size_t)data[i + 1] << 8) % img_size;

			tmpl[off] = data[i + 2];
		}
		img = malloc(img_size);
		memcpy(img, tmpl, img_size);
	} else {
		img_size = size - 1;
		img = malloc(img_size ? img_size : 1);
		memcpy(img, data + 1, img_size);
	}

	rc = elf_pvh_inspect(img, img_size, &info, err, sizeof(err));
	if (strnlen(err, sizeof(err)) >= sizeof(err) || (rc && (rc != -EINVAL || !err[0])))
		abort();
	if (rc == 0) {
		if (!info.nr_segments || info.nr_segments > ELF_PVH_MAX_SEGMENTS ||
		    info.image_size != img_size || info.paddr_lo >= info.paddr_hi ||
		    (info.elf_class != 32 && info.elf_class != 64))
			abort();
		for (i = 0; i < info.nr_segments; i++) {
			const struct elf_pvh_segment *s = &info.segments[i];

			if (s->filesz > s->memsz || s->offset > img_size ||
			    s->filesz > img_size - s->offset || s->paddr < info.paddr_lo ||
			    s->paddr + s->memsz > info.paddr_hi)
				abort();
		}
		g.image = img;
		g.image_size = img_size;
		if (info.paddr_hi - info.paddr_lo <= GUEST_BUF_MAX)
			g.mem = calloc(1, info.paddr_hi - info.paddr_lo);
		if (elf_pvh_load(img, &info, fz_write, fz_zero, &g))
			abort();
		free(g.mem);
	}
	free(img);
	return 0;
}
