/* FADT ("FACP") parsing: PM1 register blocks, SMI command, reset register, flags, DSDT address. */
#include <keel/acpi.h>
#include <keel/printk.h>
#include <keel/string.h>

#include "acpi_internal.h"

/* FADT field offsets (ACPI 6.x layout; older revisions are prefixes of it). */
#define FADT_DSDT	    40
#define FADT_SCI_INT	    46
#define FADT_SMI_CMD	    48
#define FADT_ACPI_ENABLE    52
#define FADT_ACPI_DISABLE   53
#define FADT_PM1A_EVT_BLK   56
#define FADT_PM1B_EVT_BLK   60
#define FADT_PM1A_CNT_BLK   64
#define FADT_PM1B_CNT_BLK   68
#define FADT_PM_TMR_BLK	    76
#define FADT_PM1_EVT_LEN    88
#define FADT_PM1_CNT_LEN    89
#define FADT_PM_TMR_LEN	    91
#define FADT_CENTURY	    108
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS	    112
#define FADT_RESET_REG	    116
#define FADT_RESET_VALUE    128
#define FADT_X_DSDT	    140
#define FADT_X_PM1A_EVT_BLK 148
#define FADT_X_PM1B_EVT_BLK 160
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM1B_CNT_BLK 184
#define FADT_X_PM_TMR_BLK   208

/*
 * One register block: the 64-bit GAS at @x_off when the revision allows it and its address
 * is non-zero, else a system-I/O GAS built from the 32-bit port at @off and @blk_len bytes.
 */
static void fadt_block(const u8 *t, u32 len, u8 rev, size_t off, size_t x_off, u8 blk_len,
		       struct acpi_gas *g)
{
	if (rev >= 2 && acpi_field_gas(t, len, x_off, g) && g->address) {
		if (!g->bit_width)
			g->bit_width = (u8)(blk_len * 8);
		return;
	}
	memset(g, 0, sizeof(*g));
	g->address = acpi_field32(t, len, off);
	if (g->address) {
		g->space_id = ACPI_GAS_SYSTEM_IO;
		g->bit_width = (u8)(blk_len * 8);
	}
}

static void fadt_reset_reg(const u8 *t, u32 len, struct acpi_fadt_info *fadt)
{
	if (!(fadt->flags & ACPI_FADT_RESET_REG_SUP))
		return;
	if (len < FADT_RESET_VALUE + 1) {
		pr_warn("acpi: FADT claims a reset register but is only %u bytes", len);
		return;
	}
	acpi_field_gas(t, len, FADT_RESET_REG, &fadt->reset_reg);
	fadt->reset_value = t[FADT_RESET_VALUE];
	if (!fadt->reset_reg.address) {
		pr_warn("acpi: FADT reset register has no address");
		return;
	}
	fadt->reset_reg_valid = true;
}

void acpi_fadt_parse(const u8 *t, u32 len, struct acpi_fadt_info *fadt)
{
	u8 rev;
	u8 evt_len, cnt_len, tmr_len;
	u64 x_dsdt;

	memset(fadt, 0, sizeof(*fadt));
	if (len < FADT_FLAGS) {
		/* Even ACPI 1.0 FADTs are 116 bytes; anything shorter lacks the PM1 blocks' lengths. */
		pr_warn("acpi: FADT too short (%u bytes), skipped", len);
		return;
	}
	rev = t[ACPI_HDR_REVISION];
	fadt->present = true;
	fadt->revision = rev;
	fadt->flags = acpi_field32(t, len, FADT_FLAGS);
	fadt->sci_int = acpi_field16(t, len, FADT_SCI_INT);
	fadt->smi_cmd = acpi_field32(t, len, FADT_SMI_CMD);
	fadt->acpi_enable = acpi_field8(t, len, FADT_ACPI_ENABLE);
	fadt->acpi_disable = acpi_field8(t, len, FADT_ACPI_DISABLE);
	fadt->century = acpi_field8(t, len, FADT_CENTURY);
	if (rev >= 2)
		fadt->iapc_boot_arch = acpi_field16(t, len, FADT_IAPC_BOOT_ARCH);

	evt_len = acpi_field8(t, len, FADT_PM1_EVT_LEN);
	cnt_len = acpi_field8(t, len, FADT_PM1_CNT_LEN);
	tmr_len = acpi_field8(t, len, FADT_PM_TMR_LEN);
	/* PM1x_EVT_BLK holds the status and the enable register, each half of the block. */
	fadt_block(t, len, rev, FADT_PM1A_EVT_BLK, FADT_X_PM1A_EVT_BLK, evt_len, &fadt->pm1a_evt);
	fadt_block(t, len, rev, FADT_PM1B_EVT_BLK, FADT_X_PM1B_EVT_BLK, evt_len, &fadt->pm1b_evt);
	fadt_block(t, len, rev, FADT_PM1A_CNT_BLK, FADT_X_PM1A_CNT_BLK, cnt_len, &fadt->pm1a_cnt);
	fadt_block(t, len, rev, FADT_PM1B_CNT_BLK, FADT_X_PM1B_CNT_BLK, cnt_len, &fadt->pm1b_cnt);
	fadt_block(t, len, rev, FADT_PM_TMR_BLK, FADT_X_PM_TMR_BLK, tmr_len, &fadt->pm_tmr);

	fadt_reset_reg(t, len, fadt);

	fadt->dsdt32_addr = acpi_field32(t, len, FADT_DSDT);
	x_dsdt = rev >= 2 ? acpi_field64(t, len, FADT_X_DSDT) : 0;
	fadt->dsdt_addr = x_dsdt ? x_dsdt : fadt->dsdt32_addr;
	if (x_dsdt && fadt->dsdt32_addr && x_dsdt != fadt->dsdt32_addr)
		pr_warn("acpi: FADT DSDT 0x%x and X_DSDT 0x%llx differ, using X_DSDT",
			fadt->dsdt32_addr, (unsigned long long)x_dsdt);
	if (!(fadt->flags & ACPI_FADT_HW_REDUCED) && !fadt->pm1a_cnt.address)
		pr_warn("acpi: FADT has no PM1a control block");
}
