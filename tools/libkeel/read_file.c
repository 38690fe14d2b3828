/* libkeel: keel_read_file, a bounded whole-file read for the tools' kernels and initrds. */
#include "read_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

void *keel_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;
	int err = 0;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		err = errno ? errno : EIO;
	else if ((size_t)n > max)
		err = EFBIG;
	else if (!(buf = malloc((size_t)n + 1)))
		err = ENOMEM;
	else if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		err = EIO;
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}
