/* pty.c: the files a domain's console is served through: its pty pair and its log file. */
#define _GNU_SOURCE /* posix_openpt, ptsname_r */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "consoled.h"

int cons_pty_open(int *master, int *slave, char *path, size_t size)
{
	struct termios t;
	int m, s = -1, e, flags;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0)
		return -errno;
	if (grantpt(m) || unlockpt(m))
		goto fail;
	e = ptsname_r(m, path, size);
	if (e) {
		errno = e;
		goto fail;
	}
	flags = fcntl(m, F_GETFL);
	if (flags < 0 || fcntl(m, F_SETFL, flags | O_NONBLOCK) || fcntl(m, F_SETFD, FD_CLOEXEC))
		goto fail;
	/* Held open by us: with no slave open at all the master reports a hang-up, endlessly. */
	s = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (s < 0 || tcgetattr(s, &t))
		goto fail;
	cfmakeraw(&t);
	if (tcsetattr(s, TCSANOW, &t))
		goto fail;
	*master = m;
	*slave = s;
	return 0;
fail:
	e = errno ? errno : EIO;
	if (s >= 0)
		close(s);
	close(m);
	return -e;
}

int cons_log_open(const char *dir, const char *stem, char **path)
{
	struct stat st;
	int fd, e;

	*path = g_strdup_printf("%s/%s.log", dir, stem);
	if (g_mkdir_with_parents(dir, 0755) < 0)
		return -errno;
	/* Non-blocking: a FIFO planted there fails rather than waits; no symbolic links. */
	fd = open(*path,
		  O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		  0640);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = EINVAL; /* not a regular file */
	else
		return fd;
	close(fd);
	return -e;
}

bool cons_log_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = ENOSPC;
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}
