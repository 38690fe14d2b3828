/* Fake ACPI tables for host tests: realistic layouts, correct checksums, fake physical addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/mm.h>

#include "acpi_fixtures.h"

#define FX_MAX_ALLOCS	64
#define FX_CHECKSUM_OFF 9
#define FX_PA_BASE	0x100000ull /* below 4 GiB so RSDT entries can hold it */

static void *allocs[FX_MAX_ALLOCS];
static unsigned int nr_allocs;
static paddr_t next_pa;

static void fx_die(const char *why)
{
	fprintf(stderr, "acpi_fixtures: %s\n", why);
	abort();
}

void fx_init(void)
{
	fx_fini();
	next_pa = FX_PA_BASE;
}

void fx_fini(void)
{
	for (unsigned int i = 0; i < nr_allocs; i++)
		free(allocs[i]);
	nr_allocs = 0;
	shim_acpi_unmap_all();
}

paddr_t fx_publish_raw(const void *data, size_t len)
{
	paddr_t pa = next_pa;
	void *p;

	if (nr_allocs >= FX_MAX_ALLOCS || len == 0)
		fx_die("bad publish");
	p = malloc(len);
	if (!p)
		fx_die("out of memory");
	memcpy(p, data, len);
	allocs[nr_allocs++] = p;
	shim_acpi_map(p, len, pa);
	/* Leave an unmapped page after each table so overruns cannot land in the next one. */
	next_pa = (pa + len + 0x1fff) & ~0xfffull;
	return pa;
}

u8 *fx_virt(paddr_t pa)
{
	return paddr_to_virt(pa);
}

static void fx_checksum_over(u8 *table, size_t len)
{
	u8 sum = 0;

	table[FX_CHECKSUM_OFF] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + table[i]);
	table[FX_CHECKSUM_OFF] = (u8)(0x100 - sum);
}

void fx_fix_checksum(u8 *table)
{
	u32 len = table[4] | (table[5] << 8) | (table[6] << 16) | ((u32)table[7] << 24);

	fx_checksum_over(table, len);
}

paddr_t fx_publish(struct fx_table *t)
{
	u32 len = (u32)t->len;

	memcpy(t->buf + 4, &len, 4);
	fx_checksum_over(t->buf, t->len);
	return fx_publish_raw(t->buf, t->len);
}

paddr_t fx_publish_keep_len(struct fx_table *t)
{
	fx_checksum_over(t->buf, t->len);
	return fx_publish_raw(t->buf, t->len);
}

void fx_put(struct fx_table *t, const void *data, size_t len)
{
	if (t->len + len > FX_TABLE_MAX)
		fx_die("table too big");
	memcpy(t->buf + t->len, data, len);
	t->len += len;
}

void fx_put8(struct fx_table *t, u8 v)
{
	fx_put(t, &v, 1);
}

void fx_put16(struct fx_table *t, u16 v)
{
	u8 b[2] = {(u8)v, (u8)(v >> 8)};

	fx_put(t, b, 2);
}

void fx_put32(struct fx_table *t, u32 v)
{
	fx_put16(t, (u16)v);
	fx_put16(t, (u16)(v >> 16));
}

void fx_put64(struct fx_table *t, u64 v)
{
	fx_put32(t, (u32)v);
	fx_put32(t, (u32)(v >> 32));
}

void fx_put_gas(struct fx_table *t, u8 space, u8 width, u64 addr)
{
	fx_put8(t, space);
	fx_put8(t, width);
	fx_put8(t, 0);
	fx_put8(t, width <= 8 ? 1 : width <= 16 ? 2 : width <= 32 ? 3 : 4);
	fx_put64(t, addr);
}

void fx_set_len(struct fx_table *t, size_t len)
{
	if (len > FX_TABLE_MAX)
		fx_die("table too big");
	if (len > t->len)
		memset(t->buf + t->len, 0, len - t->len);
	t->len = len;
}

void fx_begin(struct fx_table *t, const char *sig, u8 rev)
{
	t->len = 0;
	fx_put(t, sig, 4);
	fx_put32(t, 0); /* length, set on publish */
	fx_put8(t, rev);
	fx_put8(t, 0); /* checksum */
	fx_put(t, "KEELFX", 6);
	fx_put(t, "FIXTURE ", 8);
	fx_put32(t, 1);
	fx_put(t, "KEEL", 4);
	fx_put32(t, 0x20240101);
}

void fx_rsdp_v1(u8 out[ACPI_RSDP_V1_LEN], paddr_t rsdt)
{
	u8 sum = 0;

	memset(out, 0, ACPI_RSDP_V1_LEN);
	memcpy(out, "RSD PTR ", 8);
	memcpy(out + 9, "KEELFX", 6);
	out[15] = 0;
	for (int i = 0; i < 4; i++)
		out[16 + i] = (u8)(rsdt >> (8 * i));
	for (int i = 0; i < ACPI_RSDP_V1_LEN; i++)
		sum = (u8)(sum + out[i]);
	out[8] = (u8)(0x100 - sum);
}

void fx_rsdp_v2(u8 out[ACPI_RSDP_V2_LEN], paddr_t rsdt, paddr_t xsdt)
{
	u8 sum = 0;

	memset(out, 0, ACPI_RSDP_V2_LEN);
	memcpy(out, "RSD PTR ", 8);
	memcpy(out + 9, "KEELFX", 6);
	out[15] = 2;
	for (int i = 0; i < 4; i++)
		out[16 + i] = (u8)(rsdt >> (8 * i));
	out[20] = ACPI_RSDP_V2_LEN;
	for (int i = 0; i < 8; i++)
		out[24 + i] = (u8)(xsdt >> (8 * i));
	for (int i = 0; i < ACPI_RSDP_V1_LEN; i++)
		sum = (u8)(sum + out[i]);
	out[8] = (u8)(0x100 - sum);
	sum = 0;
	for (int i = 0; i < ACPI_RSDP_V2_LEN; i++)
		sum = (u8)(sum + out[i]);
	out[32] = (u8)(0x100 - sum);
}

paddr_t fx_rsdt(const paddr_t *tables, size_t n)
{
	static struct fx_table t;

	fx_begin(&t, "RSDT", 1);
	for (size_t i = 0; i < n; i++)
		fx_put32(&t, (u32)tables[i]);
	return fx_publish(&t);
}

paddr_t fx_xsdt(const paddr_t *tables, size_t n)
{
	static struct fx_table t;

	fx_begin(&t, "XSDT", 1);
	for (size_t i = 0; i < n; i++)
		fx_put64(&t, tables[i]);
	return fx_publish(&t);
}

void fx_madt_begin(struct fx_table *t, u32 lapic_addr, u32 flags)
{
	fx_begin(t, "APIC", 5);
	fx_put32(t, lapic_addr);
	fx_put32(t, flags);
}

void fx_madt_lapic(struct fx_table *t, u8 uid, u8 apic_id, u32 flags)
{
	u8 e[4] = {0, 8, uid, apic_id};

	fx_put(t, e, 4);
	fx_put32(t, flags);
}

void fx_madt_x2apic(struct fx_table *t, u32 x2apic_id, u32 uid, u32 flags)
{
	u8 e[4] = {9, 16, 0, 0};

	fx_put(t, e, 4);
	fx_put32(t, x2apic_id);
	fx_put32(t, flags);
	fx_put32(t, uid);
}

void fx_madt_ioapic(struct fx_table *t, u8 id, u32 addr, u32 gsi_base)
{
	u8 e[4] = {1, 12, id, 0};

	fx_put(t, e, 4);
	fx_put32(t, addr);
	fx_put32(t, gsi_base);
}

void fx_madt_iso(struct fx_table *t, u8 bus, u8 irq, u32 gsi, u16 flags)
{
	u8 e[4] = {2, 10, bus, irq};

	fx_put(t, e, 4);
	fx_put32(t, gsi);
	fx_put16(t, flags);
}

void fx_madt_lapic_nmi(struct fx_table *t, u8 uid, u16 flags, u8 lint)
{
	u8 e[3] = {4, 6, uid};

	fx_put(t, e, 3);
	fx_put16(t, flags);
	fx_put8(t, lint);
}

void fx_madt_lapic_override(struct fx_table *t, u64 addr)
{
	u8 e[4] = {5, 12, 0, 0};

	fx_put(t, e, 4);
	fx_put64(t, addr);
}

static void fx_put_at_gas(struct fx_table *t, size_t off, const struct acpi_gas *g)
{
	u8 *p = t->buf + off;

	p[0] = g->space_id;
	p[1] = g->bit_width;
	p[2] = g->bit_offset;
	p[3] = g->access_size;
	for (int i = 0; i < 8; i++)
		p[4 + i] = (u8)(g->address >> (8 * i));
}

static void fx_put_at(struct fx_table *t, size_t off, u64 v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		t->buf[off + i] = (u8)(v >> (8 * i));
}

paddr_t fx_fadt(const struct fx_fadt *f)
{
	static struct fx_table t;

	fx_begin(&t, "FACP", f->revision);
	fx_set_len(&t, f->length);
	fx_put_at(&t, 40, f->dsdt, 4);
	fx_put_at(&t, 45, 1, 1); /* preferred PM profile: desktop */
	fx_put_at(&t, 46, f->sci_int, 2);
	fx_put_at(&t, 48, f->smi_cmd, 4);
	fx_put_at(&t, 52, f->acpi_enable, 1);
	fx_put_at(&t, 53, f->acpi_disable, 1);
	fx_put_at(&t, 56, f->pm1a_evt, 4);
	fx_put_at(&t, 60, f->pm1b_evt, 4);
	fx_put_at(&t, 64, f->pm1a_cnt, 4);
	fx_put_at(&t, 68, f->pm1b_cnt, 4);
	fx_put_at(&t, 76, f->pm_tmr, 4);
	fx_put_at(&t, 88, f->pm1_evt_len, 1);
	fx_put_at(&t, 89, f->pm1_cnt_len, 1);
	fx_put_at(&t, 91, f->pm_tmr_len, 1);
	if (f->length >= 111)
		fx_put_at(&t, 109, f->iapc_boot_arch, 2);
	if (f->length >= 116)
		fx_put_at(&t, 112, f->flags, 4);
	if (f->length >= 129) {
		fx_put_at_gas(&t, 116, &f->reset_reg);
		fx_put_at(&t, 128, f->reset_value, 1);
	}
	if (f->length >= 148)
		fx_put_at(&t, 140, f->x_dsdt, 8);
	if (f->length >= 160)
		fx_put_at_gas(&t, 148, &f->x_pm1a_evt);
	if (f->length >= 184)
		fx_put_at_gas(&t, 172, &f->x_pm1a_cnt);
	if (f->length >= 196)
		fx_put_at_gas(&t, 184, &f->x_pm1b_cnt);
	if (f->length >= 220)
		fx_put_at_gas(&t, 208, &f->x_pm_tmr);
	return fx_publish(&t);
}

void fx_fadt_rev1_defaults(struct fx_fadt *f, u32 dsdt)
{
	memset(f, 0, sizeof(*f));
	f->revision = 1;
	f->length = 116;
	f->dsdt = dsdt;
	f->sci_int = 9;
	f->smi_cmd = 0xb2;
	f->acpi_enable = 0xf0;
	f->acpi_disable = 0xf1;
	f->pm1a_evt = 0x400;
	f->pm1a_cnt = 0x404;
	f->pm_tmr = 0x408;
	f->pm1_evt_len = 4;
	f->pm1_cnt_len = 2;
	f->pm_tmr_len = 4;
	f->flags = 0x1; /* WBINVD */
}

void fx_fadt_rev6_defaults(struct fx_fadt *f, u64 dsdt)
{
	memset(f, 0, sizeof(*f));
	f->revision = 6;
	f->length = 276;
	f->dsdt = (u32)dsdt;
	f->x_dsdt = dsdt;
	f->sci_int = 9;
	f->smi_cmd = 0xb2;
	f->acpi_enable = 0xf1;
	f->acpi_disable = 0xf0;
	f->pm1a_evt = 0x600;
	f->pm1a_cnt = 0x604;
	f->pm_tmr = 0x608;
	f->pm1_evt_len = 4;
	f->pm1_cnt_len = 2;
	f->pm_tmr_len = 4;
	f->iapc_boot_arch = ACPI_BOOT_ARCH_LEGACY_DEVICES | ACPI_BOOT_ARCH_8042;
	f->flags = ACPI_FADT_RESET_REG_SUP | 0x1;
	f->reset_reg = (struct acpi_gas){ACPI_GAS_SYSTEM_IO, 8, 0, 1, 0xcf9};
	f->reset_value = 0x06;
	f->x_pm1a_evt = (struct acpi_gas){ACPI_GAS_SYSTEM_IO, 32, 0, 2, 0x600};
	f->x_pm1a_cnt = (struct acpi_gas){ACPI_GAS_SYSTEM_IO, 16, 0, 2, 0x604};
	f->x_pm_tmr = (struct acpi_gas){ACPI_GAS_SYSTEM_IO, 32, 0, 3, 0x608};
}

paddr_t fx_dsdt(const void *aml, size_t len)
{
	static struct fx_table t;

	fx_begin(&t, "DSDT", 2);
	fx_put(&t, aml, len);
	return fx_publish(&t);
}

size_t fx_aml_s5_default(u8 *out, size_t max)
{
	static const u8 aml[] = {
	    /* Scope (\_SB) { Name (_HID, ...) } -- filler the scanner must skip */
	    0x10,
	    0x0c,
	    0x5c,
	    '_',
	    'S',
	    'B',
	    '_',
	    0x08,
	    '_',
	    'H',
	    'I',
	    'D',
	    0x00,
	    /* Name (_S4_, Package (4) { 6, 6, 0, 0 }) */
	    0x08,
	    '_',
	    'S',
	    '4',
	    '_',
	    0x12,
	    0x08,
	    0x04,
	    0x0a,
	    0x06,
	    0x0a,
	    0x06,
	    0x00,
	    0x00,
	    /* Name (\_S5_, Package (4) { 5, 5, 0, 0 }) */
	    0x08,
	    0x5c,
	    '_',
	    'S',
	    '5',
	    '_',
	    0x12,
	    0x08,
	    0x04,
	    0x0a,
	    0x05,
	    0x0a,
	    0x05,
	    0x00,
	    0x00,
	    /* trailing method bytes */
	    0x14,
	    0x08,
	    '_',
	    'P',
	    'T',
	    'S',
	    0x01,
	    0xa4,
	    0x00,
	};

	if (max < sizeof(aml))
		fx_die("aml buffer too small");
	memcpy(out, aml, sizeof(aml));
	return sizeof(aml);
}

paddr_t fx_hpet(u64 base, u8 number, u16 min_tick)
{
	static struct fx_table t;

	fx_begin(&t, "HPET", 1);
	fx_put32(&t, 0x8086a201);
	fx_put_gas(&t, ACPI_GAS_SYSTEM_MEMORY, 64, base);
	fx_put8(&t, number);
	fx_put16(&t, min_tick);
	fx_put8(&t, 0);
	return fx_publish(&t);
}

paddr_t fx_mcfg(u64 base, u16 segment, u8 bus_start, u8 bus_end)
{
	static struct fx_table t;

	fx_begin(&t, "MCFG", 1);
	fx_put64(&t, 0);
	fx_put64(&t, base);
	fx_put16(&t, segment);
	fx_put8(&t, bus_start);
	fx_put8(&t, bus_end);
	fx_put32(&t, 0);
	return fx_publish(&t);
}

void fx_platform(struct fx_platform *p)
{
	static struct fx_table t;
	struct fx_fadt f;
	u8 aml[128];
	size_t aml_len = fx_aml_s5_default(aml, sizeof(aml));
	paddr_t list[5];

	fx_madt_begin(&t, 0xfee00000, 1);
	for (u8 i = 0; i < 4; i++)
		fx_madt_lapic(&t, i, (u8)(i * 2), ACPI_CPU_ENABLED);
	fx_madt_ioapic(&t, 8, 0xfec00000, 0);
	fx_madt_iso(&t, 0, 0, 2, 0);
	fx_madt_iso(&t, 0, 9, 9, 0xd);
	fx_madt_lapic_nmi(&t, 0xff, 0x5, 1);
	p->madt = fx_publish(&t);

	p->dsdt = fx_dsdt(aml, aml_len);
	fx_fadt_rev6_defaults(&f, p->dsdt);
	p->fadt = fx_fadt(&f);
	p->hpet = fx_hpet(0xfed00000, 0, 0x80);
	p->mcfg = fx_mcfg(0xe0000000, 0, 0, 0xff);

	list[0] = p->fadt;
	list[1] = p->madt;
	list[2] = p->hpet;
	list[3] = p->mcfg;
	p->rsdt = fx_rsdt(list, 4);
	p->xsdt = fx_xsdt(list, 4);
	fx_rsdp_v2(p->rsdp, p->rsdt, p->xsdt);
}
