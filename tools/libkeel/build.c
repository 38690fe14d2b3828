/* libkeel: the domain builder: creates a domain and loads a PVH kernel and initrd into it. */
#include "build.h"

#include <errno.h>
#include <public/hvm.h>
#include <public/start_info.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xenforeignmemory.h>

#include "elf_image.h"
#include "kernel_image.h"

#define PAGE 4096ULL

static int fail(struct keel_build *b, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->error, sizeof(b->error), fmt, ap);
	va_end(ap);
	return rc;
}

#define LOW_PAGES  (KEEL_DOMCTL_LOWMEM_TOP / PAGE)
#define HIGH_GFN   (KEEL_DOMCTL_HIGHMEM_BASE / PAGE)
#define MAP_WINDOW 1024 /* pages mapped into the builder at a time */

static uint64_t low_pages(const struct keel_build *b)
{
	return b->mem_pages < LOW_PAGES ? b->mem_pages : LOW_PAGES;
}

/* GFN of the domain's page @i (0 <= i < mem_pages) in Keel's layout. */
static uint64_t nth_gfn(const struct keel_build *b, uint64_t i)
{
	return i < low_pages(b) ? i : HIGH_GFN + (i - low_pages(b));
}

/* @len bytes of @src (NULL: zeros) to the domain's GPA @gpa, through windows of foreign maps. */
static int guest_copy(struct keel_build *b, xenforeignmemory_handle *fmem, uint64_t gpa,
		      const void *src, uint64_t len)
{
	const uint8_t *from = src;

	while (len) {
		uint64_t first = gpa / PAGE, off = gpa % PAGE;
		uint64_t n = (off + len + PAGE - 1) / PAGE, chunk;
		xen_pfn_t gfns[MAP_WINDOW];
		int errs[MAP_WINDOW];
		uint8_t *win;

		if (n > MAP_WINDOW)
			n = MAP_WINDOW;
		for (uint64_t i = 0; i < n; i++)
			gfns[i] = first + i;
		win = xenforeignmemory_map(fmem, b->domid, PROT_READ | PROT_WRITE, n, gfns, errs);
		if (!win)
			return fail(b, -errno, "mapping d%u's pages at %#llx: %s", b->domid,
				    (unsigned long long)gpa, strerror(errno));
		for (uint64_t i = 0; i < n; i++)
			if (errs[i]) {
				xenforeignmemory_unmap(fmem, win, n);
				return fail(b, errs[i] < 0 ? errs[i] : -EFAULT,
					    "mapping d%u's page %#llx: %s", b->domid,
					    (unsigned long long)(first + i),
					    strerror(abs(errs[i])));
			}
		chunk = n * PAGE - off < len ? n * PAGE - off : len;
		if (from) {
			memcpy(win + off, from, chunk);
			from += chunk;
		} else {
			memset(win + off, 0, chunk);
		}
		xenforeignmemory_unmap(fmem, win, n);
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

/* start_info (page 1): the module (initrd), the memory map, the command line's place. */
static void start_info(const struct keel_build *b, uint8_t page[PAGE])
{
	struct pvh_start_info *si = (struct pvh_start_info *)page;
	struct pvh_module *mod = (struct pvh_module *)(page + 64);
	struct pvh_memmap_entry *mm = (struct pvh_memmap_entry *)(page + 256);
	uint64_t rings = b->console_gfn * PAGE, high = b->mem_pages - low_pages(b);
	unsigned int n = 0;

	memset(page, 0, PAGE);
	si->magic = PVH_START_MAGIC;
	si->version = PVH_START_VERSION;
	si->rsdp_paddr = KEEL_DOMCTL_ACPI_GPA;
	mm[n++] = (struct pvh_memmap_entry){0, rings, PVH_MEMMAP_RAM, 0};
	mm[n++] = (struct pvh_memmap_entry){rings, 2 * PAGE, PVH_MEMMAP_RESERVED, 0};
	mm[n++] = (struct pvh_memmap_entry){KEEL_DOMCTL_ACPI_GPA, KEEL_DOMCTL_ACPI_SIZE,
					    PVH_MEMMAP_ACPI, 0};
	if (high)
		mm[n++] = (struct pvh_memmap_entry){KEEL_DOMCTL_HIGHMEM_BASE, high * PAGE,
						    PVH_MEMMAP_RAM, 0};
	si->memmap_paddr = KEEL_BUILD_START_INFO_GFN * PAGE + 256;
	si->memmap_entries = n;
	if (b->cmdline)
		si->cmdline_paddr = KEEL_BUILD_CMDLINE_GFN * PAGE;
	if (b->initrd) {
		mod->paddr = b->initrd_gpa;
		mod->size = b->initrd_len;
		si->nr_modules = 1;
		si->modlist_paddr = KEEL_BUILD_START_INFO_GFN * PAGE + 64;
	}
}

/* The kernel's segments, the initrd, start_info, the command line and zeroed rings. */
static int load(struct keel_build *b, const struct keel_elf_image *elf, const uint8_t *img)
{
	xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
	uint8_t page[PAGE];
	int rc = 0;

	if (!fmem)
		return fail(b, -errno, "opening the foreign memory interface: %s", strerror(errno));
	for (unsigned int i = 0; !rc && i < elf->nr_segments; i++) {
		const struct keel_elf_segment *s = &elf->segments[i];

		rc = guest_copy(b, fmem, s->paddr, img + s->offset, s->filesz);
		if (!rc)
			rc = guest_copy(b, fmem, s->paddr + s->filesz, NULL, s->memsz - s->filesz);
	}
	if (!rc && b->initrd)
		rc = guest_copy(b, fmem, b->initrd_gpa, b->initrd, b->initrd_len);
	start_info(b, page);
	if (!rc)
		rc = guest_copy(b, fmem, KEEL_BUILD_START_INFO_GFN * PAGE, page, PAGE);
	if (!rc && b->cmdline)
		rc = guest_copy(b, fmem, KEEL_BUILD_CMDLINE_GFN * PAGE, b->cmdline,
				strlen(b->cmdline) + 1);
	if (!rc)
		rc = guest_copy(b, fmem, b->console_gfn * PAGE, NULL, 2 * PAGE);
	xenforeignmemory_close(fmem);
	return rc;
}

#define SUPER_ORDER 9 /* 2 MiB extents where they fit: Keel keeps one record per extent */

/* Every page of the domain: 2 MiB extents for the aligned runs, single pages for the rest. */
static int populate(struct keel_handle *h, struct keel_build *b)
{
	uint64_t *gfns = calloc(b->mem_pages, sizeof(*gfns));
	size_t nbig = 0, nsmall = 0, done = 0;
	uint64_t i = 0;
	int rc;

	if (!gfns)
		return fail(b, -ENOMEM, "no memory for the page list");
	/* Big extents first in the list, small ones from the end backwards. */
	while (i < b->mem_pages) {
		uint64_t g = nth_gfn(b, i), run = 1ULL << SUPER_ORDER;

		if (!(g & (run - 1)) && i + run <= b->mem_pages &&
		    nth_gfn(b, i + run - 1) == g + run - 1) {
			gfns[nbig++] = g;
			i += run;
		} else {
			gfns[b->mem_pages - 1 - nsmall++] = g;
			i++;
		}
	}
	rc = keel_populate(h, b->domid, gfns, nbig, SUPER_ORDER, &done);
	if (!rc)
		rc = keel_populate(h, b->domid, gfns + b->mem_pages - nsmall, nsmall, 0, &done);
	free(gfns);
	if (rc)
		return fail(
		    b, rc, "populating d%u's %llu pages (%zu extents of 2 MiB, %zu pages): %s",
		    b->domid, (unsigned long long)b->mem_pages, nbig, nsmall, strerror(-rc));
	return 0;
}

/* The console and xenstore ports and pages, announced through the HVM params. */
static int ports(struct keel_handle *h, struct keel_build *b)
{
	const struct {
		uint32_t *port;
		uint64_t gfn;
		uint32_t pfn_param, evtchn_param;
	} p[] = {
	    {&b->console_port, b->console_gfn, HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN},
	    {&b->store_port, b->store_gfn, HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN},
	};

	for (unsigned int i = 0; i < 2; i++) {
		int rc = keel_evtchn_alloc_unbound(h, b->domid, 0, p[i].port);

		if (!rc)
			rc = keel_domain_set_hvm_param(h, b->domid, p[i].pfn_param, p[i].gfn);
		if (!rc)
			rc = keel_domain_set_hvm_param(h, b->domid, p[i].evtchn_param, *p[i].port);
		if (rc)
			return fail(b, rc, "d%u's %s port: %s", b->domid,
				    i ? "xenstore" : "console", strerror(-rc));
	}
	return 0;
}

static int check(struct keel_build *b, struct keel_elf_image *elf, void **img)
{
	uint64_t free_end, initrd_end;
	char why[160];
	size_t len;

	if (b->mem_pages < KEEL_BUILD_MIN_PAGES || b->mem_pages > KEEL_BUILD_MAX_PAGES)
		return fail(b, -EINVAL, "memory: %llu pages (%llu to %llu)",
			    (unsigned long long)b->mem_pages,
			    (unsigned long long)KEEL_BUILD_MIN_PAGES,
			    (unsigned long long)KEEL_BUILD_MAX_PAGES);
	if (b->cmdline && strlen(b->cmdline) >= KEEL_BUILD_MAX_CMDLINE)
		return fail(b, -EINVAL, "command line: %zu bytes (at most %u)", strlen(b->cmdline),
			    KEEL_BUILD_MAX_CMDLINE - 1);
	if (keel_kernel_image(b->image, b->image_len, img, &len, why, sizeof(why)))
		return fail(b, -ENOEXEC, "kernel: %s", why);
	if (keel_elf_parse(*img, len, elf, why, sizeof(why)))
		return fail(b, -ENOEXEC, "kernel: %s", why);
	b->console_gfn = low_pages(b) - 2;
	b->store_gfn = low_pages(b) - 1;
	free_end = b->console_gfn * PAGE;
	if (elf->lo < KEEL_BUILD_FIRST_FREE || elf->hi > free_end)
		return fail(b, -E2BIG,
			    "kernel: loads at %#llx-%#llx, outside the domain's free RAM "
			    "%#llx-%#llx (give it more memory)",
			    (unsigned long long)elf->lo, (unsigned long long)elf->hi,
			    KEEL_BUILD_FIRST_FREE, (unsigned long long)free_end);
	b->initrd_gpa = (elf->hi + PAGE - 1) & ~(PAGE - 1);
	initrd_end = b->initrd_gpa + (b->initrd ? b->initrd_len : 0);
	if (b->initrd && (b->initrd_len > free_end || initrd_end > free_end))
		return fail(b, -E2BIG,
			    "initrd: %zu bytes at %#llx do not fit below %#llx (give the domain "
			    "more memory)",
			    b->initrd_len, (unsigned long long)b->initrd_gpa,
			    (unsigned long long)free_end);
	b->entry = elf->entry;
	return 0;
}

int keel_build_elf(struct keel_handle *h, struct keel_build *b)
{
	struct keel_elf_image elf;
	void *img = NULL;
	int rc;

	b->error[0] = 0;
	rc = check(b, &elf, &img);
	if (!rc) {
		rc = keel_domain_create(h, b->name, b->nr_vcpus, b->mem_pages, b->create_flags,
					&b->domid);
		if (rc) {
			free(img);
			return fail(b, rc, "creating domain %s: %s", b->name, strerror(-rc));
		}
		rc = keel_domain_max_mem(h, b->domid, b->mem_pages);
		if (rc)
			fail(b, rc, "d%u: max_mem %llu pages: %s", b->domid,
			     (unsigned long long)b->mem_pages, strerror(-rc));
		if (!rc)
			rc = populate(h, b);
		if (!rc)
			rc = load(b, &elf, img);
		if (!rc)
			rc = ports(h, b);
		if (!rc) {
			rc = keel_domain_set_vcpu_context(h, b->domid, 0, b->entry,
							  KEEL_BUILD_START_INFO_GFN * PAGE);
			if (rc)
				fail(b, rc, "d%u: vCPU 0's context: %s", b->domid, strerror(-rc));
		}
		if (rc)
			keel_domain_destroy(h, b->domid);
	}
	free(img);
	return rc;
}
