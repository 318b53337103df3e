/* console_io: guest writes to keel's console, one "(dN) " prefixed line at a time. */
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <public/xen.h>

#define CONSOLE_IO_MAX 65536	/* bytes per call, as Xen caps guest writes */
#define CHUNK 128

long do_console_io(struct vcpu *v, int cmd, u64 len, u64 buf)
{
	char chunk[CHUNK];
	u64 done = 0;

	if (cmd != CONSOLEIO_write)
		return -ENOSYS;
	if (len > CONSOLE_IO_MAX)
		return -EINVAL;
	while (done < len) {
		u64 n = MIN((u64)CHUNK, len - done);

		if (copy_from_guest(v, chunk, buf + done, n))
			return -EFAULT;
		domain_console_write(v->domain, chunk, n);
		done += n;
	}
	return 0;
}
