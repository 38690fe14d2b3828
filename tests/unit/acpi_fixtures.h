/* Builders for fake ACPI tables in host memory (each table its own exact-size allocation). */
#ifndef ACPI_FIXTURES_H
#define ACPI_FIXTURES_H

#include <keel/acpi.h>
#include <keel/types.h>

/* ---- shim_acpi.c: bounded physical-address map and captured log ---- */
void shim_acpi_map(void *virt, size_t len, paddr_t pa);
void shim_acpi_unmap_all(void);
void shim_log_clear(void);
bool shim_log_contains(const char *text);
const char *shim_log_text(void);

/* ---- acpi_fixtures.c ---- */
#define FX_TABLE_MAX 8192

/* A table under construction; fx_publish() copies it into its own mapped allocation. */
struct fx_table {
	u8 buf[FX_TABLE_MAX];
	size_t len;
};

void fx_init(void); /* forget all published tables (and free them) */
void fx_fini(void);

/* Copy @len bytes into a new allocation of exactly @len bytes, mapped at a fresh "physical" address. */
paddr_t fx_publish_raw(const void *data, size_t len);
/* Set the header length (unless @keep_len) and checksum of @t, then publish it. */
paddr_t fx_publish(struct fx_table *t);
paddr_t fx_publish_keep_len(struct fx_table *t);
/* Pointer to a published table, for corrupting it afterwards. */
u8 *fx_virt(paddr_t pa);
/* Recompute the checksum byte of the published table at @pa over its header length. */
void fx_fix_checksum(u8 *table);

void fx_begin(struct fx_table *t, const char *sig, u8 rev);
void fx_put8(struct fx_table *t, u8 v);
void fx_put16(struct fx_table *t, u16 v);
void fx_put32(struct fx_table *t, u32 v);
void fx_put64(struct fx_table *t, u64 v);
void fx_put(struct fx_table *t, const void *data, size_t len);
void fx_put_gas(struct fx_table *t, u8 space, u8 width, u64 addr);
void fx_set_len(struct fx_table *t, size_t len); /* zero-extend or truncate the buffer */

/* RSDP copies as the boot loader would hand them over. */
void fx_rsdp_v1(u8 out[ACPI_RSDP_V1_LEN], paddr_t rsdt);
void fx_rsdp_v2(u8 out[ACPI_RSDP_V2_LEN], paddr_t rsdt, paddr_t xsdt);

paddr_t fx_rsdt(const paddr_t *tables, size_t n);
paddr_t fx_xsdt(const paddr_t *tables, size_t n);

/* MADT entries. */
void fx_madt_begin(struct fx_table *t, u32 lapic_addr, u32 flags);
void fx_madt_lapic(struct fx_table *t, u8 uid, u8 apic_id, u32 flags);
void fx_madt_x2apic(struct fx_table *t, u32 x2apic_id, u32 uid, u32 flags);
void fx_madt_ioapic(struct fx_table *t, u8 id, u32 addr, u32 gsi_base);
void fx_madt_iso(struct fx_table *t, u8 bus, u8 irq, u32 gsi, u16 flags);
void fx_madt_lapic_nmi(struct fx_table *t, u8 uid, u16 flags, u8 lint);
void fx_madt_lapic_override(struct fx_table *t, u64 addr);

/* FADT contents; fields left zero are written as zero. */
struct fx_fadt {
	u8 revision;
	u32 length; /* 116 for ACPI 1.0, 276 for ACPI 6 */
	u32 dsdt;
	u64 x_dsdt;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable;
	u32 pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt, pm_tmr;
	u8 pm1_evt_len, pm1_cnt_len, pm_tmr_len;
	u16 iapc_boot_arch;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	struct acpi_gas x_pm1a_evt, x_pm1a_cnt, x_pm1b_cnt, x_pm_tmr;
};
paddr_t fx_fadt(const struct fx_fadt *f);
/* A typical ACPI 1.0 FADT (rev 1, 116 bytes) / ACPI 6 FADT with X_ fields and reset register. */
void fx_fadt_rev1_defaults(struct fx_fadt *f, u32 dsdt);
void fx_fadt_rev6_defaults(struct fx_fadt *f, u64 dsdt);

/* A DSDT whose body is @aml. */
paddr_t fx_dsdt(const void *aml, size_t len);
/* AML for Name(\_S5, Package(4){5, 5, 0, 0}) surrounded by other bytes; returns its length. */
size_t fx_aml_s5_default(u8 *out, size_t max);

paddr_t fx_hpet(u64 base, u8 number, u16 min_tick);
paddr_t fx_mcfg(u64 base, u16 segment, u8 bus_start, u8 bus_end);

/* A whole platform: XSDT+RSDT with MADT (4 CPUs, 1 IOAPIC, 2 ISOs), FADT rev 6, DSDT, HPET, MCFG. */
struct fx_platform {
	u8 rsdp[ACPI_RSDP_V2_LEN];
	paddr_t rsdt, xsdt, madt, fadt, dsdt, hpet, mcfg;
};
void fx_platform(struct fx_platform *p);

#endif
