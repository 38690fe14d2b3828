/* perms.c: xenstore node permissions: the "r0\0w5\0" text form and the access check. */
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

static bool parse_entry(const char *s, struct xs_perm *p)
{
	char *end;
	unsigned long id;

	if (s[0] == '\0' || !strchr("nrwb", s[0]) || s[1] < '0' || s[1] > '9')
		return false;
	id = strtoul(s + 1, &end, 10);
	if (*end != '\0' || id > 0x7fff)
		return false;
	p->access = s[0];
	p->domid = (unsigned int)id;
	return true;
}

GArray *xs_perms_parse(const char *buf, size_t len)
{
	GArray *perms = g_array_new(FALSE, FALSE, sizeof(struct xs_perm));
	size_t at = 0;

	while (at < len) {
		const char *nul = memchr(buf + at, '\0', len - at);
		struct xs_perm p;

		if (!nul || !parse_entry(buf + at, &p)) {
			g_array_free(perms, TRUE);
			return NULL;
		}
		g_array_append_val(perms, p);
		at = (size_t)(nul - buf) + 1;
	}
	if (perms->len == 0) {
		g_array_free(perms, TRUE);
		return NULL;
	}
	return perms;
}

void xs_perms_format(const GArray *perms, GByteArray *out)
{
	for (guint i = 0; i < perms->len; i++) {
		const struct xs_perm *p = &g_array_index(perms, struct xs_perm, i);
		char text[16];
		int n = g_snprintf(text, sizeof(text), "%c%u", p->access, p->domid);

		g_byte_array_append(out, (const guint8 *)text, (guint)n + 1);
	}
}

GArray *xs_perms_copy(const GArray *perms)
{
	GArray *copy = g_array_sized_new(FALSE, FALSE, sizeof(struct xs_perm), perms->len);

	g_array_append_vals(copy, perms->data, perms->len);
	return copy;
}

static unsigned int letter_rights(char access)
{
	switch (access) {
	case 'r':
		return XS_PERM_READ;
	case 'w':
		return XS_PERM_WRITE;
	case 'b':
		return XS_PERM_READ | XS_PERM_WRITE;
	default:
		return 0;
	}
}

static unsigned int rights_of(const GArray *perms, unsigned int domid)
{
	const struct xs_perm *owner = &g_array_index(perms, struct xs_perm, 0);

	if (owner->domid == domid)
		return XS_PERM_READ | XS_PERM_WRITE;
	for (guint i = 1; i < perms->len; i++) {
		const struct xs_perm *p = &g_array_index(perms, struct xs_perm, i);

		if (p->domid == domid)
			return letter_rights(p->access);
	}
	return letter_rights(owner->access);
}

unsigned int xs_perms_access(const GArray *perms, unsigned int domid, int target)
{
	unsigned int rights = rights_of(perms, domid);

	if (target >= 0)
		rights |= rights_of(perms, (unsigned int)target);
	return rights;
}
