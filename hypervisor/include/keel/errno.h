/* Error numbers: the Xen/Linux values, returned negated as in Xen's public ABI. */
#ifndef KEEL_ERRNO_H
#define KEEL_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ENOTEMPTY 39
#define ENODATA 61
#define ETIME 62
#define EOVERFLOW 75
#define ERESTART 85	/* keel-internal: a hypercall continuation was made */
#define EOPNOTSUPP 95
#define ENOBUFS 105
#define ETIMEDOUT 110

#endif
