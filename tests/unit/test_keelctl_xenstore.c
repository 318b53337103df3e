/*
 * Host tests of keelctl with xenstore: its client against the real xenstored (the sanitizer
 * build, on a temporary socket, domains' rings in files), the entries a new domain gets and
 * what the guest may do with them, and the commands end to end over a fake keel.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdint.h>
#include <xen/sched.h>
#include "commands.h"
#include "console.h"
#include "disks.h"
#include "dom_state.h"
#include "domains.h"
#include "fake_hv.h"
#include "host.h"
#include "keelctl_test.h"
#include "lifecycle.h"
#include "monitor.h"
#include "xs.h"
#include "xs_client.h"
#include "xs_domain.h"
#include "xs_disk.h"
#include "xs_vif.h"
#include "util.h"
#include "vif_hotplug.h"

#define UUID "6d1d0e44-6c5e-4b8a-9d0a-1f2e3d4c5b6a"
/* How long a wait on another process or thread may take (a loaded host): XS_DEVICE_TIMEOUT_MS. */
#define WAIT_MS XS_DEVICE_TIMEOUT_MS

static struct xs_daemon daemon_;
static struct xenstore_domain_interface *rings[5];
static struct fake_hv fake;
static struct kc kc;
static struct out_buf out;
static char *kernel_path;

static int group_setup(void **state)
{
	size_t len;
	uint8_t *elf = test_kernel_elf(&len, 1);

	tmpdir_make();
	kernel_path = xstrdup(tmp_file("kernel.elf", elf, len));
	free(elf);
	return 0;
}

static int group_teardown(void **state)
{
	free(kernel_path);
	tmpdir_remove();
	return 0;
}

static int setup(void **state)
{
	assert_int_equal(daemon_start(&daemon_, NULL), 0);
	/* Ring pages for the ids the fake hands out first. */
	for (unsigned int i = 1; i < 5; i++) {
		rings[i] = daemon_ring_page(&daemon_, i);
		assert_non_null(rings[i]);
	}
	fake_hv_init(&fake);
	/* keelctl's record of its domains (dom_state.c), per test. */
	setenv("KEELCTL_STATE_DIR", xasprintf_tmp("%s/state", daemon_.dir), 1);
	out_open(&out);
	capture_start();
	kc = (struct kc){ .hv = &fake.hv, .xs_path = daemon_.socket, .out = out.f };
	assert_non_null(kc_xs(&kc));
	return 0;
}

static int teardown(void **state)
{
	kc_close(&kc);
	capture_stop();
	out_close(&out);
	fake_hv_fini(&fake);
	for (unsigned int i = 1; i < 5; i++)
		munmap(rings[i], 4096);
	assert_true(daemon_alive(&daemon_));
	assert_int_equal(daemon_stop(&daemon_), 0);
	return 0;
}

#define run(...) run_command(&kc, __VA_ARGS__)

#define expect_node(path, want) expect_xs_node(&kc, path, want)

static void expect_missing(const char *path)
{
	char *v;

	if (xs_read(kc.xs, 0, path, &v) != -ENOENT)
		fail_msg("%s exists", path);
}

static void expect_perms(const char *path, const char *a, const char *b)
{
	char **perms;
	unsigned int nr;

	assert_int_equal(xs_get_perms(kc.xs, 0, path, &perms, &nr), 0);
	assert_int_equal(nr, b ? 2 : 1);
	assert_string_equal(perms[0], a);
	if (b)
		assert_string_equal(perms[1], b);
	xs_free_list(perms);
}

static bool introduced(uint16_t domid)
{
	bool yes;

	assert_int_equal(xs_is_introduced(kc.xs, domid, &yes), 0);
	return yes;
}

/* A config file in the temporary directory; returns its path. */
static char *cfg_file(const char *name, const char *extra)
{
	char *text = xasprintf("name = '%s'\nkernel = '%s'\nmemory = 8\n%s", name, kernel_path,
			       extra ? extra : "");
	char *file = xasprintf("%s.cfg", name);
	char *path = tmp_file(file, text, strlen(text));

	free(text);
	free(file);
	return path;
}

static uint16_t create(const char *name, const char *extra)
{
	uint16_t domid;

	if (run("create", "-e", cfg_file(name, extra), NULL))
		fail_msg("create %s failed:\n%s", name, captured());
	assert_int_equal(domain_find(&kc, name, &domid), 0);
	return domid;
}

/* ---- the client ---- */

static void test_client_read_write_directory(void **state)
{
	char **names, *v;
	unsigned int nr;

	assert_int_equal(xs_write(kc.xs, 0, "/t/a", "one"), 0);
	assert_int_equal(xs_write(kc.xs, 0, "/t/b", ""), 0);
	assert_int_equal(xs_mkdir(kc.xs, 0, "/t/c/d"), 0);
	expect_node("/t/a", "one");
	expect_node("/t/b", "");
	assert_int_equal(xs_directory(kc.xs, 0, "/t", &names, &nr), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_string_equal(names[2], "c");
	assert_null(names[3]);
	xs_free_list(names);
	assert_int_equal(xs_rm(kc.xs, 0, "/t/c"), 0);
	expect_missing("/t/c/d");
	assert_int_equal(xs_read(kc.xs, 0, "/nope", &v), -ENOENT);
	assert_int_equal(xs_directory(kc.xs, 0, "/nope", &names, &nr), -ENOENT);
	/* A relative path is dom0's own: /local/domain/0/... */
	assert_int_equal(xs_write(kc.xs, 0, "relative", "x"), 0);
	expect_node("/local/domain/0/relative", "x");
}

static void test_client_perms(void **state)
{
	const char *perms[] = { "n3", "r5" };

	assert_int_equal(xs_write(kc.xs, 0, "/p", "x"), 0);
	assert_int_equal(xs_set_perms(kc.xs, 0, "/p", perms, 2), 0);
	expect_perms("/p", "n3", "r5");
	assert_int_equal(xs_write(kc.xs, 0, "/p/child", "y"), 0);
	expect_perms("/p/child", "n3", "r5");
	perms[0] = "q1";
	assert_int_equal(xs_set_perms(kc.xs, 0, "/p", perms, 2), -EINVAL);
}

static void test_client_transactions(void **state)
{
	struct xs *other = xs_open(daemon_.socket);
	uint32_t tx, tx2;
	char *v;

	assert_non_null(other);
	assert_int_equal(xs_transaction_start(kc.xs, &tx), 0);
	assert_int_equal(xs_write(kc.xs, tx, "/tx/a", "1"), 0);
	expect_missing("/tx/a");
	assert_int_equal(xs_read(kc.xs, tx, "/tx/a", &v), 0);
	free(v);
	assert_int_equal(xs_transaction_end(kc.xs, tx, true), 0);
	expect_node("/tx/a", "1");
	/* Aborted: nothing. */
	assert_int_equal(xs_transaction_start(kc.xs, &tx), 0);
	assert_int_equal(xs_write(kc.xs, tx, "/tx/b", "2"), 0);
	assert_int_equal(xs_transaction_end(kc.xs, tx, false), 0);
	expect_missing("/tx/b");
	/* Another writer got in first: EAGAIN. */
	assert_int_equal(xs_transaction_start(kc.xs, &tx), 0);
	assert_int_equal(xs_read(kc.xs, tx, "/tx/a", &v), 0);
	free(v);
	assert_int_equal(xs_write(kc.xs, tx, "/tx/a", "mine"), 0);
	assert_int_equal(xs_transaction_start(other, &tx2), 0);
	assert_int_equal(xs_write(other, 0, "/tx/a", "theirs"), 0);
	assert_int_equal(xs_transaction_end(other, tx2, false), 0);
	assert_int_equal(xs_transaction_end(kc.xs, tx, true), -EAGAIN);
	expect_node("/tx/a", "theirs");
	xs_close(other);
}

static void test_client_watches(void **state)
{
	char *path, *token;

	assert_int_equal(xs_watch(kc.xs, "/w", "tok"), 0);
	/* Fired once when set. */
	assert_int_equal(xs_read_watch(kc.xs, &path, &token, 1000), 0);
	assert_string_equal(path, "/w");
	assert_string_equal(token, "tok");
	free(path);
	free(token);
	assert_int_equal(xs_read_watch(kc.xs, &path, &token, 50), -ETIMEDOUT);
	/* An event that arrives while a reply is awaited is kept for later. */
	assert_int_equal(xs_write(kc.xs, 0, "/w/x", "1"), 0);
	expect_node("/w/x", "1");
	assert_int_equal(xs_read_watch(kc.xs, &path, &token, 1000), 0);
	assert_string_equal(path, "/w/x");
	free(path);
	free(token);
	assert_int_equal(xs_unwatch(kc.xs, "/w", "tok"), 0);
	assert_int_equal(xs_write(kc.xs, 0, "/w/y", "1"), 0);
	assert_int_equal(xs_read_watch(kc.xs, &path, &token, 50), -ETIMEDOUT);
	assert_int_equal(xs_unwatch(kc.xs, "/w", "tok"), -ENOENT);
}

/* A flood of events while the reader is busy: at most XS_EVENTS_MAX kept, then -ENOBUFS once. */
static void test_client_watch_queue_bounded(void **state)
{
	char *path, *token, *v;
	unsigned int n;
	int rc;

	assert_int_equal(xs_watch(kc.xs, "/f", "tok"), 0);
	for (n = 0; n < XS_EVENTS_MAX + 50; n++)
		assert_int_equal(xs_write(kc.xs, 0, "/f/x", "1"), 0);
	assert_int_equal(xs_read(kc.xs, 0, "/f/x", &v), 0);	/* the last ones arrive */
	free(v);
	for (n = 0; (rc = xs_read_watch(kc.xs, &path, &token, 200)) == 0; n++) {
		free(path);
		free(token);
	}
	assert_int_equal(n, XS_EVENTS_MAX);
	assert_int_equal(rc, -ENOBUFS);
	assert_int_equal(xs_write(kc.xs, 0, "/f/y", "1"), 0);
	assert_int_equal(xs_read_watch(kc.xs, &path, &token, 1000), 0);	/* later ones flow */
	assert_string_equal(path, "/f/y");
	free(path);
	free(token);
	assert_int_equal(xs_read_watch(kc.xs, &path, &token, 50), -ETIMEDOUT);
	assert_int_equal(xs_unwatch(kc.xs, "/f", "tok"), 0);
}

static void test_client_introduce_release(void **state)
{
	char *path, *token;

	assert_false(introduced(1));
	assert_int_equal(xs_watch(kc.xs, "@releaseDomain", "rel"), 0);
	assert_int_equal(xs_read_watch(kc.xs, &path, &token, 1000), 0);
	free(path);
	free(token);
	assert_int_equal(xs_introduce(kc.xs, 1, FAKE_XENSTORE_PFN, FAKE_XENSTORE_PORT), 0);
	assert_true(introduced(1));
	assert_int_equal(xs_release(kc.xs, 1), 0);
	assert_false(introduced(1));
	assert_int_equal(xs_read_watch(kc.xs, &path, &token, 1000), 0);
	assert_string_equal(path, "@releaseDomain");
	free(path);
	free(token);
	assert_int_equal(xs_release(kc.xs, 1), -ENOENT);
	/* No ring file for domain 9: the daemon cannot map it. */
	assert_int_equal(xs_introduce(kc.xs, 9, 1, 1), -EIO);
}

static void test_client_refuses_a_missing_daemon(void **state)
{
	assert_null(xs_open("/nonexistent/socket"));
	expect_message("keelctl: cannot connect to xenstored at /nonexistent/socket: No such file or directory (is xenstored running?)\n");
}

/* ---- a domain's entries ---- */

static const struct xs_domain dom1 = {
	.domid = 1, .name = "vm", .uuid = UUID, .mem_kb = 131072, .vcpus = 2,
	.store_ring = FAKE_XENSTORE_PFN, .store_port = FAKE_XENSTORE_PORT,
	.console_ring = FAKE_CONSOLE_PFN, .console_port = FAKE_CONSOLE_PORT,
	.kernel = "/boot/vmlinuz", .ramdisk = "/boot/initrd", .cmdline = "console=hvc0",
};

static void test_domain_entries(void **state)
{
	static const char *const guest_nodes[] = {
		"control/shutdown", "control/feature-poweroff", "control/feature-reboot",
		"control/feature-suspend", "control/sysrq", "data", "drivers", "feature", "attr",
		"error",
	};
	char path[96];

	assert_int_equal(xs_domain_write(kc.xs, &dom1), 0);
	expect_node("/local/domain/1/name", "vm");
	expect_node("/local/domain/1/domid", "1");
	expect_node("/local/domain/1/vm", "/vm/" UUID);
	expect_node("/local/domain/1/memory/target", "131072");
	expect_node("/local/domain/1/memory/static-max", "131072");
	expect_node("/local/domain/1/cpu/0/availability", "online");
	expect_node("/local/domain/1/cpu/1/availability", "online");
	expect_missing("/local/domain/1/cpu/2/availability");
	expect_node("/local/domain/1/store/port", "2");
	expect_node("/local/domain/1/store/ring-ref", "1032193");
	expect_node("/local/domain/1/console/port", "1");
	expect_node("/local/domain/1/console/ring-ref", "1032192");
	expect_node("/local/domain/1/control/platform-feature-multiprocessor-suspend", "1");
	expect_node("/local/domain/1/control/platform-feature-xs_reset_watches", "1");
	expect_node("/vm/" UUID "/name", "vm");
	expect_node("/vm/" UUID "/uuid", UUID);
	expect_node("/vm/" UUID "/image/ostype", "linux");
	expect_node("/vm/" UUID "/image/kernel", "/boot/vmlinuz");
	expect_node("/vm/" UUID "/image/ramdisk", "/boot/initrd");
	expect_node("/vm/" UUID "/image/cmdline", "console=hvc0");
	/* dom0 owns the home, the guest reads it; the guest owns its own nodes. */
	expect_perms("/local/domain/1", "n0", "r1");
	expect_perms("/local/domain/1/name", "n0", "r1");
	expect_perms("/local/domain/1/device", "n0", "r1");
	expect_perms("/local/domain/1/control", "n0", "r1");
	expect_perms("/vm/" UUID, "n0", "r1");
	for (size_t i = 0; i < sizeof(guest_nodes) / sizeof(guest_nodes[0]); i++) {
		snprintf(path, sizeof(path), "/local/domain/1/%s", guest_nodes[i]);
		expect_perms(path, "n1", NULL);
	}
}

/* What the guest itself may do, over its ring. */
static void test_domain_entries_as_the_guest_sees_them(void **state)
{
	struct xs_domain dom2 = dom1;
	struct xs_client guest;
	struct xs_msg reply;

	dom2.domid = 2;
	dom2.name = "other";
	dom2.uuid = "00000000-0000-4000-8000-000000000002";
	assert_int_equal(xs_domain_write(kc.xs, &dom1), 0);
	assert_int_equal(xs_domain_write(kc.xs, &dom2), 0);
	assert_int_equal(xs_introduce(kc.xs, 1, FAKE_XENSTORE_PFN, FAKE_XENSTORE_PORT), 0);
	xs_client_ring(&guest, rings[1], NULL, NULL);
	/* Linux's manage.c: reads its name, announces features, acknowledges a request. */
	assert_int_equal(xs_callv(&guest, XS_READ, 0, &reply, 1, "name"), 0);
	assert_int_equal(reply.hdr.type, XS_READ);
	assert_string_equal(reply.body, "vm");
	assert_int_equal(xs_write_node(&guest, 0, "control/feature-poweroff", "1", 1, &reply), 0);
	assert_true(xs_is_ok(&reply));
	assert_int_equal(xs_write_node(&guest, 0, "control/shutdown", "", 0, &reply), 0);
	assert_true(xs_is_ok(&reply));
	assert_int_equal(xs_write_node(&guest, 0, "data/ip", "10.0.0.2", 8, &reply), 0);
	assert_true(xs_is_ok(&reply));
	/* Not its name, not new nodes under control/, not another domain's home. */
	assert_int_equal(xs_write_node(&guest, 0, "name", "evil", 4, &reply), 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	assert_int_equal(xs_write_node(&guest, 0, "control/new", "1", 1, &reply), 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	assert_int_equal(xs_callv(&guest, XS_READ, 0, &reply, 1, "/local/domain/2/name"), 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	assert_int_equal(xs_callv(&guest, XS_READ, 0, &reply, 1, "/vm/" UUID "/name"), 0);
	assert_int_equal(reply.hdr.type, XS_READ);
	expect_node("/local/domain/1/control/feature-poweroff", "1");
	xs_client_close(&guest);
}

static void test_domain_remove(void **state)
{
	assert_int_equal(xs_domain_write(kc.xs, &dom1), 0);
	/* A newer domain's entries are left alone. */
	assert_int_equal(xs_domain_remove(kc.xs, 1, "/vm/someone-else"), 0);
	expect_node("/local/domain/1/name", "vm");
	assert_int_equal(xs_domain_remove(kc.xs, 1, "/vm/" UUID), 0);
	expect_missing("/local/domain/1");
	expect_missing("/vm/" UUID);
	/* Nothing there: fine. */
	assert_int_equal(xs_domain_remove(kc.xs, 1, NULL), 0);
	assert_int_equal(xs_domain_remove(kc.xs, 1, "/vm/" UUID), 0);
}

/* ---- commands over the fake keel ---- */

static void test_create_list_pause_destroy(void **state)
{
	uint16_t domid;
	char *vm;

	domid = create("vm", "vcpus = 2\n");
	assert_int_equal(domid, 1);
	assert_string_equal(out_text(&out), "Started domain vm (id=1)\n");
	assert_false(fake.dom[1].flags & KEEL_DOMINF_paused);
	assert_true(introduced(1));
	expect_node("/local/domain/1/name", "vm");
	expect_node("/local/domain/1/store/ring-ref", "1032193");
	assert_int_equal(xs_read(kc.xs, 0, "/local/domain/1/vm", &vm), 0);
	assert_int_equal(strncmp(vm, "/vm/", 4), 0);
	expect_node(xasprintf_tmp("%s/name", vm), "vm");
	expect_node(xasprintf_tmp("%s/image/kernel", vm), kernel_path);

	/* Names are unique. */
	assert_int_equal(run("create", "-e", cfg_file("vm", NULL), NULL), EXIT_FAIL);
	expect_message("keelctl: a domain named 'vm' exists already (d1)\n");
	assert_int_equal(fake_hv_domains(&fake), 1);

	assert_int_equal(run("pause", "vm", NULL), EXIT_OK);
	assert_true(fake.dom[1].flags & KEEL_DOMINF_paused);
	assert_int_equal(run("unpause", "1", NULL), EXIT_OK);
	assert_false(fake.dom[1].flags & KEEL_DOMINF_paused);

	out_close(&out);
	out_open(&out);
	kc.out = out.f;
	assert_int_equal(run("list", NULL), EXIT_OK);
	assert_string_equal(out_text(&out),
		"Name                                        ID   Mem VCPUs     State    Time(s)\n"
		"Domain-0                                     0   256     1     r-----       5.0\n"
		"vm                                           1     8     2     -b----       0.0\n");

	assert_int_equal(run("destroy", "vm", NULL), EXIT_OK);
	assert_int_equal(fake_hv_domains(&fake), 0);
	assert_false(introduced(1));
	expect_missing("/local/domain/1");
	expect_missing(vm);
	assert_int_equal(run("destroy", "vm", NULL), EXIT_FAIL);
	expect_message("keelctl: no domain named 'vm'\n");
	free(vm);
}

static void test_create_failures_leave_nothing(void **state)
{
	char **names;
	unsigned int nr;

	/* xenstored cannot map the ring (no ring file for domain 1). */
	unlink(xasprintf_tmp("%s/domain-1", daemon_.dir));
	assert_int_equal(run("create", "-e", cfg_file("vm", NULL), NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1): xenstored refused INTRODUCE (ring frame 0xfc001, port 2): Input/output error\n");
	assert_int_equal(fake_hv_domains(&fake), 0);
	assert_int_equal(fake.calls[KEEL_DOMCTL_destroy], 1);
	expect_missing("/local/domain/1");
	if (!xs_directory(kc.xs, 0, "/vm", &names, &nr)) {
		assert_int_equal(nr, 0);
		xs_free_list(names);
	}

	/* keel refuses to unpause: destroyed, released, entries gone. */
	capture_reset();
	fake.fail_cmd = KEEL_DOMCTL_unpause;
	fake.fail_rc = -EINVAL;
	assert_int_equal(run("create", "-e", cfg_file("vm", NULL), NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d2): keel refused unpause: Invalid argument (EINVAL)\n");
	assert_int_equal(fake_hv_domains(&fake), 0);
	assert_false(introduced(2));
	expect_missing("/local/domain/2");
	assert_int_equal(xs_directory(kc.xs, 0, "/vm", &names, &nr), 0);
	assert_int_equal(nr, 0);
	xs_free_list(names);

	/* keel refuses the memory: nothing was written to xenstore at all. */
	capture_reset();
	fake.fail_cmd = KEEL_DOMCTL_set_memory;
	fake.fail_rc = -ENOMEM;
	assert_int_equal(run("create", "-e", cfg_file("vm", NULL), NULL), EXIT_FAIL);
	expect_message("keel refused set_memory (8 MiB): Cannot allocate memory (ENOMEM)");
	assert_int_equal(fake_hv_domains(&fake), 0);
	expect_missing("/local/domain/1");
}

static void test_create_paused_and_dry_run(void **state)
{
	assert_int_equal(run("create", "-e", "-p", cfg_file("held", NULL), NULL), EXIT_OK);
	assert_string_equal(out_text(&out), "Started domain held (id=1), paused\n");
	assert_true(fake.dom[1].flags & KEEL_DOMINF_paused);
	/* -n: parse and print only, keel is not asked. */
	fake.calls[KEEL_DOMCTL_create] = 0;
	assert_int_equal(run("create", "-n", cfg_file("dry", "vcpus = 3\n"), "memory=64", NULL),
			 EXIT_OK);
	assert_non_null(strstr(out_text(&out), "name = \"dry\"\n"));
	assert_non_null(strstr(out_text(&out), "memory = 64\nvcpus = 3\n"));
	assert_int_equal(fake.calls[KEEL_DOMCTL_create], 0);
}

/* Pauses nest (two pauses need two unpauses); create -p lists the vCPU set_boot brought up. */
static void test_pause_nests_and_paused_create_lists_vcpus(void **state)
{
	assert_int_equal(run("create", "-e", "-p", cfg_file("held", "vcpus = 2\n"), NULL), EXIT_OK);
	assert_int_equal(run("list", "held", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out),
			       "\nheld                                         1     8     1     --p---"));
	assert_int_equal(run("pause", "held", NULL), EXIT_OK);
	assert_int_equal(run("unpause", "held", NULL), EXIT_OK);
	assert_true(fake.dom[1].flags & KEEL_DOMINF_paused);	/* create -p's pause is left */
	assert_int_equal(run("unpause", "held", NULL), EXIT_OK);
	assert_false(fake.dom[1].flags & KEEL_DOMINF_paused);
	assert_int_equal(run("unpause", "held", NULL), EXIT_FAIL);
	expect_message("keelctl: held (d1): not paused: each unpause undoes one pause\n");
	for (int i = 0; i < 255; i++)
		assert_int_equal(run("pause", "held", NULL), EXIT_OK);
	assert_int_equal(run("pause", "held", NULL), EXIT_FAIL);
	expect_message("keelctl: held (d1): paused 255 times already, keel's limit\n");
}

/* ---- xl parity: uptime, list -v and -l, rename, version, create's progress ---- */

static void reopen_out(void)
{
	out_close(&out);
	out_open(&out);
	kc.out = out.f;
}

static void test_uptime(void **state)
{
	char *s;

	create("vm", NULL);
	fake.dom[0].uptime_ns = 65ull * 1000000000;
	fake.dom[1].uptime_ns = (2 * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000000000ull;
	reopen_out();
	assert_int_equal(run("uptime", NULL), EXIT_OK);
	assert_string_equal(out_text(&out),
		"Name                                ID Uptime\n"
		"Domain-0                             0  0:01:05\n"
		"vm                                   1 2 days,  3:04:05\n");
	reopen_out();
	assert_int_equal(run("uptime", "-s", "vm", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out), " up 2 days,  3:04, vm (1)\n"));
	s = uptime_string(86400 + 59, false);
	assert_string_equal(s, "1 day,  0:00:59");
	free(s);
	s = uptime_string(3599, true);
	assert_string_equal(s, " 0:59");
	free(s);
}

/* Is @text valid JSON to Python's parser (json.tool)? Skipped without python3. */
static void expect_valid_json(const char *text)
{
	char *path = tmp_file("list.json", text, strlen(text));
	char *cmd = xasprintf("python3 -m json.tool %s >/dev/null", path);
	int rc;

	if (system("command -v python3 >/dev/null 2>&1")) {
		fprintf(stderr, "note: no python3 to check list -l's JSON with\n");
		free(cmd);
		return;
	}
	rc = system(cmd);
	if (rc)
		fail_msg("json.tool refuses list -l's output:\n%s", text);
	free(cmd);
}

static void test_list_verbose_and_long(void **state)
{
	char *uuid;

	create("vm", "vcpus = 2\non_crash = 'preserve'\nvif = [ 'mac=00:16:3e:01:02:03', "
	       "'bridge=br1' ]\nextra = 'a \"quoted\" \\\\ word'\n");
	assert_int_equal(xs_read(kc.xs, 0, "/local/domain/1/vm", &uuid), 0);
	reopen_out();
	assert_int_equal(run("list", "-v", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out), "Time(s) UUID                                 Reason-Code\n"));
	assert_non_null(strstr(out_text(&out), xasprintf_tmp("0.0 %s           -\n", uuid + 4)));
	reopen_out();
	kc.verbose = true;			/* keelctl -v list */
	assert_int_equal(run("list", "vm", NULL), EXIT_OK);
	kc.verbose = false;
	assert_non_null(strstr(out_text(&out), uuid + 4));

	reopen_out();
	assert_int_equal(run("list", "-l", NULL), EXIT_OK);
	expect_valid_json(out_text(&out));
	assert_non_null(strstr(out_text(&out), "\"domid\": 0,"));
	assert_non_null(strstr(out_text(&out), "\"name\": \"Domain-0\""));
	assert_non_null(strstr(out_text(&out), "\"name\": \"vm\""));
	assert_non_null(strstr(out_text(&out), xasprintf_tmp("\"uuid\": \"%s\"", uuid + 4)));
	assert_non_null(strstr(out_text(&out), "\"max_vcpus\": 2,"));
	assert_non_null(strstr(out_text(&out), "\"max_memkb\": 8192,"));
	assert_non_null(strstr(out_text(&out), "\"cmdline\": \"a \\\"quoted\\\" \\\\ word\""));
	assert_non_null(strstr(out_text(&out), "\"mac\": \"00:16:3e:01:02:03\""));
	assert_non_null(strstr(out_text(&out), "\"bridge\": \"br1\""));
	/* The devices it has now: the id and MAC keelctl picked for the second vif. */
	assert_non_null(strstr(out_text(&out), "\"devid\": 1,\n                    \"mac\": \"00:16:3e:"));
	assert_non_null(strstr(out_text(&out), "\"on_crash\": \"preserve\""));
	free(uuid);
}

static void test_rename(void **state)
{
	struct domain_config cfg;
	char *vm;

	create("vm", NULL);
	create("other", NULL);
	assert_int_equal(xs_read(kc.xs, 0, "/local/domain/1/vm", &vm), 0);
	assert_int_equal(run("rename", "vm", "other", NULL), EXIT_FAIL);
	expect_message("keelctl: rename: a domain named 'other' exists already (d2)\n");
	assert_int_equal(run("rename", "vm", "Domain-0", NULL), EXIT_FAIL);
	expect_message("keelctl: rename: 'Domain-0' is dom0's name\n");
	assert_int_equal(run("rename", "vm", "7", NULL), EXIT_FAIL);
	expect_message("keelctl: rename: '7' is a number, which names a domain id\n");
	assert_int_equal(run("rename", "0", "x", NULL), EXIT_FAIL);
	expect_message("keelctl: rename: dom0 gets no new name\n");
	expect_node("/local/domain/1/name", "vm");

	assert_int_equal(run("rename", "vm", "renamed", NULL), EXIT_OK);
	expect_node("/local/domain/1/name", "renamed");
	expect_node(xasprintf_tmp("%s/name", vm), "renamed");
	/* What its monitor rebuilds on a reboot. */
	assert_int_equal(dom_state_load(vm + 4, &cfg), 0);
	assert_string_equal(cfg.name, "renamed");
	config_free(&cfg);
	assert_int_equal(run("list", "renamed", NULL), EXIT_OK);
	assert_int_equal(run("list", "vm", NULL), EXIT_FAIL);
	free(vm);
}

static void test_version(void **state)
{
	const char *sys = xasprintf_tmp("%s/sys", daemon_.dir);

	mkdir_parents(xasprintf_tmp("%s/version", sys));
	mkdir_parents(xasprintf_tmp("%s/properties", sys));
	tmp_file("x", "", 0);
	assert_int_equal(system(xasprintf_tmp("echo 4 >%s/version/major && echo 17 >%s/version/minor"
					      " && echo .0-keel >%s/version/extra && echo 'git:abc'"
					      " >%s/properties/changeset", sys, sys, sys, sys)), 0);
	setenv("KEELCTL_SYS_HYPERVISOR", sys, 1);
	assert_int_equal(run("version", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out), "keelctl 0.1, built from "));
	assert_non_null(strstr(out_text(&out), "\nkeel: Xen 4.17.0-keel interface, built from git:abc\n"));
	setenv("KEELCTL_SYS_HYPERVISOR", "/nonexistent", 1);
	assert_int_equal(run("version", NULL), EXIT_FAIL);
	expect_message("keelctl: keel's version is unknown");
	unsetenv("KEELCTL_SYS_HYPERVISOR");
}

/* keelctl -v create: a line per step; without -v (and no terminal) nothing but the result. */
static void test_create_says_what_it_does(void **state)
{
	create("quiet", NULL);
	assert_string_equal(captured(), "");
	kc.verbose = true;
	create("told", "vcpus = 2\n");
	kc.verbose = false;
	assert_string_equal(captured(),
		xasprintf_tmp("keelctl: told: reading the kernel %s\n"
			      "keelctl: told: creating the domain (2 vCPUs)\n"
			      "keelctl: told: building its memory (8 MiB)\n"
			      "keelctl: told: loading the kernel\n"
			      "keelctl: told: writing its xenstore entries\n"
			      "keelctl: told: starting it\n", kernel_path));
}

/* ---- the monitor ---- */

static void start_monitored(struct monitor *m, const char *extra)
{
	struct domain_config cfg;
	char *text = xasprintf("name = 'mon'\nkernel = '%s'\nmemory = 8\nuuid = '%s'\n%s",
			       kernel_path, UUID, extra);
	uint16_t domid;

	assert_int_equal(config_parse_text("t.cfg", text, strlen(text), NULL, 0, &cfg, stderr), 0);
	assert_int_equal(domain_start(&kc, &cfg, false, &domid), 0);
	monitor_init(m, &kc, &cfg, domid);
	config_free(&cfg);
	free(text);
}

static void test_monitor_restarts_a_rebooted_domain(void **state)
{
	struct monitor m;

	start_monitored(&m, "on_reboot = 'restart'\n");
	assert_int_equal(m.domid, 1);
	assert_int_equal(monitor_check(&m), MONITOR_WAIT);
	/* The guest reboots: keel keeps it, shut down, for the toolstack. */
	assert_int_equal(hv_shutdown(&fake.hv, 1, SHUTDOWN_reboot), 0);
	assert_true(fake.dom[1].flags & KEEL_DOMINF_shutdown);
	assert_int_equal(monitor_check(&m), MONITOR_WAIT);
	assert_int_equal(m.domid, 2);
	assert_int_equal(m.restarts, 1);
	assert_false(fake.dom[1].exists);
	assert_true(fake.dom[2].exists);
	assert_false(fake.dom[2].flags & KEEL_DOMINF_paused);
	assert_false(introduced(1));
	assert_true(introduced(2));
	expect_missing("/local/domain/1");
	expect_node("/local/domain/2/name", "mon");
	expect_node("/local/domain/2/vm", "/vm/" UUID);
	expect_node("/vm/" UUID "/name", "mon");
	expect_message("mon (d1): reboot: restarting it\n");
	expect_message("mon (d2): restarted (was d1)\n");

	/* It powers off (on_poweroff destroy): keel frees it, the monitor cleans up. */
	assert_int_equal(hv_shutdown(&fake.hv, 2, SHUTDOWN_poweroff), 0);
	assert_int_equal(monitor_check(&m), MONITOR_DONE);
	assert_false(introduced(2));
	expect_missing("/local/domain/2");
	expect_missing("/vm/" UUID);
	monitor_fini(&m);
}

static void test_monitor_preserves_and_gives_up(void **state)
{
	struct monitor m;

	start_monitored(&m, "on_crash = 'preserve'\n");
	assert_int_equal(hv_shutdown(&fake.hv, 1, SHUTDOWN_crash), 0);
	assert_int_equal(monitor_check(&m), MONITOR_DONE);
	expect_message("mon (d1): shut down (crash): preserved as configured; 'keelctl destroy mon' removes it\n");
	assert_true(fake.dom[1].exists);
	expect_node("/local/domain/1/name", "mon");
	/* destroy then removes what is left. */
	assert_int_equal(run("destroy", "mon", NULL), EXIT_OK);
	expect_missing("/local/domain/1");
	monitor_fini(&m);

	/* A restart whose kernel has gone away: reported, nothing left. */
	capture_reset();
	start_monitored(&m, "on_crash = 'restart'\n");
	free(m.cfg.kernel);
	m.cfg.kernel = xstrdup("/nonexistent/kernel");
	/* What a restart builds is keelctl's record of the domain (a rename changes it). */
	assert_int_equal(dom_state_save(&m.cfg), 0);
	assert_int_equal(hv_shutdown(&fake.hv, m.domid, SHUTDOWN_crash), 0);
	assert_int_equal(monitor_check(&m), MONITOR_DONE);
	expect_message("keelctl: /nonexistent/kernel: No such file or directory\n");
	expect_message("restart failed: No such file or directory\n");
	assert_int_equal(fake_hv_domains(&fake), 0);
	expect_missing("/local/domain/1");
	monitor_fini(&m);
}

static void test_monitor_run_ends_when_the_domain_is_destroyed(void **state)
{
	struct monitor m;

	start_monitored(&m, "");
	assert_int_equal(run("destroy", "mon", NULL), EXIT_OK);
	/* Its entries are gone already; the monitor finds nothing to do and ends. */
	assert_int_equal(monitor_run(&m), 0);
	expect_message("mon (d1): the domain is gone: removing its xenstore entries\n");
	monitor_fini(&m);
}

/* A detached monitor (its own process, xenstore connection and log) cleans up after its domain. */
static void test_monitor_spawn_cleans_up_in_the_background(void **state)
{
	char *logdir = xasprintf("%s/var/log/keel", daemon_.dir);
	char *logfile = xasprintf("%s/keelctl-bg.log", logdir);
	struct domain_config cfg;
	char *text = xasprintf("name = 'bg'\nkernel = '%s'\nuuid = '%s'\n", kernel_path, UUID);
	char *log = NULL, *v;
	uint64_t deadline;
	uint16_t domid;
	size_t len;
	int rc;

	assert_int_equal(config_parse_text("t.cfg", text, strlen(text), NULL, 0, &cfg, stderr), 0);
	assert_int_equal(domain_start(&kc, &cfg, false, &domid), 0);
	/* Gone behind keelctl's back: the forked monitor's copy of the fake sees it gone. */
	assert_int_equal(hv_simple(&fake.hv, KEEL_DOMCTL_destroy, domid), 0);
	setenv("KEELCTL_LOG_DIR", logdir, 1);
	assert_int_equal(monitor_spawn(&kc, &cfg, domid), 0);
	unsetenv("KEELCTL_LOG_DIR");
	/* A forked process on a loaded host: waited for as long as WAIT_MS, not a count of naps. */
	for (deadline = now_ms() + WAIT_MS;; usleep(10000)) {
		rc = xs_read(kc.xs, 0, "/local/domain/1/name", &v);
		if (rc == -ENOENT || now_ms() > deadline)
			break;
		free(v);
	}
	assert_int_equal(rc, -ENOENT);
	expect_missing("/vm/" UUID);
	for (deadline = now_ms() + WAIT_MS;
	     !(log && strstr(log, "xenstore entries")) && now_ms() <= deadline; usleep(10000)) {
		free(log);
		log = NULL;
		if (read_whole_file(logfile, 1 << 16, (uint8_t **)&log, &len))
			log = NULL;
	}
	assert_non_null(log);
	assert_non_null(strstr(log, "bg (d1): monitor "));
	assert_non_null(strstr(log, "bg (d1): the domain is gone: removing its xenstore entries\n"));
	free(log);
	free(logfile);
	free(logdir);
	free(text);
	config_free(&cfg);
}

/* The whole file at @path as a string ("" when it does not exist). */
static const char *file_text(const char *path)
{
	static char *text;
	uint8_t *data;
	size_t len;

	free(text);
	if (read_whole_file(path, 1 << 20, &data, &len))
		return text = xstrdup("");
	text = xasprintf("%.*s", (int)len, (const char *)data);
	free(data);
	return text;
}

/* The monitor keeps the guest's console in dom0 as xenconsoled's --log=guest: whole, bounded. */
static void test_monitor_keeps_the_console_log(void **state)
{
	const char *path = xasprintf_tmp("%s/console/guest-mon.log", daemon_.dir);
	const char *old = xasprintf_tmp("%s.1", path);
	char big[FAKE_CONSOLE_SIZE + 101];
	struct monitor m;
	bool gone;

	start_monitored(&m, "on_reboot = 'restart'\n");
	fake_console_print(&fake, 1, "[    0.000000] Linux version\r\n");
	assert_int_equal(console_log_open(&m.log, daemon_.dir, "mon", 160), 0);
	console_log_follow(&m.log, m.domid);
	/* Nobody attached: from the first byte keel kept; a prompt without its newline too. */
	fake_console_print(&fake, 1, "login: ");
	assert_int_equal(console_log_poll(&m.log, &fake.hv, &gone), 1);
	assert_false(gone);
	assert_string_equal(file_text(path), "[    0.000000] Linux version\r\nlogin: ");
	assert_int_equal(console_log_poll(&m.log, &fake.hv, &gone), 0);	/* nothing new */
	/* Typed output; then the file would pass 160 bytes: it becomes .1, a new one starts. */
	fake_console_print(&fake, 1, "root\r\n# ");
	assert_int_equal(console_log_poll(&m.log, &fake.hv, &gone), 1);
	fake_console_print(&fake, 1, "echo a line of 64 bytes, more than the file has room for....\r\n");
	assert_int_equal(console_log_poll(&m.log, &fake.hv, &gone), 1);
	fake_console_print(&fake, 1, "echo a line of 64 bytes, more than the file has room for....\r\n");
	assert_int_equal(console_log_poll(&m.log, &fake.hv, &gone), 1);
	assert_string_equal(file_text(old), "[    0.000000] Linux version\r\nlogin: root\r\n# "
			    "echo a line of 64 bytes, more than the file has room for....\r\n");
	assert_string_equal(file_text(path),
			    "echo a line of 64 bytes, more than the file has room for....\r\n");

	/* A guest faster than the poll: what keel no longer had is said, on a line of its own. */
	m.log.max = 1 << 20;
	fake_console_print(&fake, 1, "half a line");
	assert_int_equal(console_log_poll(&m.log, &fake.hv, &gone), 1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fake_console_print(&fake, 1, big);
	assert_int_equal(console_log_poll(&m.log, &fake.hv, &gone), 1);
	assert_non_null(strstr(file_text(path), "half a line\n[keelctl: 100 bytes of the console "
					     "were lost (keel keeps 16 KiB)]\nxxxx"));

	/* The guest reboots: the rebuilt domain's console goes on in the same file. */
	fake_console_print(&fake, 1, "\r\nreboot: Restarting system\r\n");
	assert_int_equal(hv_shutdown(&fake.hv, 1, SHUTDOWN_reboot), 0);
	assert_int_equal(monitor_check(&m), MONITOR_WAIT);
	assert_int_equal(m.domid, 2);
	assert_non_null(strstr(file_text(path), "x\r\nreboot: Restarting system\r\n"));
	fake_console_print(&fake, 2, "[    0.000000] Linux version again\r\n");
	assert_int_equal(console_log_poll(&m.log, &fake.hv, &gone), 1);
	/* Its last words before keel destroyed it are in the file when the monitor ends. */
	fake_console_print(&fake, 2, "reboot: Power down\r\n");
	assert_int_equal(hv_shutdown(&fake.hv, 2, SHUTDOWN_poweroff), 0);
	assert_int_equal(monitor_check(&m), MONITOR_DONE);
	assert_non_null(strstr(file_text(path), "Restarting system\r\n[    0.000000] Linux version "
					     "again\r\nreboot: Power down\r\n"));
	assert_null(strstr(file_text(path), "again\r\n[    0.000000] Linux version again"));
	monitor_fini(&m);
	assert_int_equal(m.log.fd, -1);
}

/* ---- shutdown and reboot ---- */

static void test_shutdown_through_xenstore(void **state)
{
	uint16_t domid = create("vm", NULL);

	/* No PV drivers yet: refused unless -F. */
	assert_int_equal(run("shutdown", "vm", NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1) has not announced PV shutdown support (control/feature-poweroff): it may still be booting; -F has keel shut it down instead\n");
	expect_node("/local/domain/1/control/shutdown", "");

	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/control/feature-poweroff", "1"), 0);
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/control/feature-reboot", "1"), 0);
	assert_int_equal(run("shutdown", "vm", NULL), EXIT_OK);
	expect_node("/local/domain/1/control/shutdown", "poweroff");
	assert_int_equal(run("reboot", "1", NULL), EXIT_OK);
	expect_node("/local/domain/1/control/shutdown", "reboot");

	/* The fake guest does not react: -w gives up after -t. */
	capture_reset();
	assert_int_equal(run("shutdown", "-w", "-t", "1", "vm", NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1): still there after 1 s\n");
	assert_true(fake.dom[domid].exists);
}

static void test_shutdown_forced_and_waited(void **state)
{
	create("a", NULL);
	create("b", "on_poweroff = 'preserve'\n");
	assert_int_equal(run("shutdown", "-F", "-w", "-a", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out), "Domain a (id=1) is gone\n"));
	assert_non_null(strstr(out_text(&out), "Domain b (id=2) has shut down (poweroff)\n"));
	assert_false(fake.dom[1].exists);
	assert_true(fake.dom[2].flags & KEEL_DOMINF_shutdown);
}

static void test_reboot_waits_until_the_old_domain_is_gone(void **state)
{
	create("kept", "on_reboot = 'preserve'\n");
	create("gone", "on_reboot = 'destroy'\n");
	/* Kept after its reboot, as configured: done. */
	assert_int_equal(run("reboot", "-F", "-w", "-t", "1", "kept", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out), "Domain kept (id=1) has shut down (reboot): preserved\n"));
	assert_int_equal(run("reboot", "-F", "-w", "2", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out), "Domain gone (id=2) is gone\n"));
}

/* The monitor of test_reboot_waits_for_the_rebuilt_domain, run when keelctl asks keel. */
static struct monitor *hook_monitor;
static unsigned int hook_looks;

/*
 * Once keelctl asked for the reboot: the monitor acts on the shutdown it sees, and its new
 * domain stays paused (not yet started) for two more looks.
 */
static void monitor_between_domctls(struct fake_hv *f, struct keel_domctl *op)
{
	if (!hook_monitor || op->cmd != KEEL_DOMCTL_getinfo || f->calls[KEEL_DOMCTL_shutdown] != 2)
		return;
	if (++hook_looks == 1) {
		monitor_check(hook_monitor);
		f->dom[hook_monitor->domid].flags |= KEEL_DOMINF_paused;
	} else if (hook_looks == 4) {
		f->dom[hook_monitor->domid].flags &= (uint16_t)~KEEL_DOMINF_paused;
	}
}

/* reboot -w returns once the monitor's new domain runs, and says its id; never before. */
static void test_reboot_waits_for_the_rebuilt_domain(void **state)
{
	struct monitor m;

	start_monitored(&m, "on_reboot = 'restart'\n");
	/* No monitor runs: it would wait for ever, so it says so. */
	assert_int_equal(run("reboot", "-F", "-w", "-t", "5", "mon", NULL), EXIT_FAIL);
	expect_message("keelctl: mon (d1) has shut down, and no monitor is left to restart it");
	assert_true(fake.dom[1].exists);

	/* Its monitor runs, between keelctl's questions to keel. */
	dom_state_set_monitor(UUID, getpid());
	hook_monitor = &m;
	fake.before_domctl = monitor_between_domctls;
	assert_int_equal(run("reboot", "-F", "-w", "-t", "5", "mon", NULL), EXIT_OK);
	fake.before_domctl = NULL;
	hook_monitor = NULL;
	assert_string_equal(out_text(&out), "Domain mon (id=1) rebooted as id 2\n");
	assert_true(hook_looks >= 4);		/* it waited until the new one ran */
	assert_int_equal(m.domid, 2);
	assert_false(fake.dom[2].flags & KEEL_DOMINF_paused);
	dom_state_set_monitor(UUID, 0);
	assert_int_equal(run("destroy", "mon", NULL), EXIT_OK);
	monitor_fini(&m);
}

static void test_shutdown_argument_errors(void **state)
{
	assert_int_equal(run("shutdown", NULL), EXIT_USAGE);
	expect_message("keelctl shutdown: no domain given\nusage: keelctl shutdown [-w] [-F] [-t SECS] (-a | NAME...)\n");
	capture_reset();
	assert_int_equal(run("shutdown", "-a", "vm", NULL), EXIT_USAGE);
	expect_message("keelctl shutdown: -a and domain names do not go together\n");
	capture_reset();
	assert_int_equal(run("reboot", "-t", "5", "vm", NULL), EXIT_USAGE);
	expect_message("keelctl reboot: -t only goes with -w\n");
	capture_reset();
	assert_int_equal(run("reboot", "-w", "-t", "soon", "vm", NULL), EXIT_USAGE);
	expect_message("keelctl reboot: -t: 'soon' is not a number of seconds (1-86400)\n");
	capture_reset();
	assert_int_equal(run("shutdown", "Domain-0", NULL), EXIT_FAIL);
	expect_message("keelctl: shutdown: not dom0, which keelctl runs in (use poweroff or reboot there)\n");
	capture_reset();
	assert_int_equal(run("shutdown", "ghost", NULL), EXIT_FAIL);
	expect_message("keelctl: no domain named 'ghost'\n");
	capture_reset();
	assert_int_equal(run("shutdown", "42", NULL), EXIT_FAIL);
	expect_message("keelctl: no domain with id 42\n");
}

/* ---- console, info, dmesg, top ---- */

/* ---- disks ---- */

/* A raw image of @kib KiB in the temporary directory. */
static char *image(const char *name, size_t kib)
{
	char *data = xcalloc(kib, 1024);
	char *path = xstrdup(tmp_file(name, data, kib * 1024));

	free(data);
	return path;
}

/* Nothing of @domid's disks is left in xenstore (with @all: of anybody's). */
static void expect_no_disks(uint16_t domid, bool all)
{
	char **names;
	unsigned int nr;

	expect_missing(xasprintf_tmp("/local/domain/%u/device/vbd", domid));
	expect_missing(xasprintf_tmp("/libxl/%u", domid));
	expect_missing(xasprintf_tmp("/local/domain/0/backend/qdisk/%u", domid));
	expect_missing(xasprintf_tmp("/local/domain/0/backend/vbd/%u", domid));
	if (all && !xs_directory(kc.xs, 0, "/local/domain/0/backend/qdisk", &names, &nr)) {
		assert_int_equal(nr, 0);
		xs_free_list(names);
	}
}

static void test_disk_entries(void **state)
{
	char *a = image("a.img", 64), *b = image("b.img", 4);
	char *extra = xasprintf("disk = [ '%s,raw,xvda,rw', 'vdev=xvdb, access=ro, untrusted, "
				"no-discard, direct-io-safe, target=%s' ]\n", a, b);
	const char *fe = "/local/domain/1/device/vbd/51712";
	const char *be = "/local/domain/0/backend/qdisk/1/51712";
	const char *fe2 = "/local/domain/1/device/vbd/51728";
	const char *be2 = "/local/domain/0/backend/qdisk/1/51728";
	const char *priv = "/libxl/1/device/vbd/51712";
	struct xs_client guest;
	struct xs_msg reply;
	uint16_t domid = create("vm", extra);

	assert_int_equal(domid, 1);
	/* The frontend: the guest's own, dom0 reads. */
	expect_perms(fe, "n1", "r0");
	expect_node(xasprintf_tmp("%s/backend", fe), be);
	expect_node(xasprintf_tmp("%s/backend-id", fe), "0");
	expect_node(xasprintf_tmp("%s/state", fe), "1");
	expect_node(xasprintf_tmp("%s/virtual-device", fe), "51712");
	expect_node(xasprintf_tmp("%s/device-type", fe), "disk");
	expect_node(xasprintf_tmp("%s/trusted", fe), "1");
	expect_perms(xasprintf_tmp("%s/state", fe), "n1", "r0");
	/* The backend: dom0's, the guest reads. */
	expect_perms(be, "n0", "r1");
	expect_node(xasprintf_tmp("%s/frontend", be), fe);
	expect_node(xasprintf_tmp("%s/frontend-id", be), "1");
	expect_node(xasprintf_tmp("%s/online", be), "1");
	expect_node(xasprintf_tmp("%s/state", be), "1");
	expect_node(xasprintf_tmp("%s/params", be), xasprintf_tmp("raw:%s", a));
	expect_node(xasprintf_tmp("%s/type", be), "qdisk");
	expect_node(xasprintf_tmp("%s/mode", be), "w");
	expect_node(xasprintf_tmp("%s/dev", be), "xvda");
	expect_node(xasprintf_tmp("%s/device-type", be), "disk");
	expect_node(xasprintf_tmp("%s/removable", be), "0");
	expect_node(xasprintf_tmp("%s/bootable", be), "1");
	expect_node(xasprintf_tmp("%s/discard-enable", be), "1");
	expect_node(xasprintf_tmp("%s/specification", be), "xen");
	expect_missing(xasprintf_tmp("%s/direct-io-safe", be));
	expect_missing(xasprintf_tmp("%s/physical-device", be));
	expect_perms(xasprintf_tmp("%s/mode", be), "n0", "r1");
	/* The second disk's flags. */
	expect_node(xasprintf_tmp("%s/trusted", fe2), "0");
	expect_node(xasprintf_tmp("%s/mode", be2), "r");
	expect_node(xasprintf_tmp("%s/discard-enable", be2), "0");
	expect_node(xasprintf_tmp("%s/direct-io-safe", be2), "1");
	expect_node(xasprintf_tmp("%s/params", be2), xasprintf_tmp("raw:%s", b));
	/* dom0's private copy: nobody else's. */
	expect_perms(priv, "n0", NULL);
	expect_node(xasprintf_tmp("%s/backend", priv), be);
	expect_node(xasprintf_tmp("%s/frontend", priv), fe);
	expect_missing(xasprintf_tmp("%s/loop", priv));

	/* What the guest may do: read both, write its frontend only, not the copy. */
	xs_client_ring(&guest, rings[1], NULL, NULL);
	assert_int_equal(xs_callv(&guest, XS_READ, 0, &reply, 1,
				  xasprintf_tmp("%s/params", be)), 0);
	assert_int_equal(reply.hdr.type, XS_READ);
	assert_int_equal(xs_write_node(&guest, 0, xasprintf_tmp("%s/state", fe), "3", 1, &reply),
			 0);
	assert_true(xs_is_ok(&reply));
	assert_int_equal(xs_write_node(&guest, 0, xasprintf_tmp("%s/params", be), "raw:/etc/shadow",
				       15, &reply), 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	assert_int_equal(xs_write_node(&guest, 0, xasprintf_tmp("%s/backend", priv), "/", 1,
				       &reply), 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	assert_int_equal(xs_callv(&guest, XS_READ, 0, &reply, 1, xasprintf_tmp("%s/backend", priv)),
			 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	xs_client_close(&guest);

	/* Destroy: nothing left (no backend ran, so nobody is waited for). */
	assert_int_equal(run("destroy", "vm", NULL), EXIT_OK);
	expect_no_disks(1, true);
	free(extra);
	free(a);
	free(b);
}

static void test_phy_disk_entries(void **state)
{
	struct disk_spec d;
	struct disk_phys p = { .path = "/dev/loop7", .major = 7, .minor = 0x107 };
	const char *be = "/local/domain/0/backend/vbd/1/51713";
	char *why;
	uint32_t devid = 51713;

	/* xenstored gives nodes only to domains it knows. */
	assert_int_equal(create("vm", NULL), 1);
	assert_int_equal(disk_spec_parse("phy:/srv/x.img,xvda1,r", &d, &why), 0);
	assert_int_equal(xs_disks_add(kc.xs, 1, "/vm/" UUID, &d, &p, 1), 0);
	expect_node("/local/domain/1/device/vbd/51713/backend", be);
	expect_perms(be, "n0", "r1");
	expect_node(xasprintf_tmp("%s/type", be), "phy");
	expect_node(xasprintf_tmp("%s/params", be), "/srv/x.img");
	expect_node(xasprintf_tmp("%s/mode", be), "r");
	expect_node(xasprintf_tmp("%s/physical-device", be), "7:107");
	expect_node(xasprintf_tmp("%s/physical-device-path", be), "/dev/loop7");
	expect_node(xasprintf_tmp("%s/dev", be), "xvda1");
	expect_node("/libxl/1/device/vbd/51713/spec", "phy:/srv/x.img,xvda1,r");
	/* Not made by keelctl (p.loop false): no loop device to release at teardown. */
	expect_missing("/libxl/1/device/vbd/51713/loop");
	/* The same device id again: refused. */
	assert_int_equal(xs_disks_add(kc.xs, 1, "/vm/" UUID, &d, &p, 1), -EEXIST);
	/* Teardown of another owner's disks leaves these alone; then they go. */
	assert_int_equal(xs_disks_remove(kc.xs, 1, &devid, 1, "/vm/other", true, 300), 0);
	expect_node(xasprintf_tmp("%s/state", be), "1");
	assert_int_equal(xs_disks_remove(kc.xs, 1, &devid, 1, "/vm/" UUID, true, 300), 0);
	expect_missing("/local/domain/1/device/vbd/51713");
	expect_missing(be);
	expect_missing("/libxl/1");
	assert_int_equal(run("destroy", "vm", NULL), EXIT_OK);
	expect_no_disks(1, true);
	disk_spec_free(&d);
	/* keelctl only ever detaches /dev/loopN. */
	assert_int_equal(disk_loop_release("/dev/sda"), -EINVAL);
	assert_int_equal(disk_loop_release("/dev/loop/../sda"), -EINVAL);
}

static void test_bad_disks_fail_the_create_with_nothing_left(void **state)
{
	char *a = image("c.img", 4);
	char *ro = image("ro.img", 4);
	char *extra;

	/* A missing target: keel is not even asked. */
	extra = xasprintf("disk = [ '%s,raw,xvda,rw', '/nonexistent/x.img,raw,xvdb,rw' ]\n", a);
	assert_int_equal(run("create", "-e", cfg_file("vm", extra), NULL), EXIT_FAIL);
	expect_message("keelctl: vm: disk xvdb: cannot open /nonexistent/x.img for writing: No such file or directory\n");
	assert_int_equal(fake.calls[KEEL_DOMCTL_create], 0);
	free(extra);
	/* Not a file or block device. */
	capture_reset();
	extra = xasprintf("disk = [ 'vdev=xvda, access=r, target=/tmp' ]\n");
	assert_int_equal(run("create", "-e", cfg_file("vm", extra), NULL), EXIT_FAIL);
	expect_message("is neither a file nor a block device\n");
	assert_int_equal(fake.calls[KEEL_DOMCTL_create], 0);
	free(extra);
	/* A parse error names the file and line. */
	capture_reset();
	extra = xasprintf("disk = [ '%s,qcow2,xvda' ]\n", a);
	assert_int_equal(run("create", "-e", cfg_file("vm", extra), NULL), EXIT_FAIL);
	expect_message("vm.cfg:4: disk: entry 1 ");
	expect_message("format 'qcow2' is not supported by keel");
	free(extra);
	/* A failure after the disks were written (INTRODUCE): they go with the domain. */
	capture_reset();
	unlink(xasprintf_tmp("%s/domain-1", daemon_.dir));
	extra = xasprintf("disk = [ '%s,raw,xvda,rw' ]\n", a);
	assert_int_equal(run("create", "-e", cfg_file("vm", extra), NULL), EXIT_FAIL);
	expect_message("xenstored refused INTRODUCE");
	assert_int_equal(fake_hv_domains(&fake), 0);
	expect_missing("/local/domain/1");
	expect_no_disks(1, true);
	free(extra);
	free(a);
	free(ro);
}

static void test_disks_come_back_after_a_reboot(void **state)
{
	char *a = image("r.img", 4);
	char *extra = xasprintf("on_reboot = 'restart'\ndisk = [ '%s,,xvda' ]\n", a);
	struct monitor m;
	struct disk_set set;
	char *hot;

	start_monitored(&m, extra);
	expect_node("/local/domain/0/backend/qdisk/1/51712/params", xasprintf_tmp("raw:%s", a));
	/* A disk hot-plugged meanwhile comes back too, as in xl. */
	hot = xasprintf("vdev=xvdb, access=ro, target=%s", a);
	assert_int_equal(disks_prepare("mon", &hot, 1, &set), 0);
	assert_int_equal(disks_attach(&kc, "mon", 1, "/vm/" UUID, &set), 0);
	disk_set_free(&set);
	expect_node("/libxl/1/device/vbd/51728/spec", hot);
	assert_int_equal(hv_shutdown(&fake.hv, 1, SHUTDOWN_reboot), 0);
	assert_int_equal(monitor_check(&m), MONITOR_WAIT);
	assert_int_equal(m.domid, 2);
	expect_no_disks(1, false);
	expect_node("/local/domain/2/device/vbd/51712/state", "1");
	expect_node("/local/domain/0/backend/qdisk/2/51712/frontend-id", "2");
	expect_node("/libxl/2/device/vbd/51712/vm", "/vm/" UUID);
	expect_node("/local/domain/0/backend/qdisk/2/51728/mode", "r");
	expect_node("/libxl/2/device/vbd/51712/spec", xasprintf_tmp("%s,,xvda", a));
	/* Powered off: keel frees it, the monitor removes the disks. */
	assert_int_equal(hv_shutdown(&fake.hv, 2, SHUTDOWN_poweroff), 0);
	assert_int_equal(monitor_check(&m), MONITOR_DONE);
	expect_no_disks(2, true);
	monitor_fini(&m);
	free(extra);
	free(hot);
	free(a);
}

/*
 * A backend in a thread, on its own connection: takes every new qdisk device (state 1 ->
 * 2), and closes (5 -> 6) unless told to be stubborn. Polls, as keelctl's waits do.
 */
struct fake_backend {
	pthread_t thread;
	const char *kind;	/* backend/<kind>: qdisk unless set */
	volatile bool stop, stubborn, refuse;
	volatile unsigned int taken;
};

static void backend_step(struct xs *xs, struct fake_backend *b)
{
	/* Not xasprintf_tmp(): its slots are the test thread's. */
	char *root = xasprintf("/local/domain/0/backend/%s", b->kind);
	char **doms = NULL, **devs = NULL;
	unsigned int nd = 0, nv = 0;

	if (xs_directory(xs, 0, root, &doms, &nd)) {
		free(root);
		return;
	}
	for (unsigned int i = 0; i < nd; i++) {
		char *dir = xasprintf("%s/%s", root, doms[i]);

		if (!xs_directory(xs, 0, dir, &devs, &nv)) {
			for (unsigned int j = 0; j < nv; j++) {
				char *st = xasprintf("%s/%s/state", dir, devs[j]), *v = NULL;
				bool took = false;
				uint32_t tx;

				/*
				 * Read and answer in one transaction, as a real backend
				 * does: a device the toolstack removed in between is not
				 * brought back by the answer (the commit fails, and the
				 * next pass finds nothing).
				 */
				if (xs_transaction_start(xs, &tx)) {
					free(st);
					continue;
				}
				if (!xs_read(xs, tx, st, &v)) {
					if (!strcmp(v, "1") && b->refuse) {
						char *e = xasprintf("/local/domain/0/error/backend/%s/%s/%s/error",
								    b->kind, doms[i], devs[j]);

						xs_write(xs, tx, e, "2 no such image");
						free(e);
						xs_write(xs, tx, st, "5");
					} else if (!strcmp(v, "1")) {
						xs_write(xs, tx, st, "2");
						took = true;
					} else if (!strcmp(v, "5") && !b->stubborn) {
						xs_write(xs, tx, st, "6");
					}
				}
				if (!xs_transaction_end(xs, tx, true) && took)
					b->taken++;
				free(v);
				free(st);
			}
			xs_free_list(devs);
		}
		free(dir);
	}
	xs_free_list(doms);
	free(root);
}

static void *backend_main(void *arg)
{
	struct fake_backend *b = arg;
	struct xs *xs = xs_open(daemon_.socket);

	assert_non_null(xs);
	while (!b->stop) {
		backend_step(xs, b);
		usleep(10000);
	}
	xs_close(xs);
	return NULL;
}

static void backend_start_kind(struct fake_backend *b, const char *kind)
{
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	assert_int_equal(pthread_create(&b->thread, NULL, backend_main, b), 0);
}

static void backend_start(struct fake_backend *b)
{
	backend_start_kind(b, "qdisk");
}

static void backend_stop(struct fake_backend *b)
{
	b->stop = true;
	assert_int_equal(pthread_join(b->thread, NULL), 0);
}

static void test_block_attach_list_detach(void **state)
{
	char *a = image("root.img", 4), *b = image("extra.img", 4);
	char *extra = xasprintf("disk = [ '%s,,xvda' ]\n", a);
	char *spec = xasprintf("%s,raw,xvdb,ro", b);
	static struct fake_backend be;	/* outlives a failed assertion's longjmp */

	backend_start(&be);
	create("vm", extra);
	out_close(&out);
	out_open(&out);
	kc.out = out.f;
	/* xl's two forms; several arguments are one specification. */
	assert_int_equal(run("block-attach", "vm", spec, NULL), EXIT_OK);
	expect_node("/local/domain/1/device/vbd/51728/state", "1");
	expect_node("/local/domain/0/backend/qdisk/1/51728/mode", "r");
	assert_int_equal(run("block-attach", "1", "vdev=xvdc", xasprintf_tmp("target=%s", b),
			     NULL), EXIT_OK);
	expect_node("/local/domain/0/backend/qdisk/1/51744/mode", "w");
	/* A taken device id, in any of its names. */
	assert_int_equal(run("block-attach", "vm", xasprintf_tmp("%s,,51728", a), NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1) has a disk 51728 (device 51728) already\n");
	/* What the guest reports shows in the list. */
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/device/vbd/51712/event-channel", "7"),
			 0);
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/device/vbd/51712/ring-ref", "8"), 0);
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/device/vbd/51712/state", "4"), 0);
	assert_int_equal(run("block-list", "vm", NULL), EXIT_OK);
	assert_string_equal(out_text(&out),
		"Vdev  BE  handle state evt-ch ring-ref BE-path\n"
		"51712 0   1      4     7      8        /local/domain/0/backend/qdisk/1/51712\n"
		"51728 0   1      1     -1     -1       /local/domain/0/backend/qdisk/1/51728\n"
		"51744 0   1      1     -1     -1       /local/domain/0/backend/qdisk/1/51744\n");

	/* Detach: the backend closes, everything of that disk goes. */
	assert_int_equal(run("block-detach", "vm", "xvdb", NULL), EXIT_OK);
	expect_missing("/local/domain/1/device/vbd/51728");
	expect_missing("/local/domain/0/backend/qdisk/1/51728");
	expect_missing("/libxl/1/device/vbd/51728");
	expect_node("/local/domain/1/device/vbd/51744/state", "1");
	assert_int_equal(run("block-detach", "vm", "xvdb", NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1) has no disk xvdb (device 51728)\n");
	/*
	 * A backend that does not close while the guest's frontend is connected: a plain
	 * detach gives up and leaves the disk, --force not.
	 */
	be.stubborn = true;
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/device/vbd/51744/state", "4"), 0);
	capture_reset();
	assert_int_equal(xs_disks_remove(kc.xs, 1, (uint32_t[]){ 51744 }, 1, NULL, false, 300),
			 -ETIMEDOUT);
	expect_message("d1: disk 51744: the backend did not close within 0.3 s: not removed");
	expect_node("/local/domain/0/backend/qdisk/1/51744/online", "0");
	expect_node("/local/domain/0/backend/qdisk/1/51744/state", "5");
	assert_int_equal(xs_disks_remove(kc.xs, 1, (uint32_t[]){ 51744 }, 1, NULL, true, 300), 0);
	expect_missing("/local/domain/1/device/vbd/51744");
	expect_missing("/local/domain/0/backend/qdisk/1/51744");
	be.stubborn = false;
	/* A backend that refuses the disk: attach fails, naming its error, and leaves nothing. */
	be.refuse = true;
	capture_reset();
	assert_int_equal(run("block-attach", "vm", xasprintf_tmp("%s,,xvdd", b), NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1): the backend refused disk xvdd: 2 no such image: removed again\n");
	expect_missing("/local/domain/1/device/vbd/51760");
	expect_missing("/local/domain/0/backend/qdisk/1/51760");
	expect_missing("/local/domain/0/error/backend/qdisk/1/51760");
	be.refuse = false;
	/* Argument errors. */
	assert_int_equal(run("block-attach", "vm", "/x,qcow2,xvde", NULL), EXIT_USAGE);
	expect_message("keelctl block-attach: disk '/x,qcow2,xvde': format 'qcow2' is not supported");
	assert_int_equal(run("block-attach", "vm", NULL), EXIT_USAGE);
	assert_int_equal(run("block-detach", "vm", "floppy", NULL), EXIT_USAGE);
	assert_int_equal(run("block-detach", "-x", "vm", "xvda", NULL), EXIT_USAGE);
	assert_int_equal(run("block-list", "0", NULL), EXIT_FAIL);
	expect_message("keelctl: block-list: dom0 gets no virtual disks\n");

	/* Destroy takes the attached disks too, and waits for the backend to close them. */
	assert_int_equal(run("destroy", "vm", NULL), EXIT_OK);
	expect_no_disks(1, true);
	assert_int_equal(be.taken, 3);	/* xvda, xvdb, xvdc */
	backend_stop(&be);
	free(spec);
	free(extra);
	free(a);
	free(b);
}

/* ---- vifs ---- */

/* Nothing of @domid's vifs is left in xenstore. */
static void expect_no_vifs(uint16_t domid)
{
	expect_missing(xasprintf_tmp("/local/domain/%u/device/vif", domid));
	expect_missing(xasprintf_tmp("/libxl/%u", domid));
	expect_missing(xasprintf_tmp("/local/domain/0/backend/qnic/%u", domid));
	expect_missing(xasprintf_tmp("/local/domain/0/backend/vif/%u", domid));
}

static void test_vif_entries(void **state)
{
	const char *extra = "vif = [ 'mac=00:16:3E:00:00:01,bridge=br1,mtu=1400,ip=10.0.0.2,"
			    "vifname=guest0,untrusted', '' ]\n";
	const char *fe = "/local/domain/1/device/vif/0", *be = "/local/domain/0/backend/qnic/1/0";
	const char *fe1 = "/local/domain/1/device/vif/1", *be1 = "/local/domain/0/backend/qnic/1/1";
	const char *priv = "/libxl/1/device/vif/0";
	struct xs_client guest;
	struct xs_msg reply;
	char *mac;

	assert_int_equal(create("vm", extra), 1);
	/* The frontend: the guest's own, dom0 reads; mtu is dom0's word, read-only. */
	expect_perms(fe, "n1", "r0");
	expect_node(xasprintf_tmp("%s/backend", fe), be);
	expect_node(xasprintf_tmp("%s/backend-id", fe), "0");
	expect_node(xasprintf_tmp("%s/state", fe), "1");
	expect_node(xasprintf_tmp("%s/handle", fe), "0");
	expect_node(xasprintf_tmp("%s/mac", fe), "00:16:3e:00:00:01");
	expect_node(xasprintf_tmp("%s/trusted", fe), "0");
	expect_node(xasprintf_tmp("%s/mtu", fe), "1400");
	expect_perms(xasprintf_tmp("%s/mtu", fe), "n0", "r1");
	expect_perms(xasprintf_tmp("%s/mac", fe), "n1", "r0");
	/* The backend: dom0's, the guest reads. */
	expect_perms(be, "n0", "r1");
	expect_node(xasprintf_tmp("%s/frontend", be), fe);
	expect_node(xasprintf_tmp("%s/frontend-id", be), "1");
	expect_node(xasprintf_tmp("%s/online", be), "1");
	expect_node(xasprintf_tmp("%s/state", be), "1");
	expect_node(xasprintf_tmp("%s/handle", be), "0");
	expect_node(xasprintf_tmp("%s/mac", be), "00:16:3e:00:00:01");
	expect_node(xasprintf_tmp("%s/bridge", be), "br1");
	expect_node(xasprintf_tmp("%s/type", be), "vif");
	expect_node(xasprintf_tmp("%s/ip", be), "10.0.0.2");
	expect_node(xasprintf_tmp("%s/vifname", be), "guest0");
	expect_node(xasprintf_tmp("%s/mtu", be), "1400");
	/* keel-netback runs no hotplug script: nothing to wait for. */
	expect_missing(xasprintf_tmp("%s/hotplug-status", be));
	expect_missing(xasprintf_tmp("%s/script", be));
	expect_perms(xasprintf_tmp("%s/mac", be), "n0", "r1");
	/* The second: id 1, a random Xen MAC, every default. */
	expect_node(xasprintf_tmp("%s/handle", fe1), "1");
	expect_node(xasprintf_tmp("%s/trusted", fe1), "1");
	expect_missing(xasprintf_tmp("%s/mtu", fe1));
	expect_node(xasprintf_tmp("%s/bridge", be1), "xenbr0");
	expect_missing(xasprintf_tmp("%s/ip", be1));
	assert_int_equal(xs_read(kc.xs, 0, xasprintf_tmp("%s/mac", fe1), &mac), 0);
	assert_int_equal(strncmp(mac, "00:16:3e:", 9), 0);
	expect_node(xasprintf_tmp("%s/mac", be1), mac);
	expect_node("/libxl/1/device/vif/1/spec",
		    xasprintf_tmp("devid=1,mac=%s,bridge=xenbr0,backendtype=keel", mac));
	free(mac);
	/* dom0's private copy: nobody else's. */
	expect_perms(priv, "n0", NULL);
	expect_node(xasprintf_tmp("%s/backend", priv), be);
	expect_node(xasprintf_tmp("%s/frontend", priv), fe);
	expect_node(xasprintf_tmp("%s/mac", priv), "00:16:3e:00:00:01");
	assert_int_equal(xs_read(kc.xs, 0, "/local/domain/1/vm", &mac), 0);
	expect_node(xasprintf_tmp("%s/vm", priv), mac);
	free(mac);

	/* What the guest may do: read both, write its frontend but not mtu, not the backend. */
	xs_client_ring(&guest, rings[1], NULL, NULL);
	assert_int_equal(xs_callv(&guest, XS_READ, 0, &reply, 1, xasprintf_tmp("%s/bridge", be)),
			 0);
	assert_int_equal(reply.hdr.type, XS_READ);
	assert_int_equal(xs_write_node(&guest, 0, xasprintf_tmp("%s/state", fe), "4", 1, &reply),
			 0);
	assert_true(xs_is_ok(&reply));
	assert_int_equal(xs_write_node(&guest, 0, xasprintf_tmp("%s/mtu", fe), "9000", 4, &reply),
			 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	assert_int_equal(xs_write_node(&guest, 0, xasprintf_tmp("%s/bridge", be), "br0", 3, &reply),
			 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	assert_int_equal(xs_write_node(&guest, 0, xasprintf_tmp("%s/mac", priv), "x", 1, &reply),
			 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	xs_client_close(&guest);

	/* Destroy: nothing left (no backend ran, so nobody is waited for). */
	assert_int_equal(run("destroy", "vm", NULL), EXIT_OK);
	expect_no_vifs(1);
}

/* dom0's interfaces, as the kernel-vif hotplug work would change them. */
static struct {
	char log[512];
	int fail_bridge;
} net;

static void net_log(const char *fmt, const char *a, const char *b)
{
	size_t len = strlen(net.log);

	snprintf(net.log + len, sizeof(net.log) - len, fmt, a, b);
}

static bool fake_exists(const char *ifname)
{
	return true;
}

static int fake_rename(const char *from, const char *to)
{
	net_log("rename %s %s;", from, to);
	return 0;
}

static int fake_set_mtu(const char *ifname, unsigned int mtu)
{
	char m[16];

	snprintf(m, sizeof(m), "%u", mtu);
	net_log("mtu %s %s;", ifname, m);
	return 0;
}

static int fake_bridge_add(const char *bridge, const char *ifname)
{
	net_log("addif %s %s;", bridge, ifname);
	return net.fail_bridge;
}

static int fake_set_up(const char *ifname)
{
	net_log("up %s%s;", ifname, "");
	return 0;
}

static const struct vif_netops fake_netops = {
	.exists = fake_exists, .rename = fake_rename, .set_mtu = fake_set_mtu,
	.bridge_add = fake_bridge_add, .set_up = fake_set_up,
};

static void test_kernel_vif_hotplug(void **state)
{
	static struct fake_backend be;	/* outlives a failed assertion's longjmp */
	const char *bep = "/local/domain/0/backend/vif/1/0";

	memset(&net, 0, sizeof(net));
	vif_netops = &fake_netops;
	backend_start_kind(&be, "vif");
	/* xen-netback takes it (state 2, vif1.0 made): keelctl does vif-bridge's work. */
	assert_int_equal(create("vm", "vif = [ 'backendtype=kernel', "
				"'backendtype=kernel,vifname=g1,mtu=9000,bridge=br1' ]\n"), 1);
	assert_string_equal(net.log, "addif xenbr0 vif1.0;up vif1.0;"
				     "rename vif1.1 g1;mtu g1 9000;addif br1 g1;up g1;");
	expect_node(xasprintf_tmp("%s/hotplug-status", bep), "connected");
	expect_node(xasprintf_tmp("%s/script", bep), "/etc/xen/scripts/vif-bridge");
	expect_node("/local/domain/0/backend/vif/1/1/hotplug-status", "connected");
	expect_node("/local/domain/1/device/vif/0/backend", bep);
	expect_missing("/local/domain/0/backend/qnic/1");
	assert_int_equal(run("destroy", "vm", NULL), EXIT_OK);
	expect_no_vifs(1);
	assert_int_equal(be.taken, 2);

	/* A bridge that is not there: the create fails, saying so, and leaves nothing. */
	memset(&net, 0, sizeof(net));
	net.fail_bridge = -ENODEV;
	capture_reset();
	assert_int_equal(run("create", "-e", cfg_file("vm", "vif = [ 'backendtype=kernel' ]\n"),
			     NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d2): vif 0: cannot add vif2.0 to bridge xenbr0: No such device\n");
	assert_int_equal(fake_hv_domains(&fake), 0);
	expect_no_vifs(2);
	expect_missing("/local/domain/2");
	backend_stop(&be);
	vif_netops = &vif_netops_linux;
}

static void test_vifs_come_back_after_a_reboot(void **state)
{
	static struct fake_backend be;
	struct monitor m;
	char *mac0, *mac1;

	backend_start_kind(&be, "qnic");
	start_monitored(&m, "on_reboot = 'restart'\nvif = [ '' ]\n");
	assert_int_equal(xs_read(kc.xs, 0, "/local/domain/1/device/vif/0/mac", &mac0), 0);
	/* A vif hot-plugged meanwhile comes back too, with its MAC, as in xl. */
	assert_int_equal(run("network-attach", "mon", NULL), EXIT_OK);
	assert_int_equal(xs_read(kc.xs, 0, "/local/domain/1/device/vif/1/mac", &mac1), 0);
	assert_string_not_equal(mac0, mac1);
	assert_int_equal(hv_shutdown(&fake.hv, 1, SHUTDOWN_reboot), 0);
	assert_int_equal(monitor_check(&m), MONITOR_WAIT);
	assert_int_equal(m.domid, 2);
	expect_no_vifs(1);
	expect_node("/local/domain/2/device/vif/0/mac", mac0);
	expect_node("/local/domain/2/device/vif/1/mac", mac1);
	expect_node("/local/domain/0/backend/qnic/2/1/frontend-id", "2");
	/* Powered off: the monitor removes the vifs. */
	assert_int_equal(hv_shutdown(&fake.hv, 2, SHUTDOWN_poweroff), 0);
	assert_int_equal(monitor_check(&m), MONITOR_DONE);
	expect_no_vifs(2);
	monitor_fini(&m);
	backend_stop(&be);
	free(mac0);
	free(mac1);
}

static void test_network_attach_list_detach(void **state)
{
	static struct fake_backend be;

	backend_start_kind(&be, "qnic");
	create("vm", "vif = [ 'mac=00:16:3e:00:00:01' ]\n");
	out_close(&out);
	out_open(&out);
	kc.out = out.f;
	/* The next free id; several arguments are one specification. */
	assert_int_equal(run("network-attach", "vm", "mac=00:16:3e:00:00:02", "bridge=br1", NULL),
			 EXIT_OK);
	expect_node("/local/domain/1/device/vif/1/state", "1");
	expect_node("/local/domain/0/backend/qnic/1/1/state", "2");
	expect_node("/local/domain/0/backend/qnic/1/1/bridge", "br1");
	assert_int_equal(run("network-attach", "vm", "devid=7,mac=00:16:3e:00:00:07", NULL),
			 EXIT_OK);
	/* A taken id. */
	assert_int_equal(run("network-attach", "vm", "devid=1", NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1) has a vif 1 already\n");
	/* What the guest reports shows in the list (one queue or several). */
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/device/vif/0/event-channel", "9"), 0);
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/device/vif/0/tx-ring-ref", "10"), 0);
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/device/vif/0/rx-ring-ref", "11"), 0);
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/device/vif/0/state", "4"), 0);
	assert_int_equal(xs_write(kc.xs, 0,
				  "/local/domain/1/device/vif/1/queue-0/event-channel-tx", "12"), 0);
	assert_int_equal(run("network-list", "vm", NULL), EXIT_OK);
	assert_string_equal(out_text(&out),
		"Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path\n"
		"0   0  00:16:3e:00:00:01 0      4     9         10/11          /local/domain/0/backend/qnic/1/0\n"
		"1   0  00:16:3e:00:00:02 1      1     12        -1/-1          /local/domain/0/backend/qnic/1/1\n"
		"7   0  00:16:3e:00:00:07 7      1     -1        -1/-1          /local/domain/0/backend/qnic/1/7\n");
	/* Detach by MAC and by id: the backend closes, everything of that vif goes. */
	assert_int_equal(run("network-detach", "vm", "00:16:3E:00:00:02", NULL), EXIT_OK);
	expect_missing("/local/domain/1/device/vif/1");
	expect_missing("/local/domain/0/backend/qnic/1/1");
	expect_missing("/libxl/1/device/vif/1");
	assert_int_equal(run("network-detach", "vm", "7", NULL), EXIT_OK);
	expect_missing("/local/domain/1/device/vif/7");
	/* The next attach takes id 1 again: one past the largest left. */
	assert_int_equal(run("network-attach", "vm", NULL), EXIT_OK);
	expect_node("/local/domain/0/backend/qnic/1/1/handle", "1");
	assert_int_equal(run("network-detach", "vm", "00:16:3e:00:00:02", NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1) has no vif 00:16:3e:00:00:02\n");
	assert_int_equal(run("network-detach", "vm", "5", NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1) has no vif 5\n");
	/* A stubborn backend with a connected guest: detach gives up, --force not. */
	be.stubborn = true;
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/device/vif/1/state", "4"), 0);
	capture_reset();
	assert_int_equal(xs_vifs_remove(kc.xs, 1, (uint32_t[]){ 1 }, 1, NULL, false, 300),
			 -ETIMEDOUT);
	expect_message("d1: vif 1: the backend did not close within 0.3 s: not removed");
	expect_node("/local/domain/0/backend/qnic/1/1/state", "5");
	assert_int_equal(xs_vifs_remove(kc.xs, 1, (uint32_t[]){ 1 }, 1, NULL, true, 300), 0);
	expect_missing("/local/domain/0/backend/qnic/1/1");
	be.stubborn = false;
	/* A backend that refuses the vif: attach fails, naming its error, and leaves nothing. */
	be.refuse = true;
	capture_reset();
	assert_int_equal(run("network-attach", "vm", NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1): the backend refused vif 1: 2 no such image: removed again\n");
	expect_missing("/local/domain/1/device/vif/1");
	expect_missing("/local/domain/0/backend/qnic/1/1");
	expect_missing("/local/domain/0/error/backend/qnic/1/1");
	be.refuse = false;
	/* Argument errors. */
	assert_int_equal(run("network-attach", "vm", "rate=1Mb/s", NULL), EXIT_USAGE);
	expect_message("keelctl network-attach: vif 'rate=1Mb/s': rate is not supported by keel\n");
	assert_int_equal(run("network-attach", NULL), EXIT_USAGE);
	assert_int_equal(run("network-detach", "vm", "eth0", NULL), EXIT_USAGE);
	expect_message("'eth0' is neither a vif id nor a MAC address");
	assert_int_equal(run("network-detach", "vm", NULL), EXIT_USAGE);
	assert_int_equal(run("network-detach", "-x", "vm", "0", NULL), EXIT_USAGE);
	assert_int_equal(run("network-list", "0", NULL), EXIT_FAIL);
	expect_message("keelctl: network-list: dom0 gets no virtual network interfaces\n");
	assert_int_equal(run("network-attach", "nosuch", NULL), EXIT_FAIL);

	/* Destroy takes the attached vifs too. */
	assert_int_equal(run("destroy", "vm", NULL), EXIT_OK);
	expect_no_vifs(1);
	backend_stop(&be);
}

static unsigned int console_reads_replay;

static void test_console(void **state)
{
	static const char typed[] = "ls /\n\x1d" "after";
	int in[2], outfd;
	const char *path = xasprintf_tmp("%s/console-out", daemon_.dir);
	char got[256];
	ssize_t n;

	create("vm", NULL);
	fake_console_print(&fake, 1, "boot messages\r\n$ ");
	assert_int_equal(pipe(in), 0);
	assert_int_equal(write(in[1], typed, sizeof(typed) - 1), (ssize_t)sizeof(typed) - 1);
	outfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(outfd >= 0);
	assert_int_equal(console_attach(&fake.hv, 1, in[0], outfd, CONSOLE_REPLAY_ALL), 0);
	/* Everything up to Ctrl-] went to the guest, nothing after it. */
	assert_int_equal(fake.dom[1].console_in_len, 5);
	assert_memory_equal(fake.dom[1].console_in, "ls /\n", 5);
	n = pread(outfd, got, sizeof(got) - 1, 0);
	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, "boot messages\r\n$ ");

	/* The domain goes away: the console shows what keel kept of it, says so and returns. */
	fake_console_print(&fake, 1, "last words\r\n");
	assert_int_equal(run("destroy", "vm", NULL), EXIT_OK);
	assert_int_equal(ftruncate(outfd, 0), 0);
	assert_int_equal(lseek(outfd, 0, SEEK_SET), 0);
	assert_int_equal(console_attach(&fake.hv, 1, in[0], outfd, CONSOLE_REPLAY_ALL), 0);
	n = pread(outfd, got, sizeof(got) - 1, 0);
	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, "boot messages\r\n$ last words\r\n\r\n[keelctl: d1 is gone]\r\n");

	/* Nothing kept of it any more (keel made room for newer ones): only the note. */
	fake.buried.exists = false;
	assert_int_equal(ftruncate(outfd, 0), 0);
	assert_int_equal(lseek(outfd, 0, SEEK_SET), 0);
	assert_int_equal(console_attach(&fake.hv, 1, in[0], outfd, CONSOLE_REPLAY_ALL), 0);
	n = pread(outfd, got, sizeof(got) - 1, 0);
	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, "\r\n[keelctl: d1 is gone]\r\n");
	close(in[0]);
	close(in[1]);
	close(outfd);
}

/* The guest writes more while the console replays: shown once, after the replay. */
static void prints_during_replay(struct fake_hv *f, uint16_t domid)
{
	if (++console_reads_replay == 2)
		fake_console_print(f, domid, "live line\r\n# ");
}

static void test_console_replay(void **state)
{
	static const uint8_t text[] = "one\ntwo\nthree\n# ";
	const char *path = xasprintf_tmp("%s/console-replay", daemon_.dir);
	int in[2], outfd;
	char got[256];
	ssize_t n;

	assert_int_equal(console_replay_start(text, sizeof(text) - 1, 0), sizeof(text) - 1);
	assert_string_equal(text + console_replay_start(text, sizeof(text) - 1, 1), "# ");
	assert_string_equal(text + console_replay_start(text, sizeof(text) - 1, 2), "three\n# ");
	assert_int_equal(console_replay_start(text, sizeof(text) - 1, 9), 0);
	assert_int_equal(console_replay_start(text, 14, 2), 4);		/* "two\nthree\n" */
	assert_int_equal(console_replay_start(text, 0, 2), 0);

	create("vm", NULL);
	fake_console_print(&fake, 1, "boot 1\r\nboot 2\r\nboot 3\r\nlogin: ");
	assert_int_equal(pipe(in), 0);
	assert_int_equal(write(in[1], "\x1d", 1), 1);
	outfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(outfd >= 0);
	console_reads_replay = 0;
	fake.before_console_read = prints_during_replay;
	assert_int_equal(console_attach(&fake.hv, 1, in[0], outfd, 2), 0);
	fake.before_console_read = NULL;
	n = pread(outfd, got, sizeof(got) - 1, 0);
	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, "boot 3\r\nlogin: live line\r\n# ");

	/* -r 0 on the command line: only what comes from now on. */
	assert_int_equal(ftruncate(outfd, 0), 0);
	assert_int_equal(write(in[1], "\x1d", 1), 1);
	assert_int_equal(console_attach(&fake.hv, 1, in[0], outfd, 0), 0);
	assert_int_equal(pread(outfd, got, sizeof(got) - 1, 0), 0);
	close(in[0]);
	close(in[1]);
	close(outfd);
}

/* Issue 20: the guest's numbered lines, its last words and keel's destroy between two polls. */
#define LAST_LINES 300
static unsigned int console_reads, die_at_read;
static uint16_t replacement;

static void print_lines(uint16_t domid, unsigned int from, unsigned int to)
{
	char line[64];

	for (unsigned int i = from; i < to; i++) {
		snprintf(line, sizeof(line), "guest line %03u of %u\n", i, LAST_LINES);
		fake_console_print(&fake, domid, line);
	}
}

/* The guest writes the rest and powers off; keel destroys it and gives its id to another. */
static void dies_between_polls(struct fake_hv *f, uint16_t domid)
{
	if (++console_reads != die_at_read)
		return;
	print_lines(domid, LAST_LINES / 2, LAST_LINES);
	fake_console_print(f, domid, "LAST WORDS\n");
	fake_guest_shutdown(f, domid, SHUTDOWN_poweroff);
	if (replacement) {
		f->last_id = (uint16_t)(domid - 1);	/* create picks domid next */
		assert_int_equal(hv_create(&f->hv, 1, &replacement), 0);
		assert_int_equal(replacement, domid);
		fake_console_print(f, domid, "another domain\n");
	}
}

static void expect_whole_output(uint16_t domid)
{
	const char *path = xasprintf_tmp("%s/console-last", daemon_.dir);
	static char got[LAST_LINES * 32], want[LAST_LINES * 32];
	int in[2], outfd;
	size_t len = 0;
	ssize_t n;

	for (unsigned int i = 0; i < LAST_LINES; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len, "guest line %03u of %u\n",
					i, LAST_LINES);
	snprintf(want + len, sizeof(want) - len, "LAST WORDS\n\r\n[keelctl: d%u is gone]\r\n",
		 domid);
	assert_int_equal(pipe(in), 0);
	outfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(outfd >= 0);
	assert_int_equal(console_attach(&fake.hv, domid, in[0], outfd, CONSOLE_REPLAY_ALL), 0);
	n = pread(outfd, got, sizeof(got) - 1, 0);
	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, want);
	close(in[0]);
	close(in[1]);
	close(outfd);
}

static void test_console_last_words(void **state)
{
	uint16_t domid;

	/* Destroyed right after the reader's first poll, as a guest that powers off at once. */
	for (unsigned int at = 1; at <= 3; at++) {
		domid = create(xasprintf_tmp("last%u", at), NULL);
		print_lines(domid, 0, LAST_LINES / 2);
		console_reads = 0;
		die_at_read = at;
		replacement = 0;
		fake.before_console_read = dies_between_polls;
		expect_whole_output(domid);
		fake.before_console_read = NULL;
		assert_false(fake.dom[domid].exists);
	}
	/* Its id went to a new domain at once: the reader still follows the one it attached to. */
	domid = create("last4", NULL);
	print_lines(domid, 0, LAST_LINES / 2);
	console_reads = 0;
	die_at_read = 2;
	replacement = 1;
	fake.before_console_read = dies_between_polls;
	expect_whole_output(domid);
	fake.before_console_read = NULL;
	assert_true(fake.dom[domid].exists);
}

static void test_info_dmesg_top(void **state)
{
	create("vm", NULL);
	assert_int_equal(run("info", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out), "nr_cpus                : 2\n"));
	assert_non_null(strstr(out_text(&out), "nr_domains             : 2\n"));
	assert_non_null(strstr(out_text(&out), "total_pages            : 262144\n"));
	assert_non_null(strstr(out_text(&out), "free_pages             : 131072\n"));
	assert_non_null(strstr(out_text(&out), "total_memory           : 1024\n"));
	assert_non_null(strstr(out_text(&out), "free_memory            : 512\n"));

	out_close(&out);
	out_open(&out);
	kc.out = out.f;
	strcpy(fake.log, "(keel) Keel hypervisor 0.1\n(keel) d1: created\n");
	assert_int_equal(run("dmesg", NULL), EXIT_OK);
	assert_string_equal(out_text(&out), fake.log);

	/* dmesg -c prints it, then keel forgets it: the next dmesg shows only what came since. */
	out_close(&out);
	out_open(&out);
	kc.out = out.f;
	assert_int_equal(run("dmesg", "-c", NULL), EXIT_OK);
	assert_string_equal(out_text(&out), "(keel) Keel hypervisor 0.1\n(keel) d1: created\n");
	assert_int_equal(run("dmesg", NULL), EXIT_OK);
	strcat(fake.log, "(keel) d1: destroyed\n");
	assert_int_equal(run("dmesg", NULL), EXIT_OK);
	assert_string_equal(out_text(&out), "(keel) Keel hypervisor 0.1\n(keel) d1: created\n"
			    "(keel) d1: destroyed\n");

	out_close(&out);
	out_open(&out);
	kc.out = out.f;
	assert_int_equal(run("top", "-b", "-n", "2", "-d", "0.1", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out),
		"2 domains: 1 running, 1 blocked, 0 paused, 0 shutdown, 0 crashed, 0 dying\n"
		"Mem: 1048576k total, 524288k used, 524288k free    CPUs: 2\n"));
	assert_non_null(strstr(out_text(&out),
		"              NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%) VCPUS   ID\n"
		"          Domain-0 r-----          5    0.0     262144   25.0     1    0\n"
		"                vm -b----          0    0.0       8192    0.8     1    1\n"));
	/* Two refreshes. */
	assert_non_null(strstr(strstr(out_text(&out), "keelctl top") + 1, "keelctl top"));
}

/* maxvcpus and cpus at create; vcpu-list, vcpu-pin, vcpu-set and sched-credit as xl's. */
static void test_vcpu_commands(void **state)
{
	size_t mark;
	uint16_t domid;

	domid = create("vm", "vcpus = 1\nmaxvcpus = 2\ncpus = \"1\"\n");
	assert_int_equal(fake.dom[domid].vcpus, 2);
	assert_int_equal(fake.dom[domid].affinity[0], 2);
	assert_int_equal(fake.dom[domid].affinity[1], 2);
	expect_node("/local/domain/1/cpu/0/availability", "online");
	expect_node("/local/domain/1/cpu/1/availability", "offline");
	fake.dom[domid].vcpu_time_ns[0] = 1250000000;
	mark = strlen(out_text(&out));
	assert_int_equal(run("vcpu-list", NULL), EXIT_OK);
	assert_string_equal(out_text(&out) + mark, 
		"Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n"
		"Domain-0                             0     0    0   r--       5.0  all / all\n"
		"vm                                   1     0    1   -b-       1.2  1 / all\n"
		"vm                                   1     1    -   --p       0.0  1 / all\n");
	/* Pinning: all vCPUs or one, masks checked against the vCPUs and keel's CPUs. */
	assert_int_equal(run("vcpu-pin", "vm", "all", "0", NULL), EXIT_OK);
	assert_int_equal(fake.dom[domid].affinity[0], 1);
	assert_int_equal(fake.dom[domid].affinity[1], 1);
	assert_int_equal(run("vcpu-pin", "vm", "1", "0-1", "all", NULL), EXIT_OK);
	assert_int_equal(fake.dom[domid].affinity[1], 3);
	assert_int_equal(run("vcpu-pin", "Domain-0", "0", "1", NULL), EXIT_OK);
	assert_int_equal(fake.dom[0].affinity[0], 2);
	mark = strlen(out_text(&out));
	assert_int_equal(run("vcpu-list", "vm", "0", NULL), EXIT_OK);
	assert_string_equal(out_text(&out) + mark, 
		"Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n"
		"vm                                   1     0    0   -b-       1.2  0 / all\n"
		"vm                                   1     1    -   --p       0.0  all / all\n"
		"Domain-0                             0     0    1   r--       5.0  1 / all\n");
	capture_reset();
	assert_int_equal(run("vcpu-pin", "vm", "2", "0", NULL), EXIT_FAIL);
	assert_string_equal(captured(), "keelctl: vcpu-pin: vm has vCPUs 0-1, not 2\n");
	/* As Xen: CPUs keel lacks are ignored, vcpu-list shows the ones in force; none is refused. */
	capture_reset();
	assert_int_equal(run("vcpu-pin", "vm", "0", "1,5", NULL), EXIT_OK);
	assert_int_equal(fake.dom[domid].affinity[0], 2);
	assert_int_equal(run("vcpu-pin", "vm", "all", "0-7", NULL), EXIT_OK);
	assert_int_equal(fake.dom[domid].affinity[0], 3);
	assert_int_equal(fake.dom[domid].affinity[1], 3);
	assert_int_equal(run("vcpu-pin", "vm", "1", "0,200", NULL), EXIT_OK);
	assert_int_equal(fake.dom[domid].affinity[1], 1);
	assert_string_equal(captured(), "");
	mark = strlen(out_text(&out));
	assert_int_equal(run("vcpu-list", "vm", NULL), EXIT_OK);
	assert_string_equal(out_text(&out) + mark,
		"Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n"
		"vm                                   1     0    0   -b-       1.2  all / all\n"
		"vm                                   1     1    -   --p       0.0  0 / all\n");
	assert_int_equal(run("vcpu-pin", "vm", "all", "0", NULL), EXIT_OK);
	assert_int_equal(run("vcpu-pin", "vm", "0", "2-7,200", NULL), EXIT_FAIL);
	assert_string_equal(captured(), "keelctl: vcpu-pin: CPUS '2-7,200' names none of keel's "
			    "CPUs (keel has CPUs 0-1)\n");
	capture_reset();
	assert_int_equal(run("vcpu-pin", "vm", "0", "0-1,^0-1", NULL), EXIT_USAGE);
	expect_message("keelctl vcpu-pin: CPUS '0-1,^0-1': no CPU left\n");
	capture_reset();
	assert_int_equal(run("vcpu-pin", "vm", "0", "0", "1", NULL), EXIT_USAGE);
	expect_message("keel has no soft affinity");
	assert_int_equal(fake.dom[domid].affinity[0], 1);	/* unchanged by refusals */

	/* vcpu-set: cpu/N/availability within maxvcpus. */
	assert_int_equal(run("vcpu-set", "vm", "2", NULL), EXIT_OK);
	expect_node("/local/domain/1/cpu/1/availability", "online");
	assert_int_equal(run("vcpu-set", "vm", "1", NULL), EXIT_OK);
	expect_node("/local/domain/1/cpu/0/availability", "online");
	expect_node("/local/domain/1/cpu/1/availability", "offline");
	capture_reset();
	assert_int_equal(run("vcpu-set", "vm", "3", NULL), EXIT_FAIL);
	assert_string_equal(captured(), "keelctl: vcpu-set: vm was created with 2 vCPUs "
			    "(maxvcpus); it cannot have 3\n");
	capture_reset();
	assert_int_equal(run("vcpu-set", "vm", "0", NULL), EXIT_USAGE);
	expect_message("keelctl vcpu-set: N is a number of vCPUs (1 or more), not '0'\n");

	/* sched-credit: what is not given stays; dom0 too. */
	assert_int_equal(run("sched-credit", "-d", "vm", "-w", "512", NULL), EXIT_OK);
	assert_int_equal(fake.dom[domid].weight, 512);
	assert_int_equal(run("sched-credit", "-d", "vm", "-c", "50", NULL), EXIT_OK);
	assert_int_equal(fake.dom[domid].weight, 512);
	assert_int_equal(fake.dom[domid].cap, 50);
	assert_int_equal(run("sched-credit", "-d", "Domain-0", "-w", "300", NULL), EXIT_OK);
	assert_int_equal(fake.dom[0].weight, 300);
	mark = strlen(out_text(&out));
	assert_int_equal(run("sched-credit", NULL), EXIT_OK);
	assert_int_equal(run("sched-credit", "-d", "vm", NULL), EXIT_OK);
	assert_string_equal(out_text(&out) + mark, 
		"Cpupool Pool-0: tslice=10ms ratelimit=0us migration-delay=0us\n"
		"Name                                ID Weight  Cap\n"
		"Domain-0                             0    300    0\n"
		"vm                                   1    512   50\n"
		"Name                                ID Weight  Cap\n"
		"vm                                   1    512   50\n");
	capture_reset();
	assert_int_equal(run("sched-credit", "-w", "5", NULL), EXIT_USAGE);
	expect_message("keelctl sched-credit: -w and -c need -d NAME\n");
	capture_reset();
	assert_int_equal(run("sched-credit", "-d", "vm", "-w", "0", NULL), EXIT_USAGE);
	expect_message("keelctl sched-credit: -w takes a number from 1 to 65535, not '0'\n");

	/* A config that cannot work fails at once, leaving nothing. */
	capture_reset();
	assert_int_equal(run("create", "-e", cfg_file("bad", "vcpus = 3\nmaxvcpus = 2\n"), NULL),
			 EXIT_FAIL);
	expect_message("vcpus (3) is more than maxvcpus (2)");
	capture_reset();
	assert_int_equal(run("create", "-e", cfg_file("bad", "cpus = \"0-\"\n"), NULL),
			 EXIT_FAIL);
	expect_message("cpus: '0-': a range needs a CPU number (0-255) after '-'");
	capture_reset();
	assert_int_equal(run("create", "-e", cfg_file("bad", "cpus = \"2-7\"\n"), NULL),
			 EXIT_FAIL);
	expect_message("keelctl: bad: cpus = \"2-7\": keel refused setvcpuaffinity: Invalid argument"
		       " (it names none of keel's CPUs)\n");
	assert_int_equal(fake_hv_domains(&fake), 1);
	/* CPUs keel lacks are ignored, as Xen's xl.cfg cpus = "1-7" on two CPUs. */
	domid = create("wide", "vcpus = 2\ncpus = \"1-7\"\n");
	assert_int_equal(fake.dom[domid].affinity[0], 2);
	assert_int_equal(fake.dom[domid].affinity[1], 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_client_read_write_directory),
		T(test_client_perms),
		T(test_client_transactions),
		T(test_client_watches),
		T(test_client_watch_queue_bounded),
		T(test_client_introduce_release),
		T(test_client_refuses_a_missing_daemon),
		T(test_domain_entries),
		T(test_domain_entries_as_the_guest_sees_them),
		T(test_domain_remove),
		T(test_create_list_pause_destroy),
		T(test_create_failures_leave_nothing),
		T(test_create_paused_and_dry_run),
		T(test_pause_nests_and_paused_create_lists_vcpus),
		T(test_uptime),
		T(test_list_verbose_and_long),
		T(test_rename),
		T(test_version),
		T(test_create_says_what_it_does),
		T(test_monitor_restarts_a_rebooted_domain),
		T(test_monitor_preserves_and_gives_up),
		T(test_monitor_run_ends_when_the_domain_is_destroyed),
		T(test_monitor_spawn_cleans_up_in_the_background),
		T(test_monitor_keeps_the_console_log),
		T(test_shutdown_through_xenstore),
		T(test_shutdown_forced_and_waited),
		T(test_reboot_waits_until_the_old_domain_is_gone),
		T(test_reboot_waits_for_the_rebuilt_domain),
		T(test_shutdown_argument_errors),
		T(test_disk_entries),
		T(test_phy_disk_entries),
		T(test_bad_disks_fail_the_create_with_nothing_left),
		T(test_disks_come_back_after_a_reboot),
		T(test_block_attach_list_detach),
		T(test_vif_entries),
		T(test_kernel_vif_hotplug),
		T(test_vifs_come_back_after_a_reboot),
		T(test_network_attach_list_detach),
		T(test_console),
		T(test_console_replay),
		T(test_console_last_words),
		T(test_info_dmesg_top),
		T(test_vcpu_commands),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
