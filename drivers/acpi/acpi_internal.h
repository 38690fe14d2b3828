/* Private to drivers/acpi: bounded little-endian readers and the per-table parsers. */
#ifndef KEEL_ACPI_INTERNAL_H
#define KEEL_ACPI_INTERNAL_H

#include <keel/acpi.h>
#include <keel/types.h>

/* Byte offsets of the common table header fields. */
#define ACPI_HDR_SIGNATURE 0
#define ACPI_HDR_LENGTH	   4
#define ACPI_HDR_REVISION  8
#define ACPI_HDR_CHECKSUM  9

#define ACPI_GAS_LEN 12

/* Unaligned little-endian loads (tables are byte-packed). */
static inline u16 acpi_get16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static inline u32 acpi_get32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24);
}

static inline u64 acpi_get64(const u8 *p)
{
	return (u64)acpi_get32(p) | ((u64)acpi_get32(p + 4) << 32);
}

/* Bounded loads: 0 when the field does not fit in the first @len bytes of @t. */
static inline u8 acpi_field8(const u8 *t, size_t len, size_t off)
{
	return off < len ? t[off] : 0;
}

static inline u16 acpi_field16(const u8 *t, size_t len, size_t off)
{
	return off + 2 <= len ? acpi_get16(t + off) : 0;
}

static inline u32 acpi_field32(const u8 *t, size_t len, size_t off)
{
	return off + 4 <= len ? acpi_get32(t + off) : 0;
}

static inline u64 acpi_field64(const u8 *t, size_t len, size_t off)
{
	return off + 8 <= len ? acpi_get64(t + off) : 0;
}

/* Unpack a 12-byte GAS at @off; false (and *@g zeroed) when it does not fit in @len. */
bool acpi_field_gas(const u8 *t, size_t len, size_t off, struct acpi_gas *g);

/* Copy a 4-byte signature into a printable NUL-terminated string (odd bytes become '?'). */
void acpi_sig_str(const u8 *sig, char out[5]);

/* acpi_map_table() (keel/acpi.h) maps and validates one table. */

/* Per-table parsers: @t is a validated table of @len bytes. */
void acpi_madt_parse(const u8 *t, u32 len, struct acpi_madt_info *madt);
void acpi_fadt_parse(const u8 *t, u32 len, struct acpi_fadt_info *fadt);
void acpi_hpet_parse(const u8 *t, u32 len, struct acpi_hpet_info *hpet);
void acpi_mcfg_parse(const u8 *t, u32 len, struct acpi_mcfg_info *mcfg);

/*
 * Find Name(\_S5, Package(){a, b, ...}) in the AML byte stream @aml of @len bytes (the DSDT
 * body). Returns 0 and fills @s5, -ENOENT when there is no \_S5 package, -EINVAL when one is
 * found but truncated or encoded in a way Keel does not understand.
 */
int acpi_aml_find_s5(const u8 *aml, size_t len, struct acpi_s5_info *s5);

#endif
