/* Parser for keel.cfg, the xen.cfg-style boot configuration (pure C). */
#include <keel/types.h>
#include <keel/string.h>
#include <keel/errno.h>
#include "cfg.h"

/* A piece of the configuration text; not NUL-terminated. */
struct slice {
	const char *p;
	u64 n;
};

enum line_kind { LINE_BLANK, LINE_SECTION, LINE_KEY };

struct cfg_line {
	u32 no;
	enum line_kind kind;
	struct slice name;	/* section name or key */
	struct slice value;
};

struct cursor {
	const char *p, *end;
	u32 no;
};

/* A fatal or ignorable problem while parsing, reported by the caller. */
struct cfg_problem {
	const char *what;
	struct slice detail;
};

static const struct slice no_detail = { "", 0 };

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_keychar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static struct slice trim(struct slice s)
{
	while (s.n && is_blank(*s.p)) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool slice_eq(struct slice s, const char *str)
{
	return strlen(str) == s.n && !memcmp(s.p, str, s.n);
}

static u64 slice_word_len(struct slice s)
{
	u64 i;

	for (i = 0; i < s.n && !is_blank(s.p[i]); i++)
		;
	return i;
}

/* Copy s to dst as a C string; -E2BIG if it does not fit. */
static int slice_copy(char *dst, u64 size, struct slice s)
{
	if (s.n >= size)
		return -E2BIG;
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
	return 0;
}

static int problem(struct cfg_problem *pb, const char *what,
		   struct slice detail)
{
	pb->what = what;
	pb->detail = detail;
	return -EINVAL;
}

/* Classify a comment-stripped, trimmed line. */
static int classify(struct slice s, struct cfg_line *l, struct cfg_problem *pb)
{
	u64 i;

	if (!s.n) {
		l->kind = LINE_BLANK;
		return 0;
	}
	if (s.p[0] == '[') {
		if (s.n < 2 || s.p[s.n - 1] != ']')
			return problem(pb, "section header without a closing ']': ", s);
		l->kind = LINE_SECTION;
		l->name = trim((struct slice){ s.p + 1, s.n - 2 });
		if (!l->name.n || slice_word_len(l->name) != l->name.n)
			return problem(pb, "bad section name: ", s);
		for (i = 0; i < l->name.n; i++)
			if (l->name.p[i] == '[' || l->name.p[i] == ']')
				return problem(pb, "bad section name: ", s);
		if (l->name.n >= CFG_NAME_LEN)
			return problem(pb, "section name too long: ", s);
		return 0;
	}
	for (i = 0; i < s.n && is_keychar(s.p[i]); i++)
		;
	l->name = (struct slice){ s.p, i };
	l->value = trim((struct slice){ s.p + i, s.n - i });
	if (!l->name.n || !l->value.n || l->value.p[0] != '=')
		return problem(pb, "expected key=value, [section] or # comment: ", s);
	l->kind = LINE_KEY;
	l->value = trim((struct slice){ l->value.p + 1, l->value.n - 1 });
	return 0;
}

/* Read the next line; 1 for a line, 0 at the end, -EINVAL if malformed. */
static int next_line(struct cursor *c, struct cfg_line *l,
		     struct cfg_problem *pb)
{
	const char *eol = c->p;
	struct slice s;
	u64 i;

	if (c->p >= c->end)
		return 0;
	while (eol < c->end && *eol != '\n')
		eol++;
	s = (struct slice){ c->p, (u64)(eol - c->p) };
	c->p = eol < c->end ? eol + 1 : eol;
	l->no = ++c->no;

	if (s.n && s.p[s.n - 1] == '\r')
		s.n--;
	for (i = 0; i < s.n; i++) {
		if (s.p[i] == '#') {
			s.n = i;
			break;
		}
		if (((u8)s.p[i] < 0x20 && s.p[i] != '\t') || s.p[i] == 0x7f)
			return problem(pb, "control character in line (the file must be ASCII, not UTF-16)",
				       no_detail);
	}
	return classify(trim(s), l, pb) ?: 1;
}

/* Store one key of a boot section into cfg; unknown keys are ignored. */
static int apply_key(struct keel_cfg *cfg, const struct cfg_line *l,
		     struct cfg_problem *pb, bool *ignored)
{
	struct slice v = l->value, word;

	*ignored = false;
	if (slice_eq(l->name, "options")) {
		if (slice_copy(cfg->options, sizeof(cfg->options), v))
			return problem(pb, "options= value too long", no_detail);
	} else if (slice_eq(l->name, "kernel")) {
		word = (struct slice){ v.p, slice_word_len(v) };
		if (!word.n)
			return problem(pb, "kernel= needs a file name", no_detail);
		if (slice_copy(cfg->kernel, sizeof(cfg->kernel), word))
			return problem(pb, "kernel= file name too long: ", word);
		v = trim((struct slice){ v.p + word.n, v.n - word.n });
		if (slice_copy(cfg->kernel_args, sizeof(cfg->kernel_args), v))
			return problem(pb, "kernel= arguments too long", no_detail);
	} else if (slice_eq(l->name, "ramdisk")) {
		if (!v.n || slice_word_len(v) != v.n)
			return problem(pb, "ramdisk= takes exactly one file name: ", v);
		if (slice_copy(cfg->ramdisk, sizeof(cfg->ramdisk), v))
			return problem(pb, "ramdisk= file name too long: ", v);
	} else {
		*ignored = true;
	}
	return 0;
}

static void report_slice(cfg_report_fn report, void *ctx, u32 line,
			 bool fatal, const char *what, struct slice detail)
{
	char buf[80];

	if (detail.n >= sizeof(buf))
		detail.n = sizeof(buf) - 1;
	slice_copy(buf, sizeof(buf), detail);
	report(ctx, line, fatal, what, buf);
}

static void cursor_init(struct cursor *c, const char *text, u64 len)
{
	c->p = text;
	c->end = text + len;
	c->no = 0;
	/* Tolerate a UTF-8 byte order mark. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		c->p += 3;
}

/*
 * First pass: check every line of every section, report ignored keys and
 * find [global] default=.
 */
static int cfg_check(const char *text, u64 len, struct slice *def,
		     cfg_report_fn report, void *ctx)
{
	struct keel_cfg scratch;
	struct cfg_problem pb;
	struct cfg_line l;
	struct cursor c;
	bool in_section = false, in_global = false, ignored;
	int ret;

	def->n = 0;
	if (len >= 2 && ((u8)text[0] == 0xff || (u8)text[0] == 0xfe) &&
	    ((u8)text[1] == 0xff || (u8)text[1] == 0xfe)) {
		report(ctx, 0, true, "the file is UTF-16, save it as ASCII", "");
		return -EINVAL;
	}
	cursor_init(&c, text, len);
	while ((ret = next_line(&c, &l, &pb)) > 0) {
		if (l.kind == LINE_SECTION) {
			in_section = true;
			in_global = slice_eq(l.name, "global");
			continue;
		}
		if (l.kind != LINE_KEY)
			continue;
		if (!in_section) {
			ret = problem(&pb, "key before any [section]: ", l.name);
			break;
		}
		if (in_global && slice_eq(l.name, "default")) {
			if (!l.value.n || slice_word_len(l.value) != l.value.n ||
			    l.value.n >= CFG_NAME_LEN) {
				ret = problem(&pb, "default= needs one section name: ", l.value);
				break;
			}
			*def = l.value;
			continue;
		}
		ignored = true;
		if (!in_global) {
			ret = apply_key(&scratch, &l, &pb, &ignored);
			if (ret)
				break;
		}
		if (ignored)
			report_slice(report, ctx, l.no, false,
				     "ignoring unsupported key: ", l.name);
	}
	if (ret < 0)
		report_slice(report, ctx, l.no, true, pb.what, pb.detail);
	return ret;
}

int cfg_parse(const char *text, u64 len, const char *section,
	      struct keel_cfg *cfg, cfg_report_fn report, void *ctx)
{
	struct cfg_problem pb;
	struct cfg_line l;
	struct cursor c;
	struct slice def, want;
	bool in_want = false, found = false, ignored;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = cfg_check(text, len, &def, report, ctx);
	if (ret)
		return ret;

	if (section && *section) {
		want = (struct slice){ section, strlen(section) };
	} else if (def.n) {
		want = def;
	} else {
		report(ctx, 0, true,
		       "no section given and no default= in [global]", "");
		return -EINVAL;
	}
	if (slice_eq(want, "global") ||
	    slice_copy(cfg->section, sizeof(cfg->section), want)) {
		report_slice(report, ctx, 0, true, "cannot boot section ", want);
		return -EINVAL;
	}

	cursor_init(&c, text, len);
	while (next_line(&c, &l, &pb) > 0) {
		if (l.kind == LINE_SECTION) {
			in_want = l.name.n == want.n &&
				  !memcmp(l.name.p, want.p, want.n);
			found |= in_want;
		} else if (l.kind == LINE_KEY && in_want) {
			apply_key(cfg, &l, &pb, &ignored);
		}
	}
	if (!found) {
		report_slice(report, ctx, 0, true, "no such section: ", want);
		return -EINVAL;
	}
	return 0;
}
