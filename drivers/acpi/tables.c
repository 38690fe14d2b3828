/* ACPI table discovery: RSDP, RSDT/XSDT walk, table validation and dispatch to the parsers. */
#include <keel/acpi.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/string.h>

#include "acpi_internal.h"

/* RSDP field offsets. */
#define RSDP_CHECKSUM	  8
#define RSDP_OEMID	  9
#define RSDP_REVISION	  15
#define RSDP_RSDT	  16
#define RSDP_LENGTH	  20
#define RSDP_XSDT	  24
#define RSDP_EXT_CHECKSUM 32

bool acpi_checksum_ok(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + b[i]);
	return sum == 0;
}

void acpi_sig_str(const u8 *sig, char out[5])
{
	for (int i = 0; i < 4; i++)
		out[i] = (sig[i] >= 0x20 && sig[i] < 0x7f) ? (char)sig[i] : '?';
	out[4] = '\0';
}

bool acpi_field_gas(const u8 *t, size_t len, size_t off, struct acpi_gas *g)
{
	memset(g, 0, sizeof(*g));
	if (off + ACPI_GAS_LEN > len)
		return false;
	g->space_id = t[off];
	g->bit_width = t[off + 1];
	g->bit_offset = t[off + 2];
	g->access_size = t[off + 3];
	g->address = acpi_get64(t + off + 4);
	return true;
}

/*
 * Translate [@pa, @pa + @len) to a pointer, requiring both ends to be mapped and the range
 * to be contiguous in the direct map. NULL otherwise.
 */
static const u8 *acpi_map_range(paddr_t pa, size_t len)
{
	const u8 *start, *last;

	if (len == 0 || pa + (len - 1) < pa)
		return NULL;
	start = paddr_to_virt(pa);
	last = paddr_to_virt(pa + (len - 1));
	if (!start || !last || last - start != (ptrdiff_t)(len - 1))
		return NULL;
	return start;
}

const u8 *acpi_map_table(paddr_t pa, const char *sig, u32 *len)
{
	const char *want = sig ? sig : "table";
	const u8 *t;
	char name[5];
	u32 tlen;

	*len = 0;
	if (pa == 0) {
		pr_warn("acpi: %s: null address, skipped", want);
		return NULL;
	}
	t = acpi_map_range(pa, ACPI_TABLE_HDR_LEN);
	if (!t) {
		pr_warn("acpi: %s at 0x%llx: not mapped, skipped", want, (unsigned long long)pa);
		return NULL;
	}
	acpi_sig_str(t, name);
	if (sig && memcmp(t, sig, 4) != 0) {
		pr_warn("acpi: %s at 0x%llx: found signature '%s', skipped", sig,
			(unsigned long long)pa, name);
		return NULL;
	}
	tlen = acpi_get32(t + ACPI_HDR_LENGTH);
	if (tlen < ACPI_TABLE_HDR_LEN || tlen > ACPI_MAX_TABLE_LEN) {
		pr_warn("acpi: %s at 0x%llx: bad length %u, skipped", name, (unsigned long long)pa,
			tlen);
		return NULL;
	}
	t = acpi_map_range(pa, tlen);
	if (!t) {
		pr_warn("acpi: %s at 0x%llx: %u bytes not mapped, skipped", name,
			(unsigned long long)pa, tlen);
		return NULL;
	}
	if (!acpi_checksum_ok(t, tlen)) {
		pr_warn("acpi: %s at 0x%llx: bad checksum, skipped", name, (unsigned long long)pa);
		return NULL;
	}
	*len = tlen;
	return t;
}

bool acpi_has_table(const struct acpi_info *ai, const char *sig)
{
	for (unsigned int i = 0; i < ai->nr_tables; i++)
		if (memcmp(ai->tables[i], sig, 4) == 0)
			return true;
	return false;
}

static void acpi_note_table(struct acpi_info *ai, const char *name)
{
	if (ai->nr_tables < ACPI_MAX_TABLES)
		memcpy(ai->tables[ai->nr_tables++], name, 5);
}

/* Hand one validated table from the root list to its parser; the first of each kind wins. */
static void acpi_dispatch(struct acpi_info *ai, const u8 *t, u32 len)
{
	char name[5];

	acpi_sig_str(t, name);
	if (!memcmp(t, "DSDT", 4)) {
		pr_warn("acpi: DSDT listed in the root table, ignored");
		return;
	}
	acpi_note_table(ai, name);

	if (!memcmp(t, "APIC", 4)) {
		if (ai->madt.present)
			pr_warn("acpi: second MADT ignored");
		else
			acpi_madt_parse(t, len, &ai->madt);
	} else if (!memcmp(t, "FACP", 4)) {
		if (ai->fadt.present)
			pr_warn("acpi: second FADT ignored");
		else
			acpi_fadt_parse(t, len, &ai->fadt);
	} else if (!memcmp(t, "HPET", 4)) {
		if (!ai->hpet.present)
			acpi_hpet_parse(t, len, &ai->hpet);
	} else if (!memcmp(t, "MCFG", 4)) {
		if (!ai->mcfg.present)
			acpi_mcfg_parse(t, len, &ai->mcfg);
	} else if (!memcmp(t, "DMAR", 4)) {
		ai->has_dmar = true;
	} else if (!memcmp(t, "IVRS", 4)) {
		ai->has_ivrs = true;
	}
}

/* Find \_S5 in the DSDT the FADT points to (X_DSDT first, then the 32-bit DSDT field). */
static void acpi_parse_dsdt(struct acpi_info *ai, paddr_t x_dsdt, paddr_t dsdt)
{
	const u8 *t = NULL;
	u32 len;
	int rc;

	if (x_dsdt)
		t = acpi_map_table(x_dsdt, "DSDT", &len);
	if (!t && dsdt && dsdt != x_dsdt)
		t = acpi_map_table(dsdt, "DSDT", &len);
	if (!t) {
		pr_warn("acpi: no usable DSDT, poweroff will not work");
		return;
	}
	acpi_note_table(ai, "DSDT");
	rc = acpi_aml_find_s5(t + ACPI_TABLE_HDR_LEN, len - ACPI_TABLE_HDR_LEN, &ai->s5);
	if (rc == -ENOENT)
		pr_warn("acpi: DSDT has no \\_S5 package, poweroff will not work");
}

static void acpi_walk_root(struct acpi_info *ai, const u8 *root, u32 len, bool xsdt)
{
	size_t esize = xsdt ? 8 : 4;
	size_t n = (len - ACPI_TABLE_HDR_LEN) / esize;

	if ((len - ACPI_TABLE_HDR_LEN) % esize)
		pr_warn("acpi: %s has a partial entry at its end, ignored", xsdt ? "XSDT" : "RSDT");
	for (size_t i = 0; i < n; i++) {
		const u8 *e = root + ACPI_TABLE_HDR_LEN + i * esize;
		paddr_t pa = xsdt ? acpi_get64(e) : acpi_get32(e);
		const u8 *t;
		u32 tlen;

		t = acpi_map_table(pa, NULL, &tlen);
		if (t)
			acpi_dispatch(ai, t, tlen);
	}
}

static void acpi_log_summary(const struct acpi_info *ai)
{
	char list[ACPI_MAX_TABLES * 5 + 1];
	size_t pos = 0;

	for (unsigned int i = 0; i < ai->nr_tables; i++) {
		list[pos++] = ' ';
		memcpy(list + pos, ai->tables[i], 4);
		pos += 4;
	}
	list[pos] = '\0';
	pr_info("acpi: RSDP v%u (%s) at 0x%llx, OEM '%s', tables:%s",
		ai->rsdp_revision >= 2 ? ai->rsdp_revision : 1, ai->xsdt ? "XSDT" : "RSDT",
		(unsigned long long)ai->root_addr, ai->oem_id, list);
	if (ai->madt.present)
		pr_info("acpi: MADT: %u CPUs (%u enabled), %u IOAPIC, %u ISO, LAPIC at 0x%llx%s",
			ai->madt.nr_cpus, ai->madt.nr_cpus_enabled, ai->madt.nr_ioapics,
			ai->madt.nr_isos, (unsigned long long)ai->madt.lapic_addr,
			ai->madt.pcat_compat ? ", PC-AT 8259s" : "");
	else
		pr_warn("acpi: no MADT");
	if (ai->fadt.present)
		pr_info("acpi: FADT rev %u: PM1a_CNT 0x%llx, SMI_CMD 0x%x, flags 0x%x%s",
			ai->fadt.revision, (unsigned long long)ai->fadt.pm1a_cnt.address,
			ai->fadt.smi_cmd, ai->fadt.flags,
			ai->fadt.reset_reg_valid ? ", reset register" : "");
	else
		pr_warn("acpi: no FADT");
	if (ai->s5.valid)
		pr_info("acpi: S5 SLP_TYP a=%u b=%u", ai->s5.slp_typa, ai->s5.slp_typb);
	if (ai->hpet.present)
		pr_info("acpi: HPET %u at 0x%llx, min tick %u", ai->hpet.hpet_number,
			(unsigned long long)ai->hpet.base.address, ai->hpet.min_tick);
	if (ai->mcfg.present)
		pr_info("acpi: MCFG: ECAM at 0x%llx, buses %u-%u",
			(unsigned long long)ai->mcfg.ecam_base, ai->mcfg.bus_start,
			ai->mcfg.bus_end);
}

/* Decide between XSDT and RSDT; returns the validated root table or NULL. */
static const u8 *acpi_pick_root(struct acpi_info *ai, const u8 *rsdp, size_t rsdp_len, u32 *len)
{
	paddr_t rsdt = acpi_get32(rsdp + RSDP_RSDT);
	const u8 *root;

	if (ai->rsdp_revision >= 2) {
		u32 rlen = rsdp_len >= ACPI_RSDP_V2_LEN ? acpi_get32(rsdp + RSDP_LENGTH) : 0;
		paddr_t xsdt = 0;

		if (rsdp_len < ACPI_RSDP_V2_LEN)
			pr_warn("acpi: RSDP v%u copy is only %zu bytes, using the RSDT",
				ai->rsdp_revision, rsdp_len);
		else if (rlen < ACPI_RSDP_V2_LEN || rlen > rsdp_len)
			pr_warn("acpi: RSDP length %u unusable, using the RSDT", rlen);
		else if (!acpi_checksum_ok(rsdp, rlen))
			pr_warn("acpi: RSDP extended checksum bad, using the RSDT");
		else
			xsdt = acpi_get64(rsdp + RSDP_XSDT);
		if (xsdt) {
			root = acpi_map_table(xsdt, "XSDT", len);
			if (root) {
				ai->xsdt = true;
				ai->root_addr = xsdt;
				return root;
			}
			pr_warn("acpi: XSDT unusable, trying the RSDT");
		}
	}
	if (!rsdt) {
		pr_err("acpi: no RSDT address");
		return NULL;
	}
	root = acpi_map_table(rsdt, "RSDT", len);
	if (root)
		ai->root_addr = rsdt;
	return root;
}

int acpi_parse(const void *rsdp_copy, size_t rsdp_len, struct acpi_info *out)
{
	const u8 *rsdp = rsdp_copy;
	const u8 *root;
	u32 root_len;

	memset(out, 0, sizeof(*out));
	if (!rsdp || rsdp_len < ACPI_RSDP_V1_LEN) {
		pr_err("acpi: no RSDP from the boot loader (%zu bytes)", rsdp ? rsdp_len : 0);
		return -EINVAL;
	}
	if (memcmp(rsdp, "RSD PTR ", 8) != 0) {
		pr_err("acpi: RSDP signature bad");
		return -EINVAL;
	}
	if (!acpi_checksum_ok(rsdp, ACPI_RSDP_V1_LEN)) {
		pr_err("acpi: RSDP checksum bad");
		return -EINVAL;
	}
	out->rsdp_revision = rsdp[RSDP_REVISION];
	for (int i = 0; i < 6; i++) {
		u8 c = rsdp[RSDP_OEMID + i];
		out->oem_id[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}

	root = acpi_pick_root(out, rsdp, rsdp_len, &root_len);
	if (!root) {
		pr_err("acpi: no usable RSDT/XSDT, ACPI disabled");
		return -ENODEV;
	}
	acpi_walk_root(out, root, root_len, out->xsdt);
	if (out->fadt.present)
		acpi_parse_dsdt(out, out->fadt.dsdt_addr, out->fadt.dsdt32_addr);
	acpi_log_summary(out);
	return 0;
}
