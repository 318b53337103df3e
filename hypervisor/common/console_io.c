/* console_io: a guest's writes to its console, which keel keeps and may print (keel/guest_console.h). */
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <public/xen.h>

#define CONSOLE_IO_MAX 65536	/* bytes per call, as Xen caps guest writes */
#define CHUNK 128

/*
 * A write runs in chunks; between them it yields to pending work with a
 * continuation for the rest (printing dom0's output at 115200 baud takes a
 * while), as Xen's guest_console_write() does.
 */
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

		if (done && hypercall_preempt_check()) {
			unsigned long args[3] = { CONSOLEIO_write, len - done,
						  buf + done };

			return hypercall_create_continuation(v, __HYPERVISOR_console_io,
							     args, ARRAY_SIZE(args));
		}
		if (copy_from_guest(v, chunk, buf + done, n))
			return -EFAULT;
		domain_console_write(v->domain, chunk, n);
		done += n;
	}
	return 0;
}
