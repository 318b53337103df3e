/* Host tests of keelctl's xl.cfg parser: every key, quoting, lists, comments, exact errors. */
#include <stdlib.h>
#include <string.h>
#include "cfg_json.h"
#include "cfg_suggest.h"
#include "config.h"
#include "host.h"
#include "keelctl_test.h"
#include "util.h"
#include <public/keel_domctl.h>

static struct out_buf err;

static int setup(void **state)
{
	out_open(&err);
	return 0;
}

static int teardown(void **state)
{
	out_close(&err);
	return 0;
}

/* Parses @text as "t.cfg" with @n overrides; returns config_parse_text's result. */
static int parse_with(const char *text, char *const *overrides, unsigned int n,
		      struct domain_config *cfg)
{
	return config_parse_text("t.cfg", text, strlen(text), overrides, n, cfg, err.f);
}

static int parse(const char *text, struct domain_config *cfg)
{
	return parse_with(text, NULL, 0, cfg);
}

static void expect_ok(const char *text, struct domain_config *cfg)
{
	if (parse(text, cfg))
		fail_msg("rejected:\n%s\nwith:\n%s", text, out_text(&err));
}

/* The config fails with exactly @messages (every line, in order). */
static void expect_errors(const char *text, const char *messages)
{
	struct domain_config cfg;
	struct out_buf e;

	out_open(&e);
	if (!config_parse_text("t.cfg", text, strlen(text), NULL, 0, &cfg, e.f))
		fail_msg("accepted:\n%s", text);
	if (strcmp(out_text(&e), messages))
		fail_msg("for:\n%s\nexpected:\n%sgot:\n%s", text, messages, out_text(&e));
	assert_null(cfg.name);
	out_close(&e);
}

#define BASE "name = \"vm\"\nkernel = \"/boot/vmlinuz\"\n"

static void test_every_key(void **state)
{
	struct domain_config cfg;

	expect_ok("# a full config\n"
		  "name = \"debian\"\n"
		  "uuid = \"6D1D0E44-6c5e-4b8a-9d0a-1f2e3d4c5b6a\"\n"
		  "type = \"pvh\"\n"
		  "memory = 128\n"
		  "vcpus = 2\n"
		  "cpu_weight = 512\n"
		  "cap = 50\n"
		  "kernel = \"/boot/vmlinuz-6.1\"\n"
		  "ramdisk = \"/boot/initrd.img\"\n"
		  "root = \"/dev/xvda1\"\n"
		  "extra = \"console=hvc0 quiet\"\n"
		  "on_poweroff = \"preserve\"\n"
		  "on_reboot = \"destroy\"\n"
		  "on_crash = \"restart\"\n"
		  "disk = [ \"phy:/dev/vg/debian,xvda,w\" ]\n"
		  "vif = [ \"mac=00:16:3e:00:00:01,bridge=br0\", \"bridge=br1\" ]\n", &cfg);
	assert_string_equal(out_text(&err), "");
	assert_string_equal(cfg.name, "debian");
	assert_string_equal(cfg.uuid, "6d1d0e44-6c5e-4b8a-9d0a-1f2e3d4c5b6a");
	assert_int_equal(cfg.memory_mb, 128);
	assert_int_equal(cfg.vcpus, 2);
	assert_int_equal(cfg.weight, 512);
	assert_int_equal(cfg.cap, 50);
	assert_string_equal(cfg.kernel, "/boot/vmlinuz-6.1");
	assert_string_equal(cfg.ramdisk, "/boot/initrd.img");
	assert_null(cfg.cmdline);
	assert_string_equal(cfg.root, "/dev/xvda1");
	assert_string_equal(cfg.extra, "console=hvc0 quiet");
	assert_int_equal(cfg.on_poweroff, KEEL_ACTION_preserve);
	assert_int_equal(cfg.on_reboot, KEEL_ACTION_destroy);
	assert_int_equal(cfg.on_crash, KEEL_ACTION_restart);
	assert_int_equal(cfg.nr_disks, 1);
	assert_string_equal(cfg.disks[0], "phy:/dev/vg/debian,xvda,w");
	assert_int_equal(cfg.nr_vifs, 2);
	assert_string_equal(cfg.vifs[0], "mac=00:16:3e:00:00:01,bridge=br0");
	assert_string_equal(cfg.vifs[1], "bridge=br1");
	assert_string_equal(cfg.source, "t.cfg");
	config_free(&cfg);
}

static void test_defaults(void **state)
{
	struct domain_config cfg;
	char *cmdline;

	expect_ok(BASE, &cfg);
	assert_int_equal(cfg.memory_mb, CONFIG_DEFAULT_MEMORY_MB);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.weight, 0);
	assert_int_equal(cfg.cap, 0);
	assert_null(cfg.uuid);
	assert_null(cfg.ramdisk);
	assert_int_equal(cfg.on_poweroff, KEEL_ACTION_destroy);
	assert_int_equal(cfg.on_reboot, KEEL_ACTION_restart);
	assert_int_equal(cfg.on_crash, KEEL_ACTION_destroy);
	assert_int_equal(cfg.nr_disks, 0);
	assert_int_equal(cfg.nr_vifs, 0);
	cmdline = config_cmdline(&cfg);
	assert_string_equal(cmdline, "");
	free(cmdline);
	config_free(&cfg);
}

static void test_quoting_and_comments(void **state)
{
	struct domain_config cfg;

	expect_ok("name = 'single'   # a comment\n"
		  "kernel = \"/a b/\\\"q\\\"\\\\x\"\n"
		  "cmdline = \"a\\tb\\nc \\x41\\102 # not a comment 'x'\" ; memory = 0x40\n"
		  "\n"
		  "   # indented comment\n"
		  "vcpus=3;", &cfg);
	assert_string_equal(cfg.name, "single");
	assert_string_equal(cfg.kernel, "/a b/\"q\"\\x");
	assert_string_equal(cfg.cmdline, "a\tb\nc AB # not a comment 'x'");
	assert_int_equal(cfg.memory_mb, 64);
	assert_int_equal(cfg.vcpus, 3);
	config_free(&cfg);
}

static void test_numbers_as_strings_and_strings_as_numbers(void **state)
{
	struct domain_config cfg;

	/* xl reads values as text: a quoted number is a number, a number a string. */
	expect_ok("name = 12ab\nkernel = \"k\"\nmemory = \"256\"\nvcpus = '4'\n", &cfg);
	assert_string_equal(cfg.name, "12ab");
	assert_int_equal(cfg.memory_mb, 256);
	assert_int_equal(cfg.vcpus, 4);
	config_free(&cfg);
}

static void test_multiline_lists(void **state)
{
	struct domain_config cfg;

	expect_ok(BASE "disk = [\n"
		  "    'format=raw, vdev=xvda, access=rw, target=/dev/vg/a',  # root\n"
		  "\n"
		  "    \"phy:/dev/vg/b,xvdb,r\",\n"
		  "]\n"
		  "vif = [ ]\n", &cfg);
	assert_int_equal(cfg.nr_disks, 2);
	assert_string_equal(cfg.disks[0], "format=raw, vdev=xvda, access=rw, target=/dev/vg/a");
	assert_string_equal(cfg.disks[1], "phy:/dev/vg/b,xvdb,r");
	assert_int_equal(cfg.nr_vifs, 0);
	config_free(&cfg);
}

static void expect_cmdline(const char *text, const char *want)
{
	struct domain_config cfg;
	char *cmdline;

	expect_ok(text, &cfg);
	cmdline = config_cmdline(&cfg);
	assert_string_equal(cmdline, want);
	free(cmdline);
	config_free(&cfg);
}

static void test_cmdline_assembly(void **state)
{
	expect_cmdline(BASE "root = \"/dev/xvda1 ro\"\nextra = \"console=hvc0\"\n",
		       "root=/dev/xvda1 ro console=hvc0");
	expect_cmdline(BASE "root = \"/dev/xvda1\"\n", "root=/dev/xvda1");
	expect_cmdline(BASE "extra = \"console=hvc0 init=/bin/sh\"\n",
		       "console=hvc0 init=/bin/sh");
	assert_string_equal(out_text(&err), "");
	/* cmdline wins, with a warning, as xl does. */
	expect_cmdline(BASE "cmdline = \"console=hvc0\"\nroot = \"/dev/xvda\"\n", "console=hvc0");
	assert_string_equal(out_text(&err), "t.cfg: warning: cmdline is set: root and extra are ignored\n");
}

static void test_unknown_and_unsupported_keys_warn(void **state)
{
	struct domain_config cfg;

	expect_ok(BASE "frobnicate = 1\nmaxmem = 512\nvif = [ 'bridge=xenbr0' ]\n", &cfg);
	assert_string_equal(out_text(&err),
			    "t.cfg:3: warning: unknown key 'frobnicate' ignored\n"
			    "t.cfg:4: warning: 'maxmem' is not supported by keel, ignored\n");
	assert_int_equal(cfg.nr_vifs, 1);
	config_free(&cfg);
}

/* A typo'd key: a warning naming the key it likely is; its value stays at the default. */
static void test_unknown_key_names_the_closest(void **state)
{
	struct domain_config cfg;

	expect_ok(BASE "memroy = 512\nvpcus = 2\non_reboo = 'destroy'\nmem = 64\n", &cfg);
	assert_string_equal(out_text(&err),
			    "t.cfg:3: warning: unknown key 'memroy' ignored: did you mean 'memory'?\n"
			    "t.cfg:4: warning: unknown key 'vpcus' ignored: did you mean 'vcpus'?\n"
			    "t.cfg:5: warning: unknown key 'on_reboo' ignored: did you mean 'on_reboot'?\n"
			    "t.cfg:6: warning: unknown key 'mem' ignored\n");
	assert_int_equal(cfg.memory_mb, CONFIG_DEFAULT_MEMORY_MB);
	config_free(&cfg);
}

static void test_edit_distance(void **state)
{
	static const char *const words[] = { "kernel", "ramdisk", "root", "name", "vif" };

	assert_int_equal(edit_distance("memory", "memory"), 0);
	assert_int_equal(edit_distance("memroy", "memory"), 1);	/* a swap */
	assert_int_equal(edit_distance("kernl", "kernel"), 1);
	assert_int_equal(edit_distance("", "abc"), 3);
	assert_int_equal(edit_distance("abc", "xyz"), 3);
	assert_int_equal(edit_distance("a_key_longer_than_sixteen", "x"), 16);
	assert_string_equal(closest_word("kernal", words, 5), "kernel");
	assert_string_equal(closest_word("rot", words, 5), "root");
	assert_null(closest_word("boat", words, 5));	/* two edits from root: too far for 4 letters */
	assert_null(closest_word("vi", words, 5));	/* half of it */
	assert_null(closest_word("cpus", words, 5));
}

static void test_syntax_errors(void **state)
{
	expect_errors(BASE "memory 128\n",
		      "t.cfg:3: expected '=' after 'memory', found a number\n");
	expect_errors(BASE "memory =\n", "t.cfg:3: memory: expected a value after '=', found the end of the line\n");
	expect_errors(BASE "name2 = \"unterminated\n", "t.cfg:3: unterminated string\n");
	expect_errors(BASE "extra = \"bad \\q escape\"\n",
		      "t.cfg:3: bad escape '\\q' in a string\n");
	expect_errors(BASE "on_crash = restart\n",
		      "t.cfg:3: on_crash: 'restart' must be quoted: \"restart\"\n");
	expect_errors(BASE "memory = 128 256\n", "t.cfg:3: memory: unexpected 256 after the value\n");
	expect_errors(BASE "disk = [ 'a' 'b' ]\n",
		      "t.cfg:3: disk: expected ',' or ']' in the list, found a string\n");
	expect_errors(BASE "disk = [ 'a',\n  'b'\n",
		      "t.cfg:3: disk: list opened here is not closed with ']'\n");
	expect_errors(BASE "= 5\n", "t.cfg:3: expected a setting (KEY = VALUE), found '='\n");
	expect_errors(BASE "vm-name = 'x'\n",
		      "t.cfg:3: expected a setting (KEY = VALUE), found vm-name\n");
	expect_errors(BASE "memory = @\n", "t.cfg:3: memory: expected a value after '=', found '@'\n");
	expect_errors(BASE "memory += 5\n", "t.cfg:3: expected '=' after 'memory', found '+'\n");
	expect_errors(BASE "extra = \"a\\x\"\n", "t.cfg:3: bad escape '\\x' in a string\n");
}

static void test_bad_values(void **state)
{
	expect_errors(BASE "memory = 12x\n", "t.cfg:3: memory: a number is expected, not '12x'\n");
	expect_errors(BASE "memory = 2\n", "t.cfg:3: memory: 2 MiB cannot boot a domain: keel needs at least 4 MiB\n");
	expect_errors(BASE "memory = 99999999999999999999999\n",
		      "t.cfg:3: memory: a number is expected, not '99999999999999999999999'\n");
	expect_errors(BASE "vcpus = 0\n", "t.cfg:3: vcpus: 0 cannot boot a domain: it needs at least one vCPU (1-64)\n");
	expect_errors(BASE "vcpus = 65\n", "t.cfg:3: vcpus: 65 is out of range (1-64)\n");
	expect_errors(BASE "vcpus = [ 1 ]\n", "t.cfg:3: vcpus must be a single value, not a list\n");
	expect_errors(BASE "cpu_weight = 0\n", "t.cfg:3: cpu_weight: 0 is out of range (1-65535)\n");
	expect_errors(BASE "cap = 1601\n", "t.cfg:3: cap: 1601 is out of range (0-1600)\n");
	expect_errors(BASE "type = \"hvm\"\n",
		      "t.cfg:3: type: 'hvm' is not supported: keel runs PVH guests (type = \"pvh\")\n");
	expect_errors(BASE "uuid = \"1234\"\n",
		      "t.cfg:3: uuid: '1234' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)\n");
	expect_errors(BASE "on_reboot = \"rename-restart\"\n",
		      "t.cfg:3: on_reboot: 'rename-restart' is not supported by keel (destroy, restart, preserve)\n");
	expect_errors(BASE "on_poweroff = \"explode\"\n",
		      "t.cfg:3: on_poweroff: 'explode' is not an action (destroy, restart, preserve)\n");
	expect_errors(BASE "disk = \"phy:/dev/x,xvda,w\"\n",
		      "t.cfg:3: disk must be a list: disk = [ \"...\", ... ]\n");
	expect_errors(BASE "vif = [ 'a',\n 5 ]\n", "t.cfg:4: vif: entry 2 must be a string\n");
	expect_errors(BASE "ramdisk = \"\"\n", "t.cfg:3: ramdisk must not be empty\n");
	expect_errors("name = \"42\"\nkernel = \"k\"\n",
		      "t.cfg:1: name: '42' is a number, which names a domain id\n");
	expect_errors("name = \"a b\"\nkernel = \"k\"\n",
		      "t.cfg:1: name: 'a b' has a space or a control character\n");
	expect_errors("name = \"Domain-0\"\nkernel = \"k\"\n",
		      "t.cfg:1: name: 'Domain-0' is dom0's name\n");
	expect_errors("name = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
		      "kernel = \"k\"\n", "t.cfg:1: name: '"
		      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		      "' is longer than 64 characters\n");
}

static void test_missing_keys_and_long_cmdline(void **state)
{
	char text[2048];

	expect_errors("memory = 64\n", "t.cfg: no name given (name = \"...\")\n"
		      "t.cfg: no kernel given (kernel = \"/path/to/vmlinuz\")\n");
	expect_errors("", "t.cfg: no name given (name = \"...\")\n"
		      "t.cfg: no kernel given (kernel = \"/path/to/vmlinuz\")\n");
	snprintf(text, sizeof(text), BASE "root = \"/dev/xvda\"\nextra = \"%01020d\"\n", 0);
	expect_errors(text, "t.cfg: the kernel command line is 1035 bytes; keel takes at most 1023\n");
}

static void test_duplicates(void **state)
{
	expect_errors(BASE "memory = 64\nvcpus = 1\nmemory = 128\n",
		      "t.cfg:5: 'memory' is set twice (first at line 3)\n");
}

static void test_every_bad_line_is_reported(void **state)
{
	/* Errors do not stop the parse: each line says what is wrong with it. */
	expect_errors(BASE "memory = lots\nvcpus = 100\nfoo bar\ncap = \"x\"\non_crash = \"boom\"\n",
		      "t.cfg:3: memory: a number is expected, not 'lots'\n"
		      "t.cfg:4: vcpus: 100 is out of range (1-64)\n"
		      "t.cfg:5: expected '=' after 'foo', found bar\n"
		      "t.cfg:6: cap: a number is expected, not \"x\"\n"
		      "t.cfg:7: on_crash: 'boom' is not an action (destroy, restart, preserve)\n");
}

static void test_overrides(void **state)
{
	char *good[] = { "memory=256", "name = 'other'" };
	char *bad[] = { "vcpus=1x" };
	struct domain_config cfg;

	assert_int_equal(parse_with(BASE "memory = 64\n", good, 2, &cfg), 0);
	assert_int_equal(cfg.memory_mb, 256);
	assert_string_equal(cfg.name, "other");
	config_free(&cfg);
	assert_int_equal(parse_with(BASE, bad, 1, &cfg), -1);
	assert_string_equal(out_text(&err), "command line:1: vcpus: a number is expected, not '1x'\n");
}

static void test_load_file(void **state)
{
	static const char text[] = "name = 'f'\nkernel = '/k'\nmemory = 48\n";
	struct domain_config cfg;
	char *path;

	tmpdir_make();
	path = tmp_file("guest.cfg", text, strlen(text));
	assert_int_equal(config_load(path, NULL, 0, &cfg, err.f), 0);
	assert_string_equal(cfg.source, path);
	assert_int_equal(cfg.memory_mb, 48);
	config_free(&cfg);
	assert_int_equal(config_load("/nonexistent/guest.cfg", NULL, 0, &cfg, err.f), -1);
	assert_string_equal(out_text(&err), "/nonexistent/guest.cfg: No such file or directory\n");
	tmpdir_remove();
}

/* The example the dom0 image ships parses without a word. */
static void test_shipped_example(void **state)
{
	struct domain_config cfg;

	assert_int_equal(config_load("boot/examples/debian-guest.cfg", NULL, 0, &cfg, err.f), 0);
	assert_string_equal(out_text(&err), "");
	assert_string_equal(cfg.name, "debian");
	assert_int_equal(cfg.memory_mb, 128);
	assert_int_equal(cfg.vcpus, 1);
	assert_string_equal(cfg.kernel, "/usr/share/keel/guest/vmlinuz");
	assert_string_equal(cfg.ramdisk, "/usr/share/keel/guest/initrd.gz");
	assert_int_equal(cfg.on_poweroff, KEEL_ACTION_destroy);
	/* One NIC on xenbr0 with an address (docs/network.md). */
	assert_int_equal(cfg.nr_vifs, 1);
	assert_string_equal(cfg.vifs[0], "bridge=xenbr0");
	assert_string_equal(cfg.extra, "console=hvc0 keel.ip=10.0.0.2/24");
	config_free(&cfg);
}

static void test_print_reads_back(void **state)
{
	struct domain_config a, b;
	struct out_buf o;

	expect_ok("name = 'p'\nkernel = '/k \"q\"'\nramdisk='/r'\nmemory=300\nvcpus=2\n"
		  "cmdline = 'a\\tb'\non_reboot='preserve'\ncpu_weight=9\ncap=10\n"
		  "uuid = '00000000-0000-4000-8000-000000000001'\n"
		  "disk=['/x,,xvda','vdev=xvdb, target=/y,1']\nvif=['bridge=z']\n", &a);
	out_open(&o);
	config_print(&a, o.f);
	if (config_parse_text("printed", out_text(&o), strlen(out_text(&o)), NULL, 0, &b, err.f))
		fail_msg("printed config does not parse:\n%s\n%s", out_text(&o), out_text(&err));
	assert_string_equal(a.name, b.name);
	assert_string_equal(a.kernel, b.kernel);
	assert_string_equal(a.ramdisk, b.ramdisk);
	assert_string_equal(a.cmdline, b.cmdline);
	assert_string_equal(a.uuid, b.uuid);
	assert_int_equal(a.memory_mb, b.memory_mb);
	assert_int_equal(a.vcpus, b.vcpus);
	assert_int_equal(a.on_reboot, b.on_reboot);
	assert_int_equal(a.weight, b.weight);
	assert_int_equal(a.cap, b.cap);
	assert_int_equal(b.nr_disks, 2);
	assert_string_equal(b.disks[1], "vdev=xvdb, target=/y,1");
	assert_string_equal(b.vifs[0], "bridge=z");
	config_free(&a);
	config_free(&b);
	out_close(&o);
}

/* list -l's strings: escapes, UTF-8 kept, bytes that are not UTF-8 replaced (JSON stays valid). */
static void test_json_string(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\\n\x7f", "\"q\\\"b\\\\\\u000a\\u007f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7\"" },
		{ "a\xff" "b", "\"a\\ufffdb\"" },			/* never a lead byte */
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },		/* overlong '/' */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },	/* a surrogate */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },	/* past U+10FFFF */
		{ "x\xe2\x82", "\"x\\ufffd\\ufffd\"" },		/* cut short at the end */
	};
	struct out_buf o;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		out_open(&o);
		json_string(o.f, cases[i].in);
		assert_string_equal(out_text(&o), cases[i].out);
		out_close(&o);
	}
}

static void test_copy(void **state)
{
	struct domain_config a, b;

	expect_ok(BASE "disk = ['/d,,xvda']\nroot = 'r'\n", &a);
	config_copy(&b, &a);
	config_free(&a);
	assert_string_equal(b.name, "vm");
	assert_string_equal(b.disks[0], "/d,,xvda");
	assert_string_equal(b.root, "r");
	config_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoting_and_comments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers_as_strings_and_strings_as_numbers,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiline_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_assembly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_unsupported_keys_warn, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key_names_the_closest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_distance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_keys_and_long_cmdline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_bad_line_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shipped_example, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_reads_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
		cmocka_unit_test(test_json_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
