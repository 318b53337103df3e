/* Host tests of keelctl's disk specifications: both xl syntaxes, flags, errors, vbd device ids. */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "disk_spec.h"
#include "host.h"
#include "keelctl_test.h"

static const struct {
	const char *vdev;
	uint32_t devid;
} ids[] = {
	{ "xvda", 51712 }, { "xvda1", 51713 }, { "xvda15", 51727 }, { "xvdb", 51728 },
	{ "xvdc", 51744 }, { "xvdp", 51952 }, { "xvdp15", 51967 },
	/* Extended ids past disk 15 or partition 15. */
	{ "xvdq", 268439552 }, { "xvda16", 268435472 }, { "xvda255", 268435711 },
	{ "xvdz", (1u << 28) | (25 << 8) }, { "xvdaa", (1u << 28) | (26 << 8) },
	{ "xvdab3", (1u << 28) | (27 << 8) | 3 }, { "xvdzz", (1u << 28) | (701 << 8) },
	{ "xvdbgqcv", (1u << 28) | (1048575u << 8) },	/* the last disk, 2^20 - 1 */
	{ "d0p0", 51712 }, { "d1p2", 51730 }, { "d15p15", 51967 }, { "d16p0", 268439552 },
	{ "d0p255", 268435711 }, { "d1048575p0", (1u << 28) | (1048575u << 8) },
	{ "hda", 768 }, { "hda1", 769 }, { "hda63", 831 }, { "hdb", 832 }, { "hdc", 5632 },
	{ "hdd", 5696 }, { "hdd2", 5698 },
	{ "sda", 2048 }, { "sda1", 2049 }, { "sdb", 2064 }, { "sdp15", 2303 },
	{ "51712", 51712 }, { "0xca00", 51712 }, { "0145000", 51712 }, { "0", 0 },
	{ "2147483647", 2147483647 },
};

static const char *const bad_ids[] = {
	"", "xvd", "xvd1", "xvdA", "xvda0", "xvda01", "xvda256", "xvdbgqcw", "xvda-1",
	"xvda 1", "vda", "xvda+1", "d0", "d0p", "dp0", "d-1p0", "d01p0", "d0p256",
	"d1048576p0", "dap0", "d0p1x", "hde", "hda64", "hd", "sdq", "sda16", "sd",
	"2147483648", "12abc", "-1", "0x", " 51712", "xvda\n",
};

static void test_device_ids(void **state)
{
	uint32_t devid;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		devid = 0xdeadbeef;
		if (vdev_devid(ids[i].vdev, &devid))
			fail_msg("'%s' refused", ids[i].vdev);
		if (devid != ids[i].devid)
			fail_msg("'%s' is %u, not %u", ids[i].vdev, devid, ids[i].devid);
	}
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++)
		if (!vdev_devid(bad_ids[i], &devid))
			fail_msg("'%s' accepted as %u", bad_ids[i], devid);
}

/* @text parses; the caller checks and frees @d. */
static void ok(const char *text, struct disk_spec *d)
{
	char *err;

	if (disk_spec_parse(text, d, &err))
		fail_msg("'%s' refused: %s", text, err);
	assert_null(err);
}

static void refused(const char *text, const char *message)
{
	struct disk_spec d;
	char *err;

	if (!disk_spec_parse(text, &d, &err))
		fail_msg("'%s' accepted", text);
	assert_non_null(err);
	if (strcmp(err, message))
		fail_msg("'%s': expected '%s', got '%s'", text, message, err);
	free(err);
	assert_null(d.target);
	assert_null(d.vdev);
}

/* The plain read-write raw disk xvda on @target, served by keel's daemon. */
static void expect_xvda(const char *text, const char *target)
{
	struct disk_spec d;

	ok(text, &d);
	if (strcmp(d.target, target))
		fail_msg("'%s': target '%s'", text, d.target);
	assert_string_equal(d.vdev, "xvda");
	assert_int_equal(d.devid, 51712);
	assert_false(d.readonly);
	assert_false(d.cdrom);
	assert_true(d.discard);
	assert_false(d.direct_io_safe);
	assert_true(d.trusted);
	assert_int_equal(d.backend, DISK_BACKEND_QDISK);
	disk_spec_free(&d);
}

static void test_equivalent_forms(void **state)
{
	expect_xvda("/dev/vg/g,raw,xvda,rw", "/dev/vg/g");
	expect_xvda("/dev/vg/g,,xvda", "/dev/vg/g");
	expect_xvda("/dev/vg/g,,xvda,", "/dev/vg/g");
	expect_xvda("/dev/vg/g,raw,xvda,w", "/dev/vg/g");
	expect_xvda("format=raw, vdev=xvda, access=rw, target=/dev/vg/g", "/dev/vg/g");
	expect_xvda("vdev=xvda,target=/dev/vg/g", "/dev/vg/g");
	expect_xvda("/dev/vg/g, vdev=xvda", "/dev/vg/g");
	expect_xvda("  /dev/vg/g,\traw, xvda", "/dev/vg/g");
	/* A relative target is under /dev, as in xl. */
	expect_xvda("vg/g,raw,xvda", "/dev/vg/g");
	/* target= swallows the rest, commas, '=' and blanks included. */
	expect_xvda("vdev=xvda, target=/img,a=b, c", "/img,a=b, c");
	/* Deprecated prefixes: no positional format after them. */
	expect_xvda("raw:/img,xvda,w", "/img");
	expect_xvda("file:/img,xvda,w", "/img");
	expect_xvda("tap:aio:/img,xvda,w", "/img");
	expect_xvda("aio:/img,xvda", "/img");
	/* Named parameters keel takes but that change nothing. */
	expect_xvda("backend=0, specification=xen, devtype=disk, vdev=xvda, target=/img", "/img");
}

static void test_flags_and_backends(void **state)
{
	struct disk_spec d;

	ok("/img.iso,,hdc,cdrom", &d);
	assert_true(d.cdrom);
	assert_true(d.readonly);
	assert_false(d.discard);
	assert_int_equal(d.devid, 5632);
	disk_spec_free(&d);
	ok("format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/img.iso", &d);
	assert_true(d.cdrom && d.readonly);
	assert_string_equal(d.target, "/img.iso");
	disk_spec_free(&d);
	ok("phy:/dev/sdb,xvdb:cdrom,r", &d);
	assert_int_equal(d.backend, DISK_BACKEND_PHY);
	assert_true(d.cdrom && d.readonly);
	assert_string_equal(d.vdev, "xvdb");
	assert_int_equal(d.devid, 51728);
	disk_spec_free(&d);
	ok("/i,raw,xvdc,rw,no-discard,untrusted,direct-io-safe,backendtype=phy", &d);
	assert_false(d.discard);
	assert_false(d.trusted);
	assert_true(d.direct_io_safe);
	assert_false(d.readonly);
	assert_int_equal(d.backend, DISK_BACKEND_PHY);
	disk_spec_free(&d);
	ok("discard, trusted, backendtype=qdisk, access=r, vdev=51713, target=/i", &d);
	assert_true(d.discard && d.readonly && d.trusted);
	assert_int_equal(d.backend, DISK_BACKEND_QDISK);
	assert_int_equal(d.devid, 51713);
	disk_spec_free(&d);
	ok("/i,,xvda,ro", &d);
	assert_true(d.readonly);
	assert_false(d.discard);
	disk_spec_free(&d);
	ok("script=block,backend=Domain-0,/i,,xvdd,r", &d);
	assert_int_equal(d.devid, 51760);
	disk_spec_free(&d);
	ok("d0p1,format=raw,vdev=xvda", &d);
	assert_string_equal(d.target, "/dev/d0p1");	/* positional: the target */
	disk_spec_free(&d);
}

static void test_errors(void **state)
{
	char long_spec[DISK_SPEC_MAX + 8];

	refused("/i,qcow2,xvda",
		"format 'qcow2' is not supported by keel: raw images only (qemu-img convert -O raw)");
	refused("qcow2:/i,xvda",
		"format 'qcow2' is not supported by keel: raw images only (qemu-img convert -O raw)");
	refused("format=vhd,vdev=xvda,target=/i",
		"format 'vhd' is not supported by keel: raw images only (qemu-img convert -O raw)");
	refused("/i,iso,xvda", "'iso' is not a disk format (raw)");
	refused("/i,raw", "no vdev (the guest's device, e.g. xvda)");
	refused("/i,raw,xvd0",
		"vdev 'xvd0' is not a disk name (xvdX[N], hdX[N], sdX[N], dNpM or a number)");
	refused("/i,raw,xvda,rw,more", "too many positional parameters at 'more'");
	refused("/i,raw,xvda,rx", "access 'rx' is not r, ro, w or rw");
	refused("vdev=xvda,vdev=xvdb,target=/i", "vdev is given twice");
	refused("/i,,xvda,target=/j", "target is given twice");
	refused("/i,,xvda,cdrom,devtype=cdrom", "devtype is given twice");
	refused("/i,,xvda,discard,no-discard", "discard is given twice");
	refused("foo=1,/i,,xvda", "unknown parameter 'foo'");
	refused("/i,,xvda,discard=1", "unknown parameter 'discard'");
	refused("/i,,hdc,rw,cdrom", "a CD-ROM is read-only (access=ro)");
	refused(",,xvda", "no target (the image file or block device)");
	refused(",,hdc,,cdrom", "an empty CD-ROM drive is not supported by keel");
	refused("/i,,xvda,backendtype=tap", "backendtype 'tap' is not supported by keel (qdisk, phy)");
	refused("/i,,xvda,backend=driverdom",
		"backend 'driverdom': keel's disk backends run in dom0 only");
	refused("/i,,xvda,specification=virtio",
		"specification 'virtio' is not supported by keel (xen)");
	refused("/i,,xvda,script=vif-bridge",
		"script 'vif-bridge': keel runs no hotplug scripts (only 'block', whose work keelctl does)");
	refused("/i,,xvda,devtype=floppy", "devtype 'floppy' is not disk or cdrom");
	refused("/i,,xvda,vdev=xvdb", "vdev is given twice");
	refused("vdev=xvda:cdrom,target=/i", "vdev 'xvda:cdrom' is not a disk name");
	refused("", "empty");
	refused("/i,,xvda\x01", "a control character");
	memset(long_spec, 'a', sizeof(long_spec) - 1);
	long_spec[sizeof(long_spec) - 1] = '\0';
	refused(long_spec, "longer than 4096 characters");
}

/* The configuration names the file, the line and the entry. */
static void test_in_config(void **state)
{
	struct domain_config cfg;
	struct out_buf e;
	const char *text = "name = 'vm'\nkernel = '/k'\n"
			   "disk = [ '/a,raw,xvda,rw',\n"
			   "         '/b,qcow2,xvdb',\n"
			   "         'vdev=51712, target=/c',\n"
			   "         'hda,,hda', ]\n";

	out_open(&e);
	assert_int_equal(config_parse_text("t.cfg", text, strlen(text), NULL, 0, &cfg, e.f), -1);
	assert_string_equal(out_text(&e),
		"t.cfg:4: disk: entry 2 '/b,qcow2,xvdb': format 'qcow2' is not supported by keel: raw images only (qemu-img convert -O raw)\n"
		"t.cfg:5: disk: entry 3 'vdev=51712, target=/c': vdev 51712 is device 51712, as entry 1's xvda\n");
	out_close(&e);

	out_open(&e);
	text = "name = 'vm'\nkernel = '/k'\ndisk = [ '/a,raw,xvda,rw', 'hda,,hda' ]\n";
	assert_int_equal(config_parse_text("t.cfg", text, strlen(text), NULL, 0, &cfg, e.f), 0);
	assert_string_equal(out_text(&e), "");
	assert_int_equal(cfg.nr_disks, 2);
	assert_string_equal(cfg.disks[1], "hda,,hda");
	config_free(&cfg);
	out_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_ids),
		cmocka_unit_test(test_equivalent_forms),
		cmocka_unit_test(test_flags_and_backends),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_in_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
