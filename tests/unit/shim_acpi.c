/* Host shims for the ACPI tests and fuzzer: bounded paddr_to_virt over registered regions, captured printk. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/mm.h>
#include <keel/printk.h>

#include "acpi_fixtures.h"

#define SHIM_MAX_REGIONS 64
#define SHIM_LOG_SIZE	 (64 * 1024)

struct shim_region {
	unsigned char *virt;
	size_t len;
	paddr_t pa;
};

static struct shim_region regions[SHIM_MAX_REGIONS];
static unsigned int nr_regions;

static char shim_log[SHIM_LOG_SIZE];
static size_t shim_log_len;

void shim_acpi_map(void *virt, size_t len, paddr_t pa)
{
	if (nr_regions >= SHIM_MAX_REGIONS) {
		fprintf(stderr, "shim_acpi: too many regions\n");
		abort();
	}
	regions[nr_regions++] = (struct shim_region){virt, len, pa};
}

void shim_acpi_unmap_all(void)
{
	nr_regions = 0;
}

/* Only addresses inside a registered region translate; everything else is "not mapped". */
void *paddr_to_virt(paddr_t pa)
{
	for (unsigned int i = 0; i < nr_regions; i++)
		if (pa >= regions[i].pa && pa - regions[i].pa < regions[i].len)
			return regions[i].virt + (pa - regions[i].pa);
	return NULL;
}

paddr_t virt_to_paddr(const void *va)
{
	const unsigned char *p = va;

	for (unsigned int i = 0; i < nr_regions; i++)
		if (p >= regions[i].virt && (size_t)(p - regions[i].virt) < regions[i].len)
			return regions[i].pa + (paddr_t)(p - regions[i].virt);
	return INVALID_PADDR;
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	char line[512];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	if (n == 0 || line[n - 1] != '\n') /* like Keel's printk: one record per line */
		line[n++] = '\n';
	line[n] = '\0';
	if (shim_log_len + (size_t)n + 1 >= SHIM_LOG_SIZE)
		shim_log_len = 0; /* keep the newest messages only */
	memcpy(shim_log + shim_log_len, line, (size_t)n);
	shim_log_len += (size_t)n;
	shim_log[shim_log_len] = '\0';
#ifndef KEEL_FUZZ
	if (getenv("ACPI_TEST_VERBOSE"))
		fprintf(stderr, "<%d>%s", level, line);
#else
	(void)level;
#endif
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void shim_log_clear(void)
{
	shim_log_len = 0;
	shim_log[0] = '\0';
}

bool shim_log_contains(const char *text)
{
	return strstr(shim_log, text) != NULL;
}

const char *shim_log_text(void)
{
	return shim_log;
}
