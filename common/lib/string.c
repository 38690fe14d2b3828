/* Freestanding memory and string routines declared in include/keel/string.h. */
#include <keel/string.h>

/*
 * GCC may recognise the byte loops below as memset/memcpy idioms and replace them with calls to
 * the very functions being defined (infinite recursion). Forbid that transformation here.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif

/* Word accesses may alias any object type (the kernel builds with strict aliasing). */
typedef unsigned long __attribute__((may_alias)) word_t;
#define WORD_SIZE sizeof(word_t)

static inline bool both_word_aligned(const void *a, const void *b)
{
	return (((unsigned long)a | (unsigned long)b) & (WORD_SIZE - 1)) == 0;
}

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;
	unsigned char byte = (unsigned char)c;

	while (n && ((unsigned long)p & (WORD_SIZE - 1))) {
		*p++ = byte;
		n--;
	}
	if (n >= WORD_SIZE) {
		word_t pattern = (word_t)byte * (word_t)0x0101010101010101ULL;
		word_t *w = (word_t *)p;

		while (n >= WORD_SIZE) {
			*w++ = pattern;
			n -= WORD_SIZE;
		}
		p = (unsigned char *)w;
	}
	while (n--)
		*p++ = byte;
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (both_word_aligned(d, s)) {
		word_t *wd = (word_t *)d;
		const word_t *ws = (const word_t *)s;

		while (n >= WORD_SIZE) {
			*wd++ = *ws++;
			n -= WORD_SIZE;
		}
		d = (unsigned char *)wd;
		s = (const unsigned char *)ws;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	/* Copying forwards is safe unless the destination starts inside the source. */
	if ((unsigned long)d - (unsigned long)s >= n)
		return memcpy(dst, src, n);
	d += n;
	s += n;
	while (n--)
		*--d = *--s;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;

	for (; n; n--, pa++, pb++) {
		if (*pa != *pb)
			return *pa < *pb ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;

	while (*pa && *pa == *pb) {
		pa++;
		pb++;
	}
	if (*pa == *pb)
		return 0;
	return *pa < *pb ? -1 : 1;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;

	for (; n; n--, pa++, pb++) {
		if (*pa != *pb)
			return *pa < *pb ? -1 : 1;
		if (!*pa)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
