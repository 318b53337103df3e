/* Host tests of keelctl's vif specifications: keys, defaults, MACs, errors, ids and MACs picked. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "host.h"
#include "keelctl_test.h"
#include "vif_spec.h"
#include "vifs.h"

/* @text parses; the caller checks and frees @v. */
static void ok(const char *text, struct vif_spec *v)
{
	char *err;

	if (vif_spec_parse(text, v, &err))
		fail_msg("'%s' refused: %s", text, err);
	assert_null(err);
}

static void refused(const char *text, const char *why)
{
	struct vif_spec v;
	char *err;

	if (!vif_spec_parse(text, &v, &err))
		fail_msg("'%s' accepted", text);
	if (!err || strcmp(err, why))
		fail_msg("'%s': '%s', expected '%s'", text, err ? err : "(none)", why);
	assert_null(v.text);
	free(err);
}

static void test_macs(void **state)
{
	static const char *const bad[] = {
		"", "00:16:3e:00:00", "00:16:3e:00:00:0", "00:16:3e:00:00:001", "0:16:3e:00:00:01",
		"00:16:3e:00:00:0g", "00:16:3e-00:00:01", "00.16.3e.00.00.01", " 00:16:3e:00:00:01",
		"00:16:3e:00:00:01 ", "0016:3e:00:00:01:",
	};
	uint8_t mac[6], seen = 0;
	const char *why;
	char text[18];

	assert_int_equal(mac_parse("00:16:3E:0a:Bc:ff", mac, &why), 0);
	assert_null(why);
	mac_format(mac, text);
	assert_string_equal(text, "00:16:3e:0a:bc:ff");
	assert_int_equal(mac_parse("aa-bb-cc-dd-ee-ff", mac, &why), 0);
	mac_format(mac, text);
	assert_string_equal(text, "aa:bb:cc:dd:ee:ff");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!mac_parse(bad[i], mac, &why))
			fail_msg("'%s' accepted", bad[i]);
		assert_string_equal(why, "is not a MAC address (six hex pairs: 00:16:3e:12:34:56)");
	}
	assert_int_equal(mac_parse("01:16:3e:00:00:01", mac, &why), -1);
	assert_string_equal(why, "is a multicast address (the first byte must be even)");
	assert_int_equal(mac_parse("ff:ff:ff:ff:ff:ff", mac, &why), -1);
	assert_int_equal(mac_parse("00:00:00:00:00:00", mac, &why), -1);
	assert_string_equal(why, "is all zeros");
	/* xl's random MACs: Xen's OUI, the fourth byte below 0x80, the rest random. */
	for (int i = 0; i < 64; i++) {
		assert_int_equal(mac_random(mac), 0);
		assert_int_equal(mac[0], 0x00);
		assert_int_equal(mac[1], 0x16);
		assert_int_equal(mac[2], 0x3e);
		assert_true(mac[3] < 0x80);
		seen |= mac[3] | mac[4] | mac[5];
		mac_format(mac, text);
		assert_int_equal(mac_parse(text, mac, &why), 0);
	}
	assert_true(seen > 0x0f);
}

static void test_defaults_and_keys(void **state)
{
	struct vif_spec v;
	char *f;

	/* An empty specification: every default, as xl. */
	ok("", &v);
	assert_false(v.mac_given);
	assert_int_equal(v.devid, -1);
	assert_string_equal(v.bridge, "xenbr0");
	assert_null(v.ip);
	assert_null(v.vifname);
	assert_int_equal(v.mtu, 0);
	assert_true(v.trusted);
	assert_int_equal(v.backend, VIF_BACKEND_KEEL);
	assert_string_equal(vif_backend_kind(v.backend), "qnic");
	assert_string_equal(v.text, "");
	vif_spec_free(&v);

	ok(" mac=00:16:3E:74:34:32, bridge=br1 ,ip=10.0.0.2 fe80::1,vifname=guest0,mtu=9000,"
	   "model=e1000,type=vif,script=vif-bridge,backend=0,devid=3,untrusted,"
	   "backendtype=kernel", &v);
	assert_true(v.mac_given);
	assert_memory_equal(v.mac, ((uint8_t[]){ 0x00, 0x16, 0x3e, 0x74, 0x34, 0x32 }), 6);
	/* Blanks around items go, as around xl's. */
	assert_string_equal(v.bridge, "br1");
	vif_spec_free(&v);
	/* A blank inside a value is refused where it cannot be. */
	refused("bridge=br 1", "bridge 'br 1' is not an interface name (1 to 15 characters, no '/', ':' or blanks)");

	ok("mac=00:16:3E:74:34:32, bridge=br1,ip=10.0.0.2 fe80::1,vifname=guest0,mtu=9000,"
	   "model=e1000,type=vif,script=/etc/xen/scripts/vif-bridge,backend=Domain-0,devid=3,"
	   "untrusted,backendtype=kernel", &v);
	assert_string_equal(v.bridge, "br1");
	assert_string_equal(v.ip, "10.0.0.2 fe80::1");
	assert_string_equal(v.vifname, "guest0");
	assert_int_equal(v.mtu, 9000);
	assert_string_equal(v.model, "e1000");
	assert_int_equal(v.devid, 3);
	assert_false(v.trusted);
	assert_int_equal(v.backend, VIF_BACKEND_KERNEL);
	assert_string_equal(vif_backend_kind(v.backend), "vif");
	/* The canonical form parses to the same vif. */
	f = vif_spec_format(&v);
	assert_string_equal(f, "devid=3,mac=00:16:3e:74:34:32,bridge=br1,backendtype=kernel,"
			    "ip=10.0.0.2 fe80::1,vifname=guest0,model=e1000,mtu=9000,untrusted");
	vif_spec_free(&v);
	ok(f, &v);
	assert_int_equal(v.devid, 3);
	assert_int_equal(v.mtu, 9000);
	assert_false(v.trusted);
	assert_int_equal(v.backend, VIF_BACKEND_KERNEL);
	vif_spec_free(&v);
	free(f);
	ok("mtu=68,devid=0,backendtype=keel,trusted", &v);
	assert_int_equal(v.mtu, 68);
	assert_int_equal(v.devid, 0);
	vif_spec_free(&v);
	ok("mtu=65535,devid=65535,vifname=abcdefghijklmno", &v);
	vif_spec_free(&v);
}

static void test_errors(void **state)
{
	char long_spec[VIF_SPEC_MAX + 2];

	refused("mac=00:16:3e:00:00", "mac '00:16:3e:00:00' is not a MAC address (six hex pairs: 00:16:3e:12:34:56)");
	refused("mac=01:00:5e:00:00:01", "mac '01:00:5e:00:00:01' is a multicast address (the first byte must be even)");
	refused("mac=00:00:00:00:00:00", "mac '00:00:00:00:00:00' is all zeros");
	refused("mac=00:16:3e:00:00:01,mac=00:16:3e:00:00:02", "mac is given twice");
	refused("bridge=", "bridge '' is not an interface name (1 to 15 characters, no '/', ':' or blanks)");
	refused("bridge=abcdefghijklmnop", "bridge 'abcdefghijklmnop' is not an interface name (1 to 15 characters, no '/', ':' or blanks)");
	refused("bridge=../x", "bridge '../x' is not an interface name (1 to 15 characters, no '/', ':' or blanks)");
	refused("bridge=..", "bridge '..' is not an interface name (1 to 15 characters, no '/', ':' or blanks)");
	refused("vifname=a:b", "vifname 'a:b' is not an interface name (1 to 15 characters, no '/', ':' or blanks)");
	refused("ip=10.0.0.256", "ip '10.0.0.256' is not an IPv4 or IPv6 address");
	refused("ip=10.0.0.2/24", "ip '10.0.0.2/24' is not an IPv4 or IPv6 address");
	refused("ip=", "ip is empty");
	refused("mtu=67", "mtu '67' is not a number from 68 to 65535");
	refused("mtu=65536", "mtu '65536' is not a number from 68 to 65535");
	refused("mtu=01500", "mtu '01500' is not a number from 68 to 65535");
	refused("mtu=", "mtu '' is not a number from 68 to 65535");
	refused("mtu=1500x", "mtu '1500x' is not a number from 68 to 65535");
	refused("devid=-1", "devid '-1' is not a number from 0 to 65535");
	refused("devid=65536", "devid '65536' is not a number from 0 to 65535");
	refused("devid=99999999999999999999", "devid '99999999999999999999' is not a number from 0 to 65535");
	refused("type=ioemu", "type 'ioemu' is an emulated NIC: keel's guests are PVH (type=vif)");
	refused("type=tap", "type 'tap' is not vif");
	refused("model=", "model '' is not a model name");
	refused("script=vif-route", "script 'vif-route': keel runs no hotplug scripts (only 'vif-bridge', whose work keelctl does)");
	refused("backend=driverdom", "backend 'driverdom': keel's network backends run in dom0 only");
	refused("backendtype=qnic", "backendtype 'qnic' is not keel (keel-netback) or kernel (Linux's xen-netback)");
	refused("rate=10Mb/s", "rate is not supported by keel");
	refused("vlan=5", "vlan is not supported by keel");
	refused("gatewaydev=eth0", "gatewaydev is not supported by keel");
	refused("accel=x", "accel is not supported by keel");
	refused("color=red", "unknown parameter 'color'");
	refused("trusted=1", "unknown parameter 'trusted'");
	refused("trusted,untrusted", "trusted is given twice");
	refused("00:16:3e:00:00:01", "'00:16:3e:00:00:01' is not KEY=VALUE");
	refused("bridge=xenbr0,bridge=xenbr1", "bridge is given twice");
	refused("bridge=x\x01", "a control character");
	memset(long_spec, 'a', sizeof(long_spec) - 1);
	long_spec[sizeof(long_spec) - 1] = '\0';
	refused(long_spec, "longer than 1024 characters");
}

/* Ids as libxl's create gives them, random MACs, duplicates refused. */
static void test_set(void **state)
{
	char *texts[] = { "devid=5", "", "mac=00:16:3e:00:00:01", "devid=2" };
	char *none[] = { "", "" };
	char *dup_id[] = { "", "devid=0", "devid=0" };
	char *dup_mac[] = { "mac=00:16:3e:00:00:01", "mac=00:16:3E:00:00:01" };
	char *bad[] = { "", "rate=1Mb/s" };
	char *full[] = { "devid=65535", "" };
	struct vif_set s;

	capture_start();
	assert_int_equal(vifs_prepare("vm", texts, 4, &s), 0);
	assert_int_equal(s.nr, 4);
	assert_int_equal(s.spec[0].devid, 5);
	assert_int_equal(s.spec[1].devid, 6);
	assert_int_equal(s.spec[2].devid, 7);
	assert_int_equal(s.spec[3].devid, 2);
	for (unsigned int i = 0; i < s.nr; i++)
		assert_true(s.spec[i].mac_given);
	assert_memory_equal(s.spec[2].mac, ((uint8_t[]){ 0, 0x16, 0x3e, 0, 0, 1 }), 6);
	assert_memory_equal(s.spec[1].mac, ((uint8_t[]){ 0, 0x16, 0x3e }), 3);
	assert_memory_not_equal(s.spec[0].mac, s.spec[1].mac, 6);
	vif_set_free(&s);
	/* None given: 0, 1, ... */
	assert_int_equal(vifs_prepare("vm", none, 2, &s), 0);
	assert_int_equal(s.spec[0].devid, 0);
	assert_int_equal(s.spec[1].devid, 1);
	vif_set_free(&s);

	assert_int_equal(vifs_prepare("vm", dup_id, 3, &s), -EEXIST);
	expect_message("keelctl: vm: vif 'devid=0': device 0 is taken by 'devid=0'\n");
	assert_int_equal(vifs_prepare("vm", dup_mac, 2, &s), -EEXIST);
	expect_message("keelctl: vm: vif 'mac=00:16:3E:00:00:01': MAC 00:16:3e:00:00:01 is taken by 'mac=00:16:3e:00:00:01'\n");
	assert_int_equal(vifs_prepare("vm", bad, 2, &s), -EINVAL);
	expect_message("keelctl: vm: vif 'rate=1Mb/s': rate is not supported by keel\n");
	assert_int_equal(vifs_prepare("vm", full, 2, &s), -ENOSPC);
	expect_message("keelctl: vm: vif '': no device id left after 65535\n");
	assert_null(s.spec);
	capture_stop();
}

/* The configuration names the file, the line and the entry. */
static void test_in_config(void **state)
{
	struct domain_config cfg;
	struct out_buf e;
	const char *text = "name = 'vm'\nkernel = '/k'\n"
			   "vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0',\n"
			   "        'rate=10Mb/s',\n"
			   "        'devid=0',\n"
			   "        'mac=00:16:3e:00:00:01' ]\n";

	out_open(&e);
	assert_int_equal(config_parse_text("t.cfg", text, strlen(text), NULL, 0, &cfg, e.f), -1);
	assert_string_equal(out_text(&e),
		"t.cfg:4: vif: entry 2 'rate=10Mb/s': rate is not supported by keel\n"
		"t.cfg:6: vif: entry 4 'mac=00:16:3e:00:00:01': its MAC is entry 1's\n");
	out_close(&e);

	out_open(&e);
	text = "name = 'vm'\nkernel = '/k'\nvif = [ 'devid=1', 'devid=1' ]\n";
	assert_int_equal(config_parse_text("t.cfg", text, strlen(text), NULL, 0, &cfg, e.f), -1);
	assert_string_equal(out_text(&e), "t.cfg:3: vif: entry 2 'devid=1': devid 1 is entry 1's\n");
	out_close(&e);

	out_open(&e);
	text = "name = 'vm'\nkernel = '/k'\nvif = [ '', 'bridge=xenbr0,backendtype=kernel' ]\n";
	assert_int_equal(config_parse_text("t.cfg", text, strlen(text), NULL, 0, &cfg, e.f), 0);
	assert_string_equal(out_text(&e), "");
	assert_int_equal(cfg.nr_vifs, 2);
	assert_string_equal(cfg.vifs[1], "bridge=xenbr0,backendtype=kernel");
	config_free(&cfg);
	out_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_macs),
		cmocka_unit_test(test_defaults_and_keys),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_in_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
