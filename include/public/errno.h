/* Guest ABI: the error numbers hypercalls return, negated (Xen uses the Linux x86 values). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_ERRNO_H
#define KEEL_PUBLIC_ERRNO_H

/*
 * A hypercall returns -E<name> on failure. The names are the classic errno names so that this
 * header and a C library's or Keel's own errno.h agree token for token where they overlap.
 */
#define EPERM	      1
#define ENOENT	      2
#define ESRCH	      3
#define EINTR	      4
#define EIO	      5
#define ENXIO	      6
#define E2BIG	      7
#define EBADF	      9
#define EAGAIN	      11
#define ENOMEM	      12
#define EACCES	      13
#define EFAULT	      14
#define EBUSY	      16
#define EEXIST	      17
#define EXDEV	      18
#define ENODEV	      19
#define EINVAL	      22
#define ENFILE	      23
#define EMFILE	      24
#define ENOSPC	      28
#define EROFS	      30
#define EMLINK	      31
#define EDOM	      33
#define ERANGE	      34
#define EDEADLK	      35
#define ENAMETOOLONG  36
#define ENOLCK	      37
#define ENOSYS	      38
#define ENOTEMPTY     39
#define ELOOP	      40
#define ENODATA	      61
#define ETIME	      62
#define EBADMSG	      74
#define EOVERFLOW     75
#define EILSEQ	      84
#define ERESTART      85
#define ENOTSOCK      88
#define EOPNOTSUPP    95
#define EADDRINUSE    98
#define EADDRNOTAVAIL 99
#define ENOBUFS	      105
#define EISCONN	      106
#define ENOTCONN      107
#define ETIMEDOUT     110
#define ECONNREFUSED  111

#endif
