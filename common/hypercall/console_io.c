/* console_io: guest output on Keel's console, prefixed by the domain; dom0 reads its input. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/vcpu.h>
#include <public/console_io.h>

#include "handlers.h"

/* One call writes at most this much; a larger count is refused, not truncated. */
#define CONSOLE_IO_MAX 16384

/* The privileged domain's console input (typed while it has the focus): the bytes read. */
static long console_read(struct vcpu *v, u64 count, u64 buf)
{
	char chunk[DOMAIN_CONSOLE_INPUT_SIZE];
	size_t n;

	if (!v->domain->privileged)
		return -EPERM;
	n = domain_console_read(v->domain, chunk, (size_t)MIN(count, (u64)sizeof(chunk)));
	if (n && copy_to_guest(v, buf, chunk, n))
		return -EFAULT; /* the bytes are lost, as on a UART read into a bad buffer */
	return (long)n;
}

/*
 * The bytes are only buffered while they are copied; the lines they complete are written after
 * the copy, by this vCPU, with no lock held and interrupts on (domain_console_flush).
 */
long do_console_io(struct vcpu *v, const u64 *args)
{
	u64 cmd = args[0], count = args[1], buf = args[2];
	char chunk[128];
	long rc = 0;

	if (cmd == CONSOLEIO_read)
		return console_read(v, count, buf);
	if (cmd != CONSOLEIO_write)
		return -EINVAL;
	if (count > CONSOLE_IO_MAX)
		return -EINVAL;
	for (u64 done = 0; done < count;) {
		size_t n = (size_t)MIN(count - done, (u64)sizeof(chunk));

		if (copy_from_guest(v, chunk, buf + done, n)) {
			rc = -EFAULT;
			break;
		}
		domain_console_write(v->domain, chunk, n);
		done += n;
	}
	domain_console_flush(v->domain);
	return rc;
}
