/* A tiny AML pattern reader: finds Name(\_S5, Package(){...}) in the DSDT for SLP_TYPa/b. */
#include <keel/acpi.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>

#include "acpi_internal.h"

#define AML_ZERO_OP	 0x00
#define AML_ONE_OP	 0x01
#define AML_NAME_OP	 0x08
#define AML_BYTE_PREFIX	 0x0a
#define AML_WORD_PREFIX	 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP	 0x12
#define AML_ROOT_CHAR	 0x5c
#define AML_ONES_OP	 0xff

#define SLP_TYP_MASK 0x7

/*
 * Decode a PkgLength at @p (@avail bytes readable): the top two bits of the lead byte give
 * the number of following bytes. Returns the encoded length (which counts the PkgLength
 * bytes themselves) with its own size in *@size, or -EINVAL if truncated.
 */
static int aml_pkglength(const u8 *p, size_t avail, size_t *pkglen, size_t *size)
{
	size_t follow, v;

	if (avail < 1)
		return -EINVAL;
	follow = p[0] >> 6;
	if (avail < 1 + follow)
		return -EINVAL;
	if (follow == 0) {
		v = p[0] & 0x3f;
	} else {
		v = p[0] & 0x0f;
		for (size_t i = 1; i <= follow; i++)
			v |= (size_t)p[i] << (4 + 8 * (i - 1));
	}
	*pkglen = v;
	*size = 1 + follow;
	return 0;
}

/* Decode one integer data object; returns its encoded size, or 0 if truncated/unsupported. */
static size_t aml_integer(const u8 *p, size_t avail, u64 *val)
{
	if (avail < 1)
		return 0;
	switch (p[0]) {
	case AML_ZERO_OP:
		*val = 0;
		return 1;
	case AML_ONE_OP:
		*val = 1;
		return 1;
	case AML_ONES_OP:
		*val = ~0ull;
		return 1;
	case AML_BYTE_PREFIX:
		if (avail < 2)
			return 0;
		*val = p[1];
		return 2;
	case AML_WORD_PREFIX:
		if (avail < 3)
			return 0;
		*val = acpi_get16(p + 1);
		return 3;
	case AML_DWORD_PREFIX:
		if (avail < 5)
			return 0;
		*val = acpi_get32(p + 1);
		return 5;
	case AML_QWORD_PREFIX:
		if (avail < 9)
			return 0;
		*val = acpi_get64(p + 1);
		return 9;
	default:
		return 0;
	}
}

/* Parse the package whose PackageOp is at @aml[@op]; fills @s5 or returns -EINVAL. */
static int aml_parse_s5_package(const u8 *aml, size_t len, size_t op, struct acpi_s5_info *s5)
{
	size_t pos = op + 1, pkglen, lensize, end;
	u64 val[2] = {0, 0};
	unsigned int nelem;

	if (aml_pkglength(aml + pos, len - pos, &pkglen, &lensize)) {
		pr_warn("acpi: \\_S5 package length truncated");
		return -EINVAL;
	}
	if (pkglen < lensize + 1) {
		pr_warn("acpi: \\_S5 package length %zu too small", pkglen);
		return -EINVAL;
	}
	end = pos + pkglen;
	if (end > len) {
		pr_warn("acpi: \\_S5 package runs past the DSDT");
		return -EINVAL;
	}
	pos += lensize;
	nelem = aml[pos++];
	if (nelem < 1) {
		pr_warn("acpi: \\_S5 package is empty");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < 2 && i < nelem; i++) {
		size_t used = aml_integer(aml + pos, end - pos, &val[i]);

		if (!used) {
			pr_warn("acpi: \\_S5 element %u truncated or not a constant integer", i);
			return -EINVAL;
		}
		pos += used;
	}
	if (nelem < 2)
		val[1] = val[0]; /* a single value serves both registers */
	if (val[0] > SLP_TYP_MASK || val[1] > SLP_TYP_MASK)
		pr_warn("acpi: \\_S5 values 0x%llx/0x%llx wider than SLP_TYP, low bits used",
			(unsigned long long)val[0], (unsigned long long)val[1]);
	s5->slp_typa = (u8)(val[0] & SLP_TYP_MASK);
	s5->slp_typb = (u8)(val[1] & SLP_TYP_MASK);
	s5->valid = true;
	return 0;
}

int acpi_aml_find_s5(const u8 *aml, size_t len, struct acpi_s5_info *s5)
{
	int rc = -ENOENT;

	memset(s5, 0, sizeof(*s5));
	for (size_t i = 1; i + 4 <= len; i++) {
		bool named;

		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		named = aml[i - 1] == AML_NAME_OP ||
			(i >= 2 && aml[i - 1] == AML_ROOT_CHAR && aml[i - 2] == AML_NAME_OP);
		if (!named)
			continue;
		if (i + 4 >= len) {
			pr_warn("acpi: \\_S5 truncated after its name");
			rc = -EINVAL;
			break;
		}
		if (aml[i + 4] != AML_PACKAGE_OP) {
			pr_warn("acpi: \\_S5 is not a package (opcode 0x%x)", aml[i + 4]);
			rc = -EINVAL;
			continue;
		}
		if (aml_parse_s5_package(aml, len, i + 4, s5) == 0)
			return 0;
		rc = -EINVAL;
	}
	return rc;
}
