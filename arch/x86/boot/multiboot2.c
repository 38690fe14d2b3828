/* Multiboot2 boot-information parser: validates GRUB's tag list into a struct boot_info. */
#include <keel/bootinfo.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/multiboot2.h>
#include <keel/printk.h>
#include <keel/string.h>

#define MB2_RSDP_V1_LEN 20
#define MB2_RSDP_V2_LEN 36

BUILD_BUG_ON(MB2_RSDP_V2_LEN > BOOT_RSDP_MAX);
BUILD_BUG_ON(sizeof(struct mb2_mmap_entry) != 24);

struct mb2_state {
	unsigned int memmap_dropped; /* entries beyond BOOT_MAX_MEMMAP */
	unsigned int modules_dropped;
};

/* The block may sit at any address in a fuzzer or test: read fields without alignment UB. */
static u32 mb2_read32(const u8 *p)
{
	u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static u64 mb2_read64(const u8 *p)
{
	u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* Copy the string field [@src, @src + @len) into @dst[@size], truncating safely. */
static void mb2_copy_string(char *dst, size_t size, const u8 *src, size_t len, const char *what)
{
	size_t n = strnlen((const char *)src, len);

	if (n == len && len)
		pr_warn("mb2: %s is not NUL-terminated within its tag, cut at the tag end", what);
	if (n >= size) {
		pr_warn("mb2: %s is longer than %zu bytes, truncated", what, size - 1);
		n = size - 1;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void mb2_parse_module(const u8 *tag, u32 size, struct boot_info *out, struct mb2_state *st)
{
	u32 start = mb2_read32(tag + 8), end = mb2_read32(tag + 12);
	struct boot_module *mod;

	if (end < start) {
		pr_warn("mb2: module at %#x ends before it starts (%#x), ignored", start, end);
		return;
	}
	if (out->nr_modules == BOOT_MAX_MODULES) {
		st->modules_dropped++;
		return;
	}
	mod = &out->modules[out->nr_modules++];
	mod->start = start;
	mod->end = end;
	mb2_copy_string(mod->cmdline, sizeof(mod->cmdline), tag + 16, size - 16,
			"module command line");
}

static int mb2_parse_mmap(const u8 *tag, u32 size, struct boot_info *out, struct mb2_state *st)
{
	u32 entry_size = mb2_read32(tag + 8);
	size_t off;

	if (entry_size < sizeof(struct mb2_mmap_entry)) {
		pr_err("mb2: memory map entry size %u is below %zu", entry_size,
		       sizeof(struct mb2_mmap_entry));
		return -EINVAL;
	}
	if ((size - 16) % entry_size)
		pr_warn("mb2: memory map tag has %u stray trailing bytes, ignored",
			(size - 16) % entry_size);
	for (off = 16; off + entry_size <= size; off += entry_size) {
		u64 base = mb2_read64(tag + off), len = mb2_read64(tag + off + 8);
		u32 type = mb2_read32(tag + off + 16);
		struct boot_mem_range *r;

		if (!len)
			continue;
		if (base + len < base) {
			pr_warn("mb2: memory range at %#llx (%#llx bytes) wraps around, clipped",
				(unsigned long long)base, (unsigned long long)len);
			len = ~0ULL - base;
			if (!len)
				continue;
		}
		if (out->nr_memmap == BOOT_MAX_MEMMAP) {
			st->memmap_dropped++;
			continue;
		}
		r = &out->memmap[out->nr_memmap++];
		r->start = base;
		r->size = len;
		r->type = type;
	}
	return 0;
}

static void mb2_parse_rsdp(const u8 *tag, u32 size, struct boot_info *out, u32 want)
{
	if (size - 8 < want) {
		pr_warn("mb2: ACPI RSDP tag holds %u bytes, %u needed: ignored", size - 8, want);
		return;
	}
	/* A v2+ RSDP (from the ACPI_NEW tag) is preferred whatever the tag order. */
	if (out->rsdp_len > want)
		return;
	memcpy(out->rsdp, tag + 8, want);
	out->rsdp_len = want;
}

/* Handle one tag whose header was validated: @size >= 8 bytes at @tag are readable. */
static int mb2_parse_tag(const u8 *tag, u32 type, u32 size, struct boot_info *out,
			 struct mb2_state *st)
{
	u32 min_size = 8;

	if (type == MB2_TAG_MODULE || type == MB2_TAG_MMAP)
		min_size = 16;
	if (size < min_size) {
		pr_err("mb2: tag %u is %u bytes, below its minimum of %u", type, size, min_size);
		return -EINVAL;
	}
	switch (type) {
	case MB2_TAG_CMDLINE:
		mb2_copy_string(out->cmdline, sizeof(out->cmdline), tag + 8, size - 8,
				"command line");
		return 0;
	case MB2_TAG_LOADER_NAME:
		mb2_copy_string(out->loader_name, sizeof(out->loader_name), tag + 8, size - 8,
				"boot loader name");
		return 0;
	case MB2_TAG_MODULE:
		mb2_parse_module(tag, size, out, st);
		return 0;
	case MB2_TAG_MMAP:
		return mb2_parse_mmap(tag, size, out, st);
	case MB2_TAG_ACPI_OLD:
		mb2_parse_rsdp(tag, size, out, MB2_RSDP_V1_LEN);
		return 0;
	case MB2_TAG_ACPI_NEW:
		mb2_parse_rsdp(tag, size, out, MB2_RSDP_V2_LEN);
		return 0;
	default:
		return 0; /* not needed by Keel */
	}
}

/* Sort the memory map by start (insertion sort: at most BOOT_MAX_MEMMAP entries, stable). */
static void mb2_sort_memmap(struct boot_info *out)
{
	unsigned int i, j;

	for (i = 1; i < out->nr_memmap; i++) {
		struct boot_mem_range r = out->memmap[i];

		for (j = i; j > 0 && out->memmap[j - 1].start > r.start; j--)
			out->memmap[j] = out->memmap[j - 1];
		out->memmap[j] = r;
	}
}

/* On the sorted map: compare each range with the earlier one reaching furthest. */
static void mb2_check_overlaps(const struct boot_info *out)
{
	unsigned int i, far = 0;

	for (i = 1; i < out->nr_memmap; i++) {
		const struct boot_mem_range *a = &out->memmap[far], *b = &out->memmap[i];

		if (a->start + a->size > b->start)
			pr_warn(
			    "mb2: memory ranges [%#llx-%#llx) type %u and [%#llx-%#llx) type %u overlap",
			    (unsigned long long)a->start, (unsigned long long)(a->start + a->size),
			    a->type, (unsigned long long)b->start,
			    (unsigned long long)(b->start + b->size), b->type);
		if (b->start + b->size > a->start + a->size)
			far = i;
	}
}

int mb2_parse(const void *mbi, size_t max_len, struct boot_info *out)
{
	const u8 *base = mbi;
	struct mb2_state st = {0, 0};
	size_t total, off;
	u32 type, size;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!mbi || max_len < sizeof(struct mb2_info_header) + sizeof(struct mb2_tag)) {
		pr_err("mb2: no boot information block (%zu bytes readable)", mbi ? max_len : 0);
		return -EINVAL;
	}
	total = mb2_read32(base);
	if (total < sizeof(struct mb2_info_header) + sizeof(struct mb2_tag) || total > max_len) {
		pr_err("mb2: total_size %zu outside [16, %zu]", total, max_len);
		return -EINVAL;
	}
	for (off = sizeof(struct mb2_info_header);; off += ALIGN_UP((size_t)size, MB2_TAG_ALIGN)) {
		if (off > total || total - off < sizeof(struct mb2_tag)) {
			pr_err("mb2: no end tag within total_size %zu", total);
			goto fail;
		}
		type = mb2_read32(base + off);
		size = mb2_read32(base + off + 4);
		if (size < sizeof(struct mb2_tag) || size > total - off) {
			pr_err("mb2: tag %u at offset %zu has bad size %u (total_size %zu)", type,
			       off, size, total);
			goto fail;
		}
		if (type == MB2_TAG_END)
			break;
		rc = mb2_parse_tag(base + off, type, size, out, &st);
		if (rc < 0)
			goto fail;
	}

	if (st.memmap_dropped)
		pr_warn("mb2: memory map has more than %d ranges, %u dropped", BOOT_MAX_MEMMAP,
			st.memmap_dropped);
	if (st.modules_dropped)
		pr_warn("mb2: more than %d modules, %u ignored", BOOT_MAX_MODULES,
			st.modules_dropped);
	if (!out->nr_memmap)
		pr_warn("mb2: the boot loader gave no memory map");
	mb2_sort_memmap(out);
	mb2_check_overlaps(out);
	return 0;

fail:
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}
