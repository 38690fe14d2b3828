/* libkeel: the domain builder: creates a domain and loads a PVH ELF kernel into it. */
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

/* The kernel's segments, start_info, memory map and command line into the mapped RAM @ram. */
static void fill(struct keel_build *b, const struct keel_elf_image *elf, const uint8_t *img,
		 uint8_t *ram)
{
	uint8_t *si_page = ram + KEEL_BUILD_START_INFO_GFN * PAGE;
	struct pvh_start_info *si = (struct pvh_start_info *)si_page;
	struct pvh_memmap_entry *mm = (struct pvh_memmap_entry *)(si_page + 256);
	uint64_t special = b->console_gfn * PAGE;

	for (unsigned int i = 0; i < elf->nr_segments; i++) {
		const struct keel_elf_segment *s = &elf->segments[i];

		memcpy(ram + s->paddr, img + s->offset, s->filesz);
		memset(ram + s->paddr + s->filesz, 0, s->memsz - s->filesz);
	}
	memset(si_page, 0, PAGE);
	mm[0] = (struct pvh_memmap_entry){0, special, PVH_MEMMAP_RAM, 0};
	mm[1] = (struct pvh_memmap_entry){special, 2 * PAGE, PVH_MEMMAP_RESERVED, 0};
	si->magic = PVH_START_MAGIC;
	si->version = PVH_START_VERSION;
	si->memmap_paddr = KEEL_BUILD_START_INFO_GFN * PAGE + 256;
	si->memmap_entries = 2;
	if (b->cmdline) {
		memcpy(ram + KEEL_BUILD_CMDLINE_GFN * PAGE, b->cmdline, strlen(b->cmdline) + 1);
		si->cmdline_paddr = KEEL_BUILD_CMDLINE_GFN * PAGE;
	}
	memset(ram + b->console_gfn * PAGE, 0, 2 * PAGE);
}

/* Every page of the domain mapped into this process, filled, unmapped. */
static int load(struct keel_build *b, const struct keel_elf_image *elf, const uint8_t *img)
{
	xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
	xen_pfn_t *gfns = calloc(b->mem_pages, sizeof(*gfns));
	int *errs = calloc(b->mem_pages, sizeof(*errs));
	uint8_t *ram = NULL;
	int rc = 0;

	if (!fmem || !gfns || !errs) {
		rc = fail(b, -errno, "opening the foreign memory interface: %s", strerror(errno));
		goto out;
	}
	for (uint64_t i = 0; i < b->mem_pages; i++)
		gfns[i] = i;
	ram =
	    xenforeignmemory_map(fmem, b->domid, PROT_READ | PROT_WRITE, b->mem_pages, gfns, errs);
	if (!ram) {
		rc = fail(b, -errno, "mapping d%u's %llu pages: %s", b->domid,
			  (unsigned long long)b->mem_pages, strerror(errno));
		goto out;
	}
	for (uint64_t i = 0; i < b->mem_pages; i++)
		if (errs[i]) {
			rc =
			    fail(b, errs[i] < 0 ? errs[i] : -EFAULT, "mapping d%u's page %#llx: %s",
				 b->domid, (unsigned long long)i, strerror(abs(errs[i])));
			goto out;
		}
	fill(b, elf, img, ram);
out:
	if (ram)
		xenforeignmemory_unmap(fmem, ram, b->mem_pages);
	if (fmem)
		xenforeignmemory_close(fmem);
	free(gfns);
	free(errs);
	return rc;
}

static int populate(struct keel_handle *h, struct keel_build *b)
{
	uint64_t *gfns = calloc(b->mem_pages, sizeof(*gfns));
	size_t done = 0;
	int rc;

	if (!gfns)
		return fail(b, -ENOMEM, "no memory for the page list");
	for (uint64_t i = 0; i < b->mem_pages; i++)
		gfns[i] = i;
	rc = keel_populate(h, b->domid, gfns, b->mem_pages, &done);
	free(gfns);
	if (rc)
		return fail(b, rc, "populating d%u: %zu of %llu pages, then %s", b->domid, done,
			    (unsigned long long)b->mem_pages, strerror(-rc));
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
	char why[160];
	size_t len;

	if (b->mem_pages < KEEL_BUILD_MIN_PAGES || b->mem_pages > (1ULL << 22))
		return fail(b, -EINVAL, "memory: %llu pages (%llu to %llu)",
			    (unsigned long long)b->mem_pages,
			    (unsigned long long)KEEL_BUILD_MIN_PAGES, 1ULL << 22);
	if (b->cmdline && strlen(b->cmdline) >= KEEL_BUILD_MAX_CMDLINE)
		return fail(b, -EINVAL, "command line: %zu bytes (at most %u)", strlen(b->cmdline),
			    KEEL_BUILD_MAX_CMDLINE - 1);
	if (keel_kernel_image(b->image, b->image_len, img, &len, why, sizeof(why)))
		return fail(b, -ENOEXEC, "kernel: %s", why);
	if (keel_elf_parse(*img, len, elf, why, sizeof(why)))
		return fail(b, -ENOEXEC, "kernel: %s", why);
	b->console_gfn = b->mem_pages - 2;
	b->store_gfn = b->mem_pages - 1;
	if (elf->lo < KEEL_BUILD_FIRST_FREE || elf->hi > b->console_gfn * PAGE)
		return fail(b, -E2BIG,
			    "kernel: loads at %#llx-%#llx, outside the domain's free RAM "
			    "%#llx-%#llx (give it more memory)",
			    (unsigned long long)elf->lo, (unsigned long long)elf->hi,
			    KEEL_BUILD_FIRST_FREE, (unsigned long long)(b->console_gfn * PAGE));
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
