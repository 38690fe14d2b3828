/* names.h: checking a domain's console nodes (decimal numbers) and making its log's file name. */
#ifndef KEEL_CONSOLED_NAMES_H
#define KEEL_CONSOLED_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONS_NAME_MAX 64 /* characters kept of a domain's name */
/* A file name stem: the name, "domain-D", or either with "+D" (names.c); its NUL. */
#define CONS_STEM_SIZE (CONS_NAME_MAX + 16)

#define CONS_GFN_MAX  ((UINT64_C(1) << 40) - 1) /* 52-bit guest-physical addresses */
#define CONS_PORT_MAX ((1u << 17) - 1)		/* the FIFO event channel ABI's last port */

/* @len bytes of @s (a node's value) as a plain decimal number in [@min, @max]: no sign, space
 * or NUL; false otherwise. */
bool cons_parse_number(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out);

/*
 * The log file's stem for domain @domid named by @len bytes of @name (NULL: no name node): the
 * name with every byte outside [A-Za-z0-9._-] (and a leading '.') made '_', cut at
 * CONS_NAME_MAX; "domain-D" when that leaves nothing. @out holds CONS_STEM_SIZE bytes.
 */
void cons_stem(const char *name, size_t len, unsigned int domid, char *out);
/* The stem made unique to @domid when another domain already logs under it: "STEM+D" ('+' never
 * appears in a stem above, so no other domain can have it). */
void cons_stem_unique(char *stem, unsigned int domid);

#endif
