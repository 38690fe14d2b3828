/* libkeel: checks a PVH kernel's ELF64 image (headers, segments, the entry note) from a file. */
#include "elf_image.h"
#include "errf.h"

#include <string.h>

#define PT_LOAD		  1
#define PT_NOTE		  4
#define EM_X86_64	  62
#define ET_EXEC		  2
#define NOTE_PHYS32_ENTRY 18
#define LOW_4G		  (1ULL << 32)

/* [off, off + n) lies inside a file of @len bytes (no overflow). */
static int inside(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The PHYS32_ENTRY note of owner "Xen" in the note segment [p, p + n), or 0. */
static int find_entry(const uint8_t *p, uint64_t n, uint32_t *entry)
{
	uint64_t at = 0;

	while (n - at >= 12) {
		uint64_t namesz = rd32(p + at), descsz = rd32(p + at + 4);
		uint32_t type = rd32(p + at + 8);
		uint64_t name = at + 12, desc = name + ((namesz + 3) & ~3ULL);
		uint64_t next = desc + ((descsz + 3) & ~3ULL);

		if (desc > n || next > n || descsz > n)
			return -1;
		if (type == NOTE_PHYS32_ENTRY && namesz == 4 && !memcmp(p + name, "Xen", 4) &&
		    descsz >= 4) {
			*entry = rd32(p + desc);
			return 0;
		}
		at = next;
	}
	return -1;
}

int keel_elf_parse(const void *image, size_t len, struct keel_elf_image *out, char *why,
		   size_t why_len)
{
	const uint8_t *img = image;
	struct keel_elf64_ehdr eh;
	int have_entry = 0;

	memset(out, 0, sizeof(*out));
	out->lo = UINT64_MAX;
	if (len < sizeof(eh))
		return keel_errf(why, why_len, "%zu bytes: too short for an ELF header", len);
	memcpy(&eh, img, sizeof(eh));
	if (memcmp(eh.ident, "\177ELF", 4))
		return keel_errf(why, why_len, "not an ELF file (no \\177ELF magic)");
	if (eh.ident[4] != 2 || eh.ident[5] != 1)
		return keel_errf(why, why_len, "not a little-endian ELF64 file");
	if (eh.machine != EM_X86_64 || eh.type != ET_EXEC)
		return keel_errf(why, why_len, "not an x86-64 executable (machine %u, type %u)",
				 eh.machine, eh.type);
	if (eh.phentsize != sizeof(struct keel_elf64_phdr) || !eh.phnum ||
	    !inside(eh.phoff, (uint64_t)eh.phnum * sizeof(struct keel_elf64_phdr), len))
		return keel_errf(why, why_len, "program headers outside the file or malformed");
	for (unsigned int i = 0; i < eh.phnum; i++) {
		struct keel_elf64_phdr ph;
		struct keel_elf_segment *s;

		memcpy(&ph, img + eh.phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (!inside(ph.offset, ph.filesz, len))
			return keel_errf(
			    why, why_len, "segment %u: bytes %#llx+%#llx outside the file", i,
			    (unsigned long long)ph.offset, (unsigned long long)ph.filesz);
		if (ph.type == PT_NOTE && !have_entry)
			have_entry = !find_entry(img + ph.offset, ph.filesz, &out->entry);
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		if (ph.filesz > ph.memsz || ph.paddr >= LOW_4G || ph.memsz > LOW_4G - ph.paddr)
			return keel_errf(why, why_len, "segment %u: %#llx+%#llx is not below 4 GiB",
					 i, (unsigned long long)ph.paddr,
					 (unsigned long long)ph.memsz);
		if (out->nr_segments == KEEL_ELF_MAX_SEGMENTS)
			return keel_errf(why, why_len, "more than %u loadable segments",
					 KEEL_ELF_MAX_SEGMENTS);
		for (unsigned int j = 0; j < out->nr_segments; j++) {
			const struct keel_elf_segment *o = &out->segments[j];

			if (ph.paddr < o->paddr + o->memsz && o->paddr < ph.paddr + ph.memsz)
				return keel_errf(why, why_len, "segment %u overlaps segment %u", i,
						 j);
		}
		s = &out->segments[out->nr_segments++];
		s->paddr = ph.paddr;
		s->offset = ph.offset;
		s->filesz = ph.filesz;
		s->memsz = ph.memsz;
		if (ph.paddr < out->lo)
			out->lo = ph.paddr;
		if (ph.paddr + ph.memsz > out->hi)
			out->hi = ph.paddr + ph.memsz;
	}
	if (!out->nr_segments)
		return keel_errf(why, why_len, "no loadable segment");
	if (!have_entry)
		return keel_errf(why, why_len,
				 "no PVH entry note (owner Xen, type 18): not a PVH kernel");
	for (unsigned int j = 0; j < out->nr_segments; j++) {
		const struct keel_elf_segment *s = &out->segments[j];

		if (out->entry >= s->paddr && out->entry < s->paddr + s->memsz)
			return 0;
	}
	return keel_errf(why, why_len, "the PVH entry %#x is in no loaded segment", out->entry);
}
