/* Error numbers returned by Keel functions (negated) and, later, by hypercalls: Xen's values. */
#ifndef KEEL_ERRNO_H
#define KEEL_ERRNO_H

#define EPERM	   1
#define ENOENT	   2
#define ESRCH	   3
#define EIO	   5
#define E2BIG	   7
#define EBADF	   9
#define EAGAIN	   11
#define ENOMEM	   12
#define EACCES	   13
#define EFAULT	   14
#define EBUSY	   16
#define EEXIST	   17
#define ENODEV	   19
#define EINVAL	   22
#define ENOSPC	   28
#define ERANGE	   34
#define ELOOP	   40
#define ENOSYS	   38
#define ENODATA	   61
#define EOVERFLOW  75
#define EOPNOTSUPP 95
#define ETIME	   62
#define ETIMEDOUT  110

#endif
