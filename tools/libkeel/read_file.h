/* libkeel: a whole file (a kernel, an initrd) read into memory, bounded. */
#ifndef LIBKEEL_READ_FILE_H
#define LIBKEEL_READ_FILE_H

#include <stddef.h>

/* The largest kernel or initrd file the tools read. */
#define KEEL_MAX_IMAGE_FILE (256u << 20)

/*
 * @path's contents (malloc'd; the caller frees them) and *@len, or NULL with errno set (EFBIG
 * when the file is over @max bytes, EIO when it could not be read whole).
 */
void *keel_read_file(const char *path, size_t max, size_t *len);

#endif
