/* keel_domctl wrappers over the hypervisor backend, one per command. */
#include <errno.h>
#include <string.h>
#include "hv.h"
#include "util.h"

const char *hv_cmd_name(uint32_t cmd)
{
	static const char *const names[] = {
		[KEEL_DOMCTL_create] = "create",
		[KEEL_DOMCTL_set_memory] = "set_memory",
		[KEEL_DOMCTL_set_boot] = "set_boot",
		[KEEL_DOMCTL_unpause] = "unpause",
		[KEEL_DOMCTL_pause] = "pause",
		[KEEL_DOMCTL_destroy] = "destroy",
		[KEEL_DOMCTL_getinfo] = "getinfo",
		[KEEL_DOMCTL_list] = "list",
		[KEEL_DOMCTL_set_sched] = "set_sched",
		[KEEL_DOMCTL_set_actions] = "set_actions",
		[KEEL_DOMCTL_shutdown] = "shutdown",
		[KEEL_DOMCTL_physinfo] = "physinfo",
		[KEEL_DOMCTL_console_read] = "console_read",
		[KEEL_DOMCTL_console_write] = "console_write",
		[KEEL_DOMCTL_readlog] = "readlog",
		[KEEL_DOMCTL_getstats] = "getstats",
		[KEEL_DOMCTL_set_max_mem] = "set_max_mem",
	};

	return cmd < ARRAY_SIZE(names) && names[cmd] ? names[cmd] : "unknown";
}

void hv_close(struct hv *hv)
{
	if (hv)
		hv->ops->close(hv);
}

int hv_domctl(struct hv *hv, struct keel_domctl *op)
{
	op->version = KEEL_DOMCTL_VERSION;
	return hv->ops->domctl(hv, op);
}

static struct keel_domctl op_for(uint32_t cmd, uint16_t domid)
{
	struct keel_domctl op;

	memset(&op, 0, sizeof(op));
	op.cmd = cmd;
	op.domain = domid;
	return op;
}

int hv_simple(struct hv *hv, uint32_t cmd, uint16_t domid)
{
	struct keel_domctl op = op_for(cmd, domid);

	return hv_domctl(hv, &op);
}

int hv_create(struct hv *hv, unsigned int max_vcpus, uint16_t *domid)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_create, DOMID_ANY);
	int rc;

	op.u.create.max_vcpus = max_vcpus;
	rc = hv_domctl(hv, &op);
	if (!rc)
		*domid = op.domain;
	return rc;
}

int hv_set_memory(struct hv *hv, uint16_t domid, uint64_t mem_kb)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_set_memory, domid);

	op.u.memory.mem_kb = mem_kb;
	return hv_domctl(hv, &op);
}

int hv_set_max_mem(struct hv *hv, uint16_t domid, uint64_t max_kb)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_set_max_mem, domid);

	op.u.max_mem.max_kb = max_kb;
	return hv_domctl(hv, &op);
}

int hv_set_boot(struct hv *hv, uint16_t domid, uint64_t entry, const char *cmdline,
		uint64_t ramdisk_gpa, uint64_t ramdisk_size)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_set_boot, domid);

	op.u.boot.entry = entry;
	op.u.boot.cmdline = (uint64_t)(uintptr_t)cmdline;
	op.u.boot.ramdisk_gpa = ramdisk_gpa;
	op.u.boot.ramdisk_size = ramdisk_size;
	return hv_domctl(hv, &op);
}

int hv_set_sched(struct hv *hv, uint16_t domid, uint32_t weight, uint32_t cap)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_set_sched, domid);

	op.u.sched.weight = weight;
	op.u.sched.cap = cap;
	return hv_domctl(hv, &op);
}

int hv_set_actions(struct hv *hv, uint16_t domid, uint8_t on_poweroff, uint8_t on_reboot,
		   uint8_t on_crash)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_set_actions, domid);

	op.u.actions.on_poweroff = on_poweroff;
	op.u.actions.on_reboot = on_reboot;
	op.u.actions.on_crash = on_crash;
	return hv_domctl(hv, &op);
}

int hv_shutdown(struct hv *hv, uint16_t domid, uint32_t reason)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_shutdown, domid);

	op.u.shutdown.reason = reason;
	return hv_domctl(hv, &op);
}

int hv_getinfo(struct hv *hv, uint16_t domid, struct keel_domctl_info *info)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_getinfo, domid);
	int rc = hv_domctl(hv, &op);

	if (!rc)
		*info = op.u.info;
	return rc;
}

int hv_getvcpuinfo(struct hv *hv, uint16_t domid, uint32_t vcpu, struct keel_domctl *out,
		   struct cpuset *affinity)
{
	/* Written first: resident when keel writes it. */
	memset(affinity, 0, sizeof(*affinity));
	*out = op_for(KEEL_DOMCTL_getvcpuinfo, domid);
	out->u.vcpu.vcpu = vcpu;
	out->u.vcpu.bitmap = (uintptr_t)affinity->w;
	out->u.vcpu.nr_bits = CPULIST_MAX_CPUS;
	return hv_domctl(hv, out);
}

int hv_setvcpuaffinity(struct hv *hv, uint16_t domid, uint32_t vcpu, const struct cpuset *set)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_setvcpuaffinity, domid);
	struct cpuset map = *set;	/* keel writes back what it kept */

	op.u.vcpu.vcpu = vcpu;
	op.u.vcpu.bitmap = (uintptr_t)map.w;
	op.u.vcpu.nr_bits = CPULIST_MAX_CPUS;
	return hv_domctl(hv, &op);
}

int hv_list(struct hv *hv, struct keel_domctl_info *infos, unsigned int max, unsigned int *nr)
{
	unsigned int got = 0;

	/* Output buffers are written first: resident and not shared copy-on-write. */
	memset(infos, 0, max * sizeof(*infos));
	while (got < max) {
		struct keel_domctl op = op_for(KEEL_DOMCTL_list, 0);
		int rc;

		op.u.list.buffer = (uint64_t)(uintptr_t)(infos + got);
		op.u.list.max = max - got;
		op.u.list.first = got ? (uint16_t)(infos[got - 1].domid + 1) : 0;
		rc = hv_domctl(hv, &op);
		if (rc)
			return rc;
		if (op.u.list.nr > max - got)
			return -EPROTO;
		if (!op.u.list.nr)
			break;
		got += op.u.list.nr;
		if (op.u.list.nr < op.u.list.max)
			break;
	}
	*nr = got;
	return 0;
}

int hv_physinfo(struct hv *hv, struct keel_domctl *out)
{
	*out = op_for(KEEL_DOMCTL_physinfo, 0);
	return hv_domctl(hv, out);
}

int hv_getstats(struct hv *hv, uint16_t domid, struct keel_domstats *out)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_getstats, domid);

	/* Written first: resident and not shared copy-on-write when keel writes it. */
	memset(out, 0, sizeof(*out));
	op.u.stats.buffer = (uint64_t)(uintptr_t)out;
	op.u.stats.size = sizeof(*out);
	return hv_domctl(hv, &op);
}

int hv_read_text(struct hv *hv, uint32_t cmd, uint16_t domid, void *buf, uint32_t size,
		 uint64_t *pos, uint32_t *nr, uint64_t *head, uint32_t flags)
{
	struct keel_domctl op = op_for(cmd, domid);
	int rc;

	if (size > HV_TEXT_MAX)
		size = HV_TEXT_MAX;
	memset(buf, 0, size);
	op.u.text.buffer = (uint64_t)(uintptr_t)buf;
	op.u.text.offset = *pos;
	op.u.text.size = size;
	op.u.text.flags = flags;
	rc = hv_domctl(hv, &op);
	if (rc)
		return rc;
	if (op.u.text.nr > size)
		return -EPROTO;
	*pos = op.u.text.offset;
	*nr = op.u.text.nr;
	*head = op.u.text.head;
	return 0;
}

int hv_console_read(struct hv *hv, uint16_t domid, void *buf, uint32_t size,
		    struct hv_console_window *w)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_console_read, domid);
	int rc;

	if (size > HV_TEXT_MAX)
		size = HV_TEXT_MAX;
	memset(buf, 0, size);
	op.u.text.buffer = (uint64_t)(uintptr_t)buf;
	op.u.text.offset = w->pos;
	op.u.text.size = size;
	op.u.text.instance = w->instance;
	rc = hv_domctl(hv, &op);
	if (rc)
		return rc;
	if (op.u.text.nr > size || op.u.text.offset + op.u.text.nr > op.u.text.head ||
	    (w->instance && op.u.text.instance != w->instance))
		return -EPROTO;
	w->instance = op.u.text.instance;
	w->pos = op.u.text.offset;
	w->nr = op.u.text.nr;
	w->head = op.u.text.head;
	w->gone = op.u.text.flags & KEEL_TEXT_gone;
	return 0;
}

int hv_console_write(struct hv *hv, uint16_t domid, const void *buf, uint32_t size,
		     uint32_t *nr)
{
	struct keel_domctl op = op_for(KEEL_DOMCTL_console_write, domid);
	int rc;

	if (size > HV_TEXT_MAX)
		size = HV_TEXT_MAX;
	op.u.text.buffer = (uint64_t)(uintptr_t)buf;
	op.u.text.size = size;
	rc = hv_domctl(hv, &op);
	if (rc)
		return rc;
	if (op.u.text.nr > size)
		return -EPROTO;
	*nr = op.u.text.nr;
	return 0;
}
