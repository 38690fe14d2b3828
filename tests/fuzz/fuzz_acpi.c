/* libFuzzer target for ACPI parsing: a fake RSDP plus a table arena, fixed up so the walkers are reached. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/acpi.h>

#include "../../drivers/acpi/acpi_internal.h"
#include "acpi_fixtures.h"

/*
 * Input layout: [control byte][36-byte RSDP][arena...]. The arena is mapped at ARENA_PA; no
 * other physical address translates. Unless the control byte disables it, the harness makes
 * the input plausible the way firmware would: signatures, pointers folded into the arena,
 * lengths clamped to the arena and checksums fixed, so that checksum-guarded code is reached.
 * Each fixup can be turned off to also exercise the refusal paths.
 */
#define ARENA_PA 0x10000000ull

#define CTL_NO_RSDP_FIX (1u << 0) /* keep the RSDP signature/checksums as given */
#define CTL_NO_PTR_FIX	(1u << 1) /* keep table addresses as given */
#define CTL_NO_SUM_FIX	(1u << 2) /* keep table checksums as given */
#define CTL_NO_LEN_FIX	(1u << 3) /* keep table lengths as given */
#define CTL_SHORT_RSDP	(1u << 4) /* hand over only 20 RSDP bytes */
#define CTL_NO_SIG_FIX	(1u << 5) /* keep table signatures as given */

static const char *const leaf_sigs[] = {"APIC", "FACP", "HPET", "MCFG", "DMAR", "IVRS", "SSDT"};

struct arena {
	u8 *p;
	size_t n;
	unsigned int ctl;
};

static u64 get_le(const u8 *p, int bytes)
{
	u64 v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void put_le(u8 *p, u64 v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (u8)(v >> (8 * i));
}

static void fix_sum(u8 *p, size_t len, size_t sum_off)
{
	u8 sum = 0;

	p[sum_off] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	p[sum_off] = (u8)(0x100 - sum);
}

/* Fold an address field of @bytes bytes at @f into the arena; returns the arena offset. */
static size_t fold_ptr(struct arena *a, u8 *f, int bytes)
{
	u64 v = get_le(f, bytes);

	if (a->ctl & CTL_NO_PTR_FIX)
		return v >= ARENA_PA && v - ARENA_PA < a->n ? (size_t)(v - ARENA_PA) : SIZE_MAX;
	v %= a->n;
	put_le(f, ARENA_PA + v, bytes);
	return (size_t)v;
}

/* Make the table at arena offset @off look valid (length fitting, @sig if given); returns its length. */
static size_t fix_table(struct arena *a, size_t off, const char *sig)
{
	size_t len;
	u8 *t;

	if (off == SIZE_MAX || a->n - off < ACPI_TABLE_HDR_LEN)
		return 0;
	t = a->p + off;
	if (sig && !(a->ctl & CTL_NO_SIG_FIX))
		memcpy(t, sig, 4);
	len = get_le(t + 4, 4);
	if (!(a->ctl & CTL_NO_LEN_FIX)) {
		if (len < ACPI_TABLE_HDR_LEN || len > a->n - off)
			len = ACPI_TABLE_HDR_LEN + len % (a->n - off - ACPI_TABLE_HDR_LEN + 1);
		put_le(t + 4, len, 4);
	}
	if (len < ACPI_TABLE_HDR_LEN || len > a->n - off)
		return 0;
	return len;
}

static void seal_table(struct arena *a, size_t off, size_t len)
{
	if (len && !(a->ctl & CTL_NO_SUM_FIX))
		fix_sum(a->p + off, len, ACPI_HDR_CHECKSUM);
}

static void fix_leaf(struct arena *a, size_t off)
{
	const char *sig;
	size_t len;

	if (off == SIZE_MAX || a->n - off < ACPI_TABLE_HDR_LEN)
		return;
	sig = leaf_sigs[a->p[off + 8] % (sizeof(leaf_sigs) / sizeof(leaf_sigs[0]))];
	len = fix_table(a, off, sig);
	if (len >= 148 && !memcmp(a->p + off, "FACP", 4)) {
		/* Both DSDT pointers into the arena, and make the DSDT valid first. */
		size_t d = fold_ptr(a, a->p + off + 140, 8);

		if (a->p[off + 8] & 0x80)
			put_le(a->p + off + 40, get_le(a->p + off + 140, 8), 4);
		seal_table(a, d, fix_table(a, d, "DSDT"));
	} else if (len >= 44 && !memcmp(a->p + off, "FACP", 4)) {
		size_t d = fold_ptr(a, a->p + off + 40, 4);

		seal_table(a, d, fix_table(a, d, "DSDT"));
	}
	seal_table(a, off, len);
}

static void fix_root(struct arena *a, size_t off, const char *sig, size_t esize)
{
	size_t len = fix_table(a, off, sig);

	for (size_t e = ACPI_TABLE_HDR_LEN; len && e + esize <= len; e += esize) {
		size_t t = fold_ptr(a, a->p + off + e, (int)esize);

		if (t != off)
			fix_leaf(a, t);
	}
	seal_table(a, off, len);
}

/* Run the \_S5 reader on Name(_S5_, Package ...) followed by the input, exactly sized. */
static void fuzz_s5_package(const uint8_t *data, size_t size)
{
	static const u8 head[] = {0x08, '_', 'S', '5', '_', 0x12};
	struct acpi_s5_info s5;
	u8 *buf = malloc(sizeof(head) + size);

	if (!buf)
		return;
	memcpy(buf, head, sizeof(head));
	memcpy(buf + sizeof(head), data, size);
	acpi_aml_find_s5(buf, sizeof(head) + size, &s5);
	free(buf);
}

static void fuzz_walkers_direct(const uint8_t *data, size_t size)
{
	static struct acpi_madt_info madt;
	struct acpi_fadt_info fadt;
	struct acpi_hpet_info hpet;
	struct acpi_mcfg_info mcfg;
	struct acpi_s5_info s5;
	u32 len = size > ACPI_MAX_TABLE_LEN ? ACPI_MAX_TABLE_LEN : (u32)size;

	acpi_aml_find_s5(data, size, &s5);
	fuzz_s5_package(data, size);
	acpi_madt_parse(data, len, &madt);
	acpi_fadt_parse(data, len, &fadt);
	acpi_hpet_parse(data, len, &hpet);
	acpi_mcfg_parse(data, len, &mcfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_info ai;
	u8 rsdp[ACPI_RSDP_V2_LEN] = {0};
	struct arena a;
	size_t rsdp_len;

	fuzz_walkers_direct(data, size);
	if (size < 1 + ACPI_RSDP_V2_LEN)
		return 0;
	a.ctl = data[0];
	memcpy(rsdp, data + 1, ACPI_RSDP_V2_LEN);
	a.n = size - 1 - ACPI_RSDP_V2_LEN;
	a.p = malloc(a.n ? a.n : 1);
	if (!a.p)
		return 0;
	memcpy(a.p, data + 1 + ACPI_RSDP_V2_LEN, a.n);
	shim_acpi_unmap_all();
	if (a.n)
		shim_acpi_map(a.p, a.n, ARENA_PA);
	rsdp_len = (a.ctl & CTL_SHORT_RSDP) ? ACPI_RSDP_V1_LEN : ACPI_RSDP_V2_LEN;

	if (a.n) {
		size_t rsdt = fold_ptr(&a, rsdp + 16, 4);
		size_t xsdt = fold_ptr(&a, rsdp + 24, 8);

		fix_root(&a, rsdt, "RSDT", 4);
		if (xsdt != rsdt)
			fix_root(&a, xsdt, "XSDT", 8);
	}
	if (!(a.ctl & CTL_NO_RSDP_FIX)) {
		memcpy(rsdp, "RSD PTR ", 8);
		put_le(rsdp + 20, ACPI_RSDP_V2_LEN, 4);
		fix_sum(rsdp, ACPI_RSDP_V1_LEN, 8);
		fix_sum(rsdp, ACPI_RSDP_V2_LEN, 32);
	}

	acpi_parse(rsdp, rsdp_len, &ai);
	acpi_has_table(&ai, "APIC");

	shim_acpi_unmap_all();
	free(a.p);
	return 0;
}
