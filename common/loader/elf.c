/* PVH kernel ELF loader: validate headers, segments and the Xen entry note; load via callbacks. */
#include <keel/compiler.h>
#include <keel/elf_loader.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <public/start_info.h>

/* ELF facts (System V gABI and the x86 psABIs). */
#define ELFCLASS32    1
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC	      2
#define EM_386	      3
#define EM_X86_64     62
#define PT_LOAD	      1
#define PT_NOTE	      4
#define SHT_NOTE      7
#define PN_XNUM	      0xffff
#define EHDR32_SIZE   52
#define EHDR64_SIZE   64
#define PHDR32_SIZE   32
#define PHDR64_SIZE   56
#define SHDR32_SIZE   40
#define SHDR64_SIZE   64
#define NOTE_HDR_SIZE 12
#define XEN_NOTE_NAME PVH_ELFNOTE_OWNER /* namesz 4, with its NUL */
#define FOUR_GIB      (1ULL << 32)

/* The header fields used, whatever the class. */
struct elf_hdr {
	u16 type, machine, ehsize, phentsize, phnum, shentsize, shnum;
	u64 phoff, shoff;
};

struct elf_phdr {
	u32 type;
	u64 offset, paddr, filesz, memsz, align;
};

struct elf_walk {
	const u8 *img;
	size_t size;
	bool is64;
	char *err;
	size_t errlen;
	unsigned int notes_left; /* budget over every note area */
	bool have_entry;
	u64 entry;
};

static int __printf(2, 3) elf_fail(struct elf_walk *w, const char *fmt, ...)
{
	if (w->err && w->errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(w->err, w->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Little-endian reads at any alignment; callers have bounds-checked @off. */
static u64 rd_le(const u8 *p, size_t off, unsigned int bytes)
{
	u64 v = 0;

	while (bytes--)
		v = (v << 8) | p[off + bytes];
	return v;
}

#define RD16(p, o) ((u16)rd_le((p), (o), 2))
#define RD32(p, o) ((u32)rd_le((p), (o), 4))
#define RD64(p, o) rd_le((p), (o), 8)
/* A class-sized address/offset field. */
#define RDW(w, p, o) ((w)->is64 ? RD64((p), (o)) : (u64)RD32((p), (o)))

/* Whether [off, off + len) lies inside the image, without overflow. */
static bool in_file(const struct elf_walk *w, u64 off, u64 len)
{
	return off <= w->size && len <= w->size - off;
}

static int read_ehdr(struct elf_walk *w, struct elf_hdr *h)
{
	const u8 *p = w->img;
	unsigned int ehsize;

	if (w->size < 16 || p[0] != 0x7f || p[1] != 'E' || p[2] != 'L' || p[3] != 'F')
		return elf_fail(w, "not an ELF file (bad magic)");
	if (p[4] != ELFCLASS32 && p[4] != ELFCLASS64)
		return elf_fail(w, "ELF class %u unknown (need 1 = 32-bit or 2 = 64-bit)", p[4]);
	if (p[5] != ELFDATA2LSB)
		return elf_fail(w, "ELF data encoding %u: only little-endian (1) is supported",
				p[5]);
	if (p[6] != EV_CURRENT)
		return elf_fail(w, "ELF version %u unknown (need 1)", p[6]);
	w->is64 = p[4] == ELFCLASS64;
	ehsize = w->is64 ? EHDR64_SIZE : EHDR32_SIZE;
	if (w->size < ehsize)
		return elf_fail(w, "truncated: %zu bytes, the ELF header needs %u", w->size,
				ehsize);

	h->type = RD16(p, 16);
	h->machine = RD16(p, 18);
	h->phoff = RDW(w, p, w->is64 ? 32 : 28);
	h->shoff = RDW(w, p, w->is64 ? 40 : 32);
	h->ehsize = RD16(p, w->is64 ? 52 : 40);
	h->phentsize = RD16(p, w->is64 ? 54 : 42);
	h->phnum = RD16(p, w->is64 ? 56 : 44);
	h->shentsize = RD16(p, w->is64 ? 58 : 46);
	h->shnum = RD16(p, w->is64 ? 60 : 48);

	if (h->type != ET_EXEC)
		return elf_fail(w, "ELF type %u is not an executable (ET_EXEC = 2)", h->type);
	/* ELF32 may say i386 or x86-64: 64-bit kernels linked as ELF32 for a PVH entry do. */
	if (w->is64 ? h->machine != EM_X86_64 : h->machine != EM_386 && h->machine != EM_X86_64)
		return elf_fail(w, "ELF%d machine %u is not %s", w->is64 ? 64 : 32, h->machine,
				w->is64 ? "x86-64 (62)" : "i386 (3) or x86-64 (62)");
	if (h->ehsize < ehsize)
		return elf_fail(w, "e_ehsize %u is below %u", h->ehsize, ehsize);
	if (h->phnum == 0 || h->phnum == PN_XNUM)
		return elf_fail(w, "%u program headers: need 1..%u", h->phnum, PN_XNUM - 1);
	if (h->phentsize < (w->is64 ? PHDR64_SIZE : PHDR32_SIZE))
		return elf_fail(w, "e_phentsize %u is below %u", h->phentsize,
				w->is64 ? PHDR64_SIZE : PHDR32_SIZE);
	if (!in_file(w, h->phoff, (u64)h->phnum * h->phentsize))
		return elf_fail(w,
				"program headers (offset 0x%llx, %u x %u bytes) end past the file",
				h->phoff, h->phnum, h->phentsize);
	return 0;
}

static void read_phdr(const struct elf_walk *w, const struct elf_hdr *h, unsigned int i,
		      struct elf_phdr *ph)
{
	const u8 *p = w->img + h->phoff + (u64)i * h->phentsize;

	ph->type = RD32(p, 0);
	if (w->is64) {
		ph->offset = RD64(p, 8);
		ph->paddr = RD64(p, 24);
		ph->filesz = RD64(p, 32);
		ph->memsz = RD64(p, 40);
		ph->align = RD64(p, 48);
	} else {
		ph->offset = RD32(p, 4);
		ph->paddr = RD32(p, 12);
		ph->filesz = RD32(p, 16);
		ph->memsz = RD32(p, 20);
		ph->align = RD32(p, 28);
	}
}

static u64 note_pad(u64 n, unsigned int align)
{
	return (n + align - 1) & ~(u64)(align - 1);
}

/* Take a Xen PHYS32_ENTRY note's descriptor. */
static int take_entry(struct elf_walk *w, const u8 *desc, u32 descsz, const char *where)
{
	u64 entry;

	if (descsz != 4 && descsz != 8)
		return elf_fail(w, "%s: PHYS32_ENTRY note has %u bytes (need 4 or 8)", where,
				descsz);
	entry = descsz == 4 ? RD32(desc, 0) : RD64(desc, 0);
	if (entry >= FOUR_GIB)
		return elf_fail(w, "%s: PHYS32_ENTRY 0x%llx is above 4 GiB", where, entry);
	if (w->have_entry && w->entry != entry)
		return elf_fail(w, "%s: two PHYS32_ENTRY notes disagree (0x%llx, 0x%llx)", where,
				w->entry, entry);
	w->have_entry = true;
	w->entry = entry;
	return 0;
}

/* Walk the notes in [off, off + len) of the file (already bounds-checked), @align 4 or 8. */
static int walk_notes(struct elf_walk *w, u64 off, u64 len, unsigned int align, const char *where)
{
	u64 pos = 0;

	while (len - pos >= NOTE_HDR_SIZE) {
		const u8 *n = w->img + off + pos;
		u32 namesz = RD32(n, 0), descsz = RD32(n, 4), type = RD32(n, 8);
		u64 name_room = note_pad(namesz, align), left = len - pos - NOTE_HDR_SIZE;
		const u8 *name = n + NOTE_HDR_SIZE;

		if (!w->notes_left--)
			return elf_fail(w, "more than %d ELF notes", ELF_PVH_MAX_NOTES);
		if (name_room > left || descsz > left - name_room)
			return elf_fail(w, "%s: note at +0x%llx (namesz %u, descsz %u) overruns it",
					where, pos, namesz, descsz);
		if (namesz == sizeof(XEN_NOTE_NAME) &&
		    memcmp(name, XEN_NOTE_NAME, sizeof(XEN_NOTE_NAME)) == 0 &&
		    type == PVH_ELFNOTE_PHYS32_ENTRY) {
			int rc = take_entry(w, name + name_room, descsz, where);

			if (rc)
				return rc;
		}
		/* The last note's descriptor padding may be cut off by the area's end. */
		pos += NOTE_HDR_SIZE + name_room + MIN(note_pad(descsz, align), left - name_room);
	}
	return 0;
}

/* PVH kernels built without PT_NOTE: look through SHT_NOTE sections. */
static int walk_section_notes(struct elf_walk *w, const struct elf_hdr *h)
{
	unsigned int shsize = w->is64 ? SHDR64_SIZE : SHDR32_SIZE, i;

	if (h->shoff == 0 || h->shnum == 0)
		return 0;
	if (h->shentsize < shsize)
		return elf_fail(w, "e_shentsize %u is below %u", h->shentsize, shsize);
	if (!in_file(w, h->shoff, (u64)h->shnum * h->shentsize))
		return elf_fail(w,
				"section headers (offset 0x%llx, %u x %u bytes) end past the file",
				h->shoff, h->shnum, h->shentsize);
	for (i = 0; i < h->shnum; i++) {
		const u8 *s = w->img + h->shoff + (u64)i * h->shentsize;
		u64 off = RDW(w, s, w->is64 ? 24 : 16), len = RDW(w, s, w->is64 ? 32 : 20);
		u64 align = RDW(w, s, w->is64 ? 48 : 32);
		int rc;

		if (RD32(s, 4) != SHT_NOTE)
			continue;
		if (!in_file(w, off, len))
			return elf_fail(w,
					"SHT_NOTE section %u (offset 0x%llx, 0x%llx bytes) ends "
					"past the file",
					i, off, len);
		rc = walk_notes(w, off, len, align == 8 ? 8 : 4, "SHT_NOTE section");
		if (rc)
			return rc;
	}
	return 0;
}

static int add_segment(struct elf_walk *w, struct elf_pvh_info *out, unsigned int i,
		       const struct elf_phdr *ph)
{
	struct elf_pvh_segment *seg;
	unsigned int j;

	if (ph->filesz > ph->memsz)
		return elf_fail(w, "PT_LOAD %u: filesz 0x%llx > memsz 0x%llx", i, ph->filesz,
				ph->memsz);
	if (!in_file(w, ph->offset, ph->filesz))
		return elf_fail(w,
				"PT_LOAD %u: file bytes (offset 0x%llx, 0x%llx bytes) end past "
				"the file",
				i, ph->offset, ph->filesz);
	if (ph->memsz > (w->is64 ? ~0ULL : FOUR_GIB) - ph->paddr)
		return elf_fail(w, "PT_LOAD %u: paddr 0x%llx + memsz 0x%llx overflows", i,
				ph->paddr, ph->memsz);
	if (ph->memsz == 0)
		return 0;
	for (j = 0; j < out->nr_segments; j++) {
		const struct elf_pvh_segment *o = &out->segments[j];

		if (ph->paddr < o->paddr + o->memsz && o->paddr < ph->paddr + ph->memsz)
			return elf_fail(w,
					"PT_LOAD %u (paddr 0x%llx) overlaps an earlier segment at "
					"0x%llx",
					i, ph->paddr, o->paddr);
	}
	if (out->nr_segments == ELF_PVH_MAX_SEGMENTS)
		return elf_fail(w, "more than %d PT_LOAD segments", ELF_PVH_MAX_SEGMENTS);
	seg = &out->segments[out->nr_segments++];
	seg->paddr = ph->paddr;
	seg->offset = ph->offset;
	seg->filesz = ph->filesz;
	seg->memsz = ph->memsz;
	out->paddr_lo = MIN(out->paddr_lo, ph->paddr);
	out->paddr_hi = MAX(out->paddr_hi, ph->paddr + ph->memsz);
	return 0;
}

/* The entry must land in a loaded segment. */
static bool entry_loaded(const struct elf_pvh_info *info)
{
	unsigned int i;

	for (i = 0; i < info->nr_segments; i++) {
		const struct elf_pvh_segment *s = &info->segments[i];

		if (info->entry >= s->paddr && info->entry - s->paddr < s->memsz)
			return true;
	}
	return false;
}

int elf_pvh_inspect(const void *image, size_t size, struct elf_pvh_info *out, char *err,
		    size_t errlen)
{
	struct elf_walk w = {.img = image,
			     .size = size,
			     .err = err,
			     .errlen = errlen,
			     .notes_left = ELF_PVH_MAX_NOTES};
	struct elf_hdr h = {0};
	struct elf_phdr ph = {0};
	unsigned int i;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->paddr_lo = ~0ULL;
	if (!image)
		return elf_fail(&w, "no image");
	rc = read_ehdr(&w, &h);
	if (rc)
		return rc;

	for (i = 0; i < h.phnum; i++) {
		read_phdr(&w, &h, i, &ph);
		if (ph.type == PT_LOAD) {
			rc = add_segment(&w, out, i, &ph);
		} else if (ph.type == PT_NOTE) {
			if (!in_file(&w, ph.offset, ph.filesz))
				return elf_fail(&w,
						"PT_NOTE %u (offset 0x%llx, 0x%llx bytes) ends "
						"past the file",
						i, ph.offset, ph.filesz);
			rc = walk_notes(&w, ph.offset, ph.filesz, ph.align == 8 ? 8 : 4, "PT_NOTE");
		}
		if (rc)
			return rc;
	}
	if (out->nr_segments == 0)
		return elf_fail(&w, "no PT_LOAD segment with memsz > 0");
	if (!w.have_entry) {
		rc = walk_section_notes(&w, &h);
		if (rc)
			return rc;
	}
	if (!w.have_entry)
		return elf_fail(&w, "no XEN_ELFNOTE_PHYS32_ENTRY note: not a PVH kernel");
	out->elf_class = w.is64 ? 64 : 32;
	out->entry = (u32)w.entry;
	out->image_size = size;
	if (!entry_loaded(out))
		return elf_fail(&w, "PHYS32_ENTRY 0x%x is outside every PT_LOAD segment",
				out->entry);
	return 0;
}

int elf_pvh_load(const void *image, const struct elf_pvh_info *info,
		 int (*write)(void *ctx, u64 gpa, const void *src, size_t len),
		 int (*zero)(void *ctx, u64 gpa, size_t len), void *ctx)
{
	const u8 *img = image;
	unsigned int i;
	int rc;

	if (!image || !info || !write || !zero || info->nr_segments > ELF_PVH_MAX_SEGMENTS)
		return -EINVAL;
	for (i = 0; i < info->nr_segments; i++) {
		const struct elf_pvh_segment *s = &info->segments[i];

		/* @info came from elf_pvh_inspect on this image: re-check rather than trust. */
		if (s->filesz > s->memsz || s->offset > info->image_size ||
		    s->filesz > info->image_size - s->offset)
			return -EINVAL;
		if (s->filesz) {
			rc = write(ctx, s->paddr, img + s->offset, (size_t)s->filesz);
			if (rc)
				return rc;
		}
		if (s->memsz > s->filesz) {
			rc = zero(ctx, s->paddr + s->filesz, (size_t)(s->memsz - s->filesz));
			if (rc)
				return rc;
		}
	}
	return 0;
}
