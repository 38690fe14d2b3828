/* PVH start info: the guest memory map and the start-of-day block a PVH guest finds at EBX. */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>
#include <keel/pvh_info.h>
#include <keel/string.h>

#define PVH_PAGE_SIZE  4096ULL
#define PVH_MIN_MEM    (1ULL << 20) /* RAM below 1 MiB is mandatory (real-mode trampoline) */
#define PVH_MAX_MEM    (1ULL << 46) /* far below any address overflow */
#define PVH_STRING_MAX 4096	    /* a command line, with its NUL */
#define FOUR_GIB       0x100000000ULL

BUILD_BUG_ON(PVH_SPECIAL_PAGES_GPA < PVH_LOWMEM_TOP);
BUILD_BUG_ON(PVH_SPECIAL_PAGES_GPA + PVH_SPECIAL_PAGES * PVH_PAGE_SIZE > FOUR_GIB);
BUILD_BUG_ON(GUEST_ACPI_GPA < PVH_LOWMEM_TOP);
BUILD_BUG_ON(GUEST_ACPI_GPA + GUEST_ACPI_SIZE > PVH_SPECIAL_PAGES_GPA);

static bool mem_size_ok(u64 mem_bytes)
{
	return mem_bytes >= PVH_MIN_MEM && mem_bytes <= PVH_MAX_MEM &&
	       IS_ALIGNED(mem_bytes, PVH_PAGE_SIZE);
}

static u64 low_ram_end(u64 mem_bytes)
{
	return MIN(mem_bytes, PVH_LOWMEM_TOP);
}

/* One past the last byte of RAM above 4 GiB; PVH_HIGHMEM_BASE when there is none. */
static u64 high_ram_end(u64 mem_bytes)
{
	return PVH_HIGHMEM_BASE + (mem_bytes - low_ram_end(mem_bytes));
}

static void set_entry(struct pvh_memmap_entry *e, u64 addr, u64 size, u32 type)
{
	e->addr = addr;
	e->size = size;
	e->type = type;
	e->reserved = 0;
}

int pvh_guest_memmap(u64 mem_bytes, struct pvh_memmap_entry *out, unsigned int max)
{
	unsigned int n = mem_bytes > PVH_LOWMEM_TOP ? 4 : 3;

	if (!mem_size_ok(mem_bytes))
		return -EINVAL;
	if (!out || max < n)
		return -ENOSPC;
	set_entry(&out[0], 0, low_ram_end(mem_bytes), PVH_MEMMAP_RAM);
	/* The guest ACPI tables (keel/guest_acpi.h): ACPI data, so Linux maps and keeps them. */
	set_entry(&out[1], GUEST_ACPI_GPA, GUEST_ACPI_SIZE, PVH_MEMMAP_ACPI);
	set_entry(&out[2], PVH_SPECIAL_PAGES_GPA, PVH_SPECIAL_PAGES * PVH_PAGE_SIZE,
		  PVH_MEMMAP_RESERVED);
	if (n == 4)
		set_entry(&out[3], PVH_HIGHMEM_BASE, high_ram_end(mem_bytes) - PVH_HIGHMEM_BASE,
			  PVH_MEMMAP_RAM);
	return (int)n;
}

int pvh_guest_memmap_holes(u64 mem_bytes, const struct pvh_memmap_entry *holes,
			   unsigned int nr_holes, struct pvh_memmap_entry *out, unsigned int max)
{
	struct pvh_memmap_entry std[PVH_MEMMAP_MAX], sorted[PVH_MAX_HOLES];
	int nr_std = pvh_guest_memmap(mem_bytes, std, PVH_MEMMAP_MAX);
	unsigned int n = 0;
	u64 at = 0;

	if (nr_std < 0)
		return nr_std;
	if (nr_holes > PVH_MAX_HOLES || (nr_holes && !holes))
		return -EINVAL;
	/* Sorted by address (insertion sort: a handful), each inside low RAM, none overlapping. */
	for (unsigned int i = 0; i < nr_holes; i++) {
		unsigned int j = i;

		if (!holes[i].size || !IS_ALIGNED(holes[i].addr, PVH_PAGE_SIZE) ||
		    !IS_ALIGNED(holes[i].size, PVH_PAGE_SIZE) ||
		    holes[i].addr + holes[i].size > low_ram_end(mem_bytes) ||
		    holes[i].addr + holes[i].size < holes[i].addr)
			return -EINVAL;
		while (j && sorted[j - 1].addr > holes[i].addr) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = holes[i];
	}
	for (unsigned int i = 1; i < nr_holes; i++)
		if (sorted[i - 1].addr + sorted[i - 1].size > sorted[i].addr)
			return -EINVAL;
	/* Low RAM with the holes cut out of it, then the rest of the standard map. */
	for (unsigned int i = 0; i <= nr_holes; i++) {
		u64 end = i < nr_holes ? sorted[i].addr : std[0].size;

		if (end > at) {
			if (n == max)
				return -ENOSPC;
			set_entry(&out[n++], at, end - at, PVH_MEMMAP_RAM);
		}
		if (i < nr_holes) {
			if (n == max)
				return -ENOSPC;
			set_entry(&out[n++], sorted[i].addr, sorted[i].size, PVH_MEMMAP_RESERVED);
			at = sorted[i].addr + sorted[i].size;
		}
	}
	for (int i = 1; i < nr_std; i++) {
		if (n == max)
			return -ENOSPC;
		out[n++] = std[i];
	}
	return (int)n;
}

bool pvh_range_is_ram(u64 mem_bytes, u64 gpa, u64 len)
{
	if (!mem_size_ok(mem_bytes) || len == 0 || len > ~0ULL - gpa)
		return false;
	if (gpa + len <= low_ram_end(mem_bytes))
		return true;
	return gpa >= PVH_HIGHMEM_BASE && gpa + len <= high_ram_end(mem_bytes);
}

bool pvh_map_range_is_ram(const struct pvh_memmap_entry *map, unsigned int n, u64 gpa, u64 len)
{
	if (len == 0 || len > ~0ULL - gpa)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (map[i].type == PVH_MEMMAP_RAM && gpa >= map[i].addr &&
		    gpa + len <= map[i].addr + map[i].size)
			return true;
	return false;
}

/* Whether [gpa, gpa + len) is RAM for the guest @p describes. */
static bool params_range_is_ram(const struct pvh_start_params *p, u64 gpa, u64 len)
{
	return p->map ? pvh_map_range_is_ram(p->map, p->nr_map, gpa, len)
		      : pvh_range_is_ram(p->mem_bytes, gpa, len);
}

/* Length with the NUL (0 for none), or -EINVAL when too long. */
static int string_room(const char *s)
{
	size_t len;

	if (!s || !*s)
		return 0;
	len = strnlen(s, PVH_STRING_MAX);
	return len >= PVH_STRING_MAX ? -EINVAL : (int)len + 1;
}

/* Copy @s (room bytes with its NUL) to @buf + *@off; returns its GPA, 0 for none. */
static u64 put_string(u8 *buf, size_t *off, u64 gpa, const char *s, int room)
{
	u64 at = gpa + *off;

	if (room <= 0)
		return 0;
	memcpy(buf + *off, s, (size_t)room);
	*off += (size_t)room;
	return at;
}

int pvh_build_start_info(const struct pvh_start_params *p, u64 gpa, void *buf, size_t buflen)
{
	struct pvh_memmap_entry std_map[PVH_MEMMAP_MAX];
	const struct pvh_memmap_entry *map = std_map;
	struct pvh_start_info si;
	size_t off, total, map_off, mod_off;
	int nr_map, cmd_room;
	unsigned int i;
	u8 *out = buf;

	if (!p || !buf || (p->nr_modules && !p->modules) || p->nr_modules > PVH_MAX_MODULES ||
	    (p->flags & ~(PVH_SIF_PRIVILEGED | PVH_SIF_INITDOMAIN)) || !IS_ALIGNED(gpa, 8ULL))
		return -EINVAL;
	if (p->map) {
		if (!p->nr_map || p->nr_map > PVH_START_MEMMAP_MAX)
			return -EINVAL;
		map = p->map;
		nr_map = (int)p->nr_map;
	} else {
		nr_map = pvh_guest_memmap(p->mem_bytes, std_map, ARRAY_SIZE(std_map));
		if (nr_map < 0)
			return -EINVAL;
	}
	cmd_room = string_room(p->cmdline);
	if (cmd_room < 0)
		return -EINVAL;

	/* Sizes first: everything is bounded, so the sum cannot overflow. */
	map_off = sizeof(si);
	mod_off = map_off + (size_t)nr_map * sizeof(struct pvh_memmap_entry);
	total = mod_off + p->nr_modules * sizeof(struct pvh_module) + (size_t)cmd_room;
	for (i = 0; i < p->nr_modules; i++) {
		const struct pvh_module_desc *m = &p->modules[i];

		int room = string_room(m->cmdline);

		if (room < 0 || !params_range_is_ram(p, m->paddr, m->size))
			return -EINVAL;
		total += (size_t)room;
	}
	/* The guest reads it with paging off: it must be low RAM, below 4 GiB. */
	if (!params_range_is_ram(p, gpa, total) || gpa + total > FOUR_GIB)
		return -EINVAL;
	if (total > buflen)
		return -ENOSPC;

	memset(out, 0, total);
	memset(&si, 0, sizeof(si));
	si.magic = PVH_START_MAGIC;
	si.version = PVH_START_VERSION;
	si.flags = p->flags;
	si.nr_modules = p->nr_modules;
	si.modlist_paddr = p->nr_modules ? gpa + mod_off : 0;
	si.rsdp_paddr = p->rsdp_paddr;
	si.memmap_paddr = gpa + map_off;
	si.memmap_entries = (u32)nr_map;
	memcpy(out + map_off, map, (size_t)nr_map * sizeof(struct pvh_memmap_entry));

	off = mod_off + p->nr_modules * sizeof(struct pvh_module);
	si.cmdline_paddr = put_string(out, &off, gpa, p->cmdline, cmd_room);
	for (i = 0; i < p->nr_modules; i++) {
		const struct pvh_module_desc *m = &p->modules[i];
		struct pvh_module mod = {.paddr = m->paddr, .size = m->size};

		mod.cmdline_paddr = put_string(out, &off, gpa, m->cmdline, string_room(m->cmdline));
		memcpy(out + mod_off + i * sizeof(mod), &mod, sizeof(mod));
	}
	memcpy(out, &si, sizeof(si));
	return (int)total;
}
