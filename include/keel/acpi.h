/* ACPI: the facts Keel takes from the firmware tables (MADT, FADT, \_S5, HPET, MCFG) and power control. */
#ifndef KEEL_ACPI_H
#define KEEL_ACPI_H

#include <keel/types.h>

#define ACPI_MAX_CPUS	   256
#define ACPI_MAX_IOAPICS   16
#define ACPI_MAX_ISOS	   48	      /* interrupt source overrides */
#define ACPI_MAX_TABLES	   64	      /* signatures remembered for the summary */
#define ACPI_MAX_TABLE_LEN (1u << 20) /* a longer table is treated as corrupt */

#define ACPI_RSDP_V1_LEN   20
#define ACPI_RSDP_V2_LEN   36
#define ACPI_TABLE_HDR_LEN 36

/* Generic Address Structure address spaces Keel can reach. */
#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO     1
#define ACPI_GAS_PCI_CONFIG    2

/* A Generic Address Structure, unpacked. An address of 0 means "not present". */
struct acpi_gas {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	u64 address;
};

/* MADT processor flags (xAPIC and x2APIC entries). */
#define ACPI_CPU_ENABLED	(1u << 0)
#define ACPI_CPU_ONLINE_CAPABLE (1u << 1)

struct acpi_cpu {
	u32 apic_id;
	u32 acpi_uid;
	u32 flags;   /* ACPI_CPU_* */
	bool x2apic; /* came from a type 9 (x2APIC) entry */
};

struct acpi_ioapic {
	u8 id;
	u32 address;
	u32 gsi_base;
};

/* Interrupt source override: ISA IRQ @source_irq is wired to @gsi with MPS INTI @flags. */
struct acpi_iso {
	u8 bus;
	u8 source_irq;
	u32 gsi;
	u16 flags;
};

struct acpi_madt_info {
	bool present;
	bool pcat_compat; /* dual 8259s are present (MADT flags bit 0) */
	u32 flags;
	u64 lapic_addr; /* the 64-bit override (entry type 5) applied when present */
	unsigned int nr_cpus;
	unsigned int nr_cpus_enabled;
	unsigned int nr_cpus_dropped; /* entries beyond ACPI_MAX_CPUS */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned int nr_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int nr_isos;
	struct acpi_iso isos[ACPI_MAX_ISOS];
	unsigned int nr_lapic_nmis; /* type 4 and 0xA entries (counted, otherwise ignored) */
};

/* FADT flags Keel cares about. */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED	(1u << 20)

/* IAPC_BOOT_ARCH bits. */
#define ACPI_BOOT_ARCH_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_ARCH_8042	      (1u << 1)
#define ACPI_BOOT_ARCH_NO_VGA	      (1u << 2)
#define ACPI_BOOT_ARCH_NO_MSI	      (1u << 3)
#define ACPI_BOOT_ARCH_NO_CMOS_RTC    (1u << 5)

struct acpi_fadt_info {
	bool present;
	u8 revision;
	u32 flags;
	u16 iapc_boot_arch; /* 0 before FADT revision 2 */
	u16 sci_int;
	u32 smi_cmd; /* I/O port; 0: no SMI command port */
	u8 acpi_enable;
	u8 acpi_disable;
	u8 century; /* CMOS index of the RTC's century register; 0: none */
	/* Register blocks: the X_ GAS when rev >= 2 and non-zero, else built from the 32-bit field. */
	struct acpi_gas pm1a_evt, pm1b_evt;
	struct acpi_gas pm1a_cnt, pm1b_cnt;
	struct acpi_gas pm_tmr;
	bool reset_reg_valid; /* RESET_REG_SUP set and the register is present */
	struct acpi_gas reset_reg;
	u8 reset_value;
	u64 dsdt_addr;	 /* X_DSDT when non-zero (rev >= 2), else DSDT */
	u32 dsdt32_addr; /* the 32-bit DSDT field, tried when dsdt_addr is unusable */
};

/* SLP_TYPa/b values for the soft-off state, from the DSDT's \_S5 package. */
struct acpi_s5_info {
	bool valid;
	u8 slp_typa;
	u8 slp_typb;
};

struct acpi_hpet_info {
	bool present;
	u32 event_timer_block_id;
	struct acpi_gas base; /* address = register block */
	u8 hpet_number;
	u16 min_tick;
};

struct acpi_mcfg_info {
	bool present;
	u64 ecam_base; /* segment group 0 */
	u8 bus_start;
	u8 bus_end;
};

struct acpi_info {
	u8 rsdp_revision;
	bool xsdt;	   /* the root table used is the XSDT */
	paddr_t root_addr; /* physical address of the RSDT/XSDT used */
	char oem_id[7];	   /* NUL-terminated */
	unsigned int nr_tables;
	char tables[ACPI_MAX_TABLES][5]; /* signatures of the valid tables found (and DSDT) */
	bool has_dmar;
	bool has_ivrs;
	struct acpi_madt_info madt;
	struct acpi_fadt_info fadt;
	struct acpi_s5_info s5;
	struct acpi_hpet_info hpet;
	struct acpi_mcfg_info mcfg;
};

/* True when the bytes at @p sum to zero modulo 256 (the ACPI checksum rule). */
bool acpi_checksum_ok(const void *p, size_t len);

/*
 * Parse the firmware tables starting from a copy of the RSDP (@rsdp_len bytes: 20 for v1,
 * 36 for v2) into @out. Table addresses are reached through paddr_to_virt(); a table that is
 * unmapped, malformed or fails its checksum is skipped with a warning. Returns 0 when the
 * RSDP and a root table (XSDT preferred, else RSDT) were usable, -EINVAL for a bad RSDP,
 * -ENODEV when no root table could be used. @out is always fully initialised.
 */
int acpi_parse(const void *rsdp, size_t rsdp_len, struct acpi_info *out);

/* True when @ai has a table with signature @sig (4 characters). */
bool acpi_has_table(const struct acpi_info *ai, const char *sig);
/*
 * The table at @pa, checked (mapped, signature @sig unless NULL, length, checksum), with its
 * length in *@len; NULL (logged) when unusable.
 */
const u8 *acpi_map_table(paddr_t pa, const char *sig, u32 *len);

/* ---- power control (drivers/acpi/power.c, x86) ---- */

/* Remember what poweroff and reset need from @ai (copied; @ai may go away afterwards). */
void acpi_power_init(const struct acpi_info *ai);

/*
 * Enter S5 (soft off) through PM1a/PM1b_CNT. Returns -ENODEV without an FADT or PM1 block,
 * -ENOENT without \_S5, -EOPNOTSUPP on HW-reduced platforms, -EIO if the machine is still
 * running after the write.
 */
int acpi_poweroff(void);

/*
 * Write the FADT reset register (system I/O, memory or PCI config space). Returns -ENODEV
 * when the FADT offers none, -EOPNOTSUPP for an unusable register; 0 after the write (the
 * caller should wait, then try something else).
 */
int acpi_reset(void);

#endif
