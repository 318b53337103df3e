/* xl.cfg syntax: KEY = VALUE statements, strings, numbers and lists, parsed into settings. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cfg_parse.h"
#include "util.h"

enum tok_type {
	TOK_EOF, TOK_NEWLINE, TOK_IDENT, TOK_STRING, TOK_NUMBER, TOK_EQUALS, TOK_LBRACKET,
	TOK_RBRACKET, TOK_COMMA, TOK_SEMICOLON, TOK_BAD,
};

struct token {
	enum tok_type type;
	unsigned int line;
	char *text;		/* IDENT, STRING, NUMBER, BAD: malloc'ed */
	bool reported;		/* BAD: its error is printed already (a malformed string) */
};

struct parser {
	const char *name;
	const char *p, *end;
	unsigned int line;
	struct diag *diag;
	unsigned int source;
	unsigned int errors;
	struct token tok;	/* the current token */
};

static void __printf(3, 4) error_at(struct parser *ps, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(ps->diag, ps->source, ps->name, line, false, fmt, ap);
	va_end(ap);
	ps->errors++;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One escape after a backslash at *pp; the byte it stands for, or -1 (message printed). */
static int escape(struct parser *ps, const char **pp)
{
	const char *p = *pp;
	int v = 0, n;

	if (p == ps->end)
		return -1;
	switch (*p) {
	case 'n': *pp = p + 1; return '\n';
	case 't': *pp = p + 1; return '\t';
	case 'r': *pp = p + 1; return '\r';
	case '\\': case '"': case '\'':
		*pp = p + 1;
		return *p;
	case 'x':
		for (n = 0, p++; n < 2 && p < ps->end && hex_digit(*p) >= 0; n++, p++)
			v = v * 16 + hex_digit(*p);
		if (!n)
			break;
		*pp = p;
		return v;
	default:
		if (*p < '0' || *p > '7')
			break;
		for (n = 0; n < 3 && p < ps->end && *p >= '0' && *p <= '7'; n++, p++)
			v = v * 8 + (*p - '0');
		if (v > 255)
			break;
		*pp = p;
		return v;
	}
	if (isprint((unsigned char)**pp))
		error_at(ps, ps->line, "bad escape '\\%c' in a string", **pp);
	else
		error_at(ps, ps->line, "bad escape in a string");
	return -1;
}

/* A quoted string from the opening quote at ps->p; TOK_BAD when malformed. */
static void lex_string(struct parser *ps, struct token *t)
{
	char quote = *ps->p++, *out = xmalloc((size_t)(ps->end - ps->p) + 1);
	size_t n = 0;
	bool bad = false;

	for (;;) {
		if (ps->p == ps->end || *ps->p == '\n') {
			error_at(ps, t->line, "unterminated string");
			bad = true;
			break;
		}
		if (*ps->p == quote) {
			ps->p++;
			break;
		}
		if (*ps->p == '\\') {
			int c;

			ps->p++;
			c = escape(ps, &ps->p);
			if (c < 0) {
				bad = true;
				/* Skip the rest of the string. */
				while (ps->p < ps->end && *ps->p != quote && *ps->p != '\n')
					ps->p++;
				if (ps->p < ps->end && *ps->p == quote)
					ps->p++;
				break;
			}
			if (c == 0) {
				error_at(ps, t->line, "a string cannot hold a NUL byte");
				bad = true;
			}
			out[n++] = (char)c;
			continue;
		}
		if (*ps->p == '\0') {
			error_at(ps, t->line, "a string cannot hold a NUL byte");
			bad = true;
		}
		out[n++] = *ps->p++;
	}
	out[n] = '\0';
	t->type = bad ? TOK_BAD : TOK_STRING;
	t->reported = bad;
	t->text = out;
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

static void next(struct parser *ps)
{
	struct token *t = &ps->tok;
	const char *start;

	free(t->text);
	t->text = NULL;
	t->reported = false;
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r'))
		ps->p++;
	if (ps->p < ps->end && *ps->p == '#')
		while (ps->p < ps->end && *ps->p != '\n')
			ps->p++;
	t->line = ps->line;
	if (ps->p == ps->end) {
		t->type = TOK_EOF;
		return;
	}
	start = ps->p;
	switch (*ps->p) {
	case '\n':
		ps->p++;
		ps->line++;
		t->type = TOK_NEWLINE;
		return;
	case '=': ps->p++; t->type = TOK_EQUALS; return;
	case '[': ps->p++; t->type = TOK_LBRACKET; return;
	case ']': ps->p++; t->type = TOK_RBRACKET; return;
	case ',': ps->p++; t->type = TOK_COMMA; return;
	case ';': ps->p++; t->type = TOK_SEMICOLON; return;
	case '"': case '\'':
		lex_string(ps, t);
		return;
	}
	if (word_char(*ps->p)) {
		while (ps->p < ps->end && word_char(*ps->p))
			ps->p++;
		t->text = strndup(start, (size_t)(ps->p - start));
		if (!t->text)
			t->text = xstrdup("");
		t->type = isdigit((unsigned char)*start) ? TOK_NUMBER : TOK_IDENT;
		return;
	}
	ps->p++;
	t->type = TOK_BAD;
	if (isprint((unsigned char)*start))
		t->text = xasprintf("'%c'", *start);
	else
		t->text = xasprintf("byte 0x%02x", (unsigned char)*start);
}

static const char *describe(const struct token *t)
{
	switch (t->type) {
	case TOK_EOF: return "the end of the file";
	case TOK_NEWLINE: return "the end of the line";
	case TOK_EQUALS: return "'='";
	case TOK_LBRACKET: return "'['";
	case TOK_RBRACKET: return "']'";
	case TOK_COMMA: return "','";
	case TOK_SEMICOLON: return "';'";
	case TOK_STRING: return "a string";
	case TOK_NUMBER: return "a number";
	default: return t->text;
	}
}

static bool is_identifier(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static void add_atom(struct cfg_setting *s, struct token *t)
{
	s->atoms = xrealloc(s->atoms, (s->nr_atoms + 1) * sizeof(*s->atoms));
	s->atoms[s->nr_atoms++] = (struct cfg_atom){
		.text = t->text, .quoted = t->type == TOK_STRING, .word = t->type == TOK_IDENT,
		.line = t->line,
	};
	t->text = NULL;
}

/*
 * A value where one is expected (a bare word too: its key says what it wants, "must be
 * quoted" or "a number is expected"); reports what is there instead. False on error.
 */
static bool take_atom(struct parser *ps, struct cfg_setting *s, const char *where)
{
	struct token *t = &ps->tok;

	if (t->type == TOK_STRING || t->type == TOK_NUMBER || t->type == TOK_IDENT) {
		add_atom(s, t);
		next(ps);
		return true;
	}
	if (t->type == TOK_BAD && t->reported)
		return false;
	error_at(ps, t->line, "%s: expected a value %s, found %s", s->key, where, describe(t));
	return false;
}

static void skip_newlines(struct parser *ps)
{
	while (ps->tok.type == TOK_NEWLINE)
		next(ps);
}

/* [ ATOM, ATOM, ... ] with newlines anywhere and an optional trailing comma. */
static bool parse_list(struct parser *ps, struct cfg_setting *s)
{
	unsigned int open_line = ps->tok.line;

	s->is_list = true;
	next(ps);
	skip_newlines(ps);
	while (ps->tok.type != TOK_RBRACKET) {
		if (ps->tok.type == TOK_EOF) {
			error_at(ps, open_line, "%s: list opened here is not closed with ']'",
				 s->key);
			return false;
		}
		if (!take_atom(ps, s, "in the list"))
			return false;
		skip_newlines(ps);
		if (ps->tok.type == TOK_COMMA) {
			next(ps);
			skip_newlines(ps);
		} else if (ps->tok.type != TOK_RBRACKET) {
			if (ps->tok.type == TOK_EOF)
				continue;
			error_at(ps, ps->tok.line, "%s: expected ',' or ']' in the list, found %s",
				 s->key, describe(&ps->tok));
			return false;
		}
	}
	next(ps);
	return true;
}

/* After a bad statement: on to the next line, or past the list the error was in. */
static void recover(struct parser *ps, bool in_list)
{
	while (ps->tok.type != TOK_EOF) {
		if (in_list && ps->tok.type == TOK_RBRACKET) {
			in_list = false;
		} else if (!in_list &&
			   (ps->tok.type == TOK_NEWLINE || ps->tok.type == TOK_SEMICOLON)) {
			next(ps);
			return;
		}
		next(ps);
	}
}

static void free_setting(struct cfg_setting *s)
{
	for (unsigned int i = 0; i < s->nr_atoms; i++)
		free(s->atoms[i].text);
	free(s->atoms);
	free(s->key);
}

/* KEY = VALUE followed by a newline, ';' or the end. */
static void parse_statement(struct parser *ps, struct cfg_file *out)
{
	struct cfg_setting s = { .line = ps->tok.line };
	bool in_list = false;

	if (ps->tok.type != TOK_IDENT || !is_identifier(ps->tok.text)) {
		if (ps->tok.type != TOK_BAD || !ps->tok.reported)
			error_at(ps, ps->tok.line, "expected a setting (KEY = VALUE), found %s",
				 ps->tok.type == TOK_IDENT || ps->tok.type == TOK_NUMBER ?
				 ps->tok.text : describe(&ps->tok));
		goto bad;
	}
	s.key = ps->tok.text;
	ps->tok.text = NULL;
	next(ps);
	if (ps->tok.type != TOK_EQUALS) {
		error_at(ps, ps->tok.line, "expected '=' after '%s', found %s", s.key,
			 describe(&ps->tok));
		goto bad;
	}
	next(ps);
	if (ps->tok.type == TOK_LBRACKET) {
		in_list = true;
		if (!parse_list(ps, &s))
			goto bad;
		in_list = false;
	} else if (!take_atom(ps, &s, "after '='")) {
		goto bad;
	}
	switch (ps->tok.type) {
	case TOK_NEWLINE:
	case TOK_SEMICOLON:
		next(ps);
		/* fall through */
	case TOK_EOF:
		out->settings = xrealloc(out->settings, (out->nr + 1) * sizeof(s));
		out->settings[out->nr++] = s;
		return;
	default:
		if (ps->tok.type == TOK_BAD && ps->tok.reported)
			break;
		error_at(ps, ps->tok.line, "%s: unexpected %s after the value", s.key,
			 ps->tok.type == TOK_IDENT || ps->tok.type == TOK_NUMBER ?
			 ps->tok.text : describe(&ps->tok));
		break;
	}
bad:
	free_setting(&s);
	recover(ps, in_list);
}

unsigned int cfg_parse(const char *name, const char *text, size_t len, struct cfg_file *out,
		       struct diag *diag, unsigned int source)
{
	struct parser ps = {
		.name = name, .p = text, .end = text + len, .line = 1, .diag = diag,
		.source = source,
	};

	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	next(&ps);
	while (ps.tok.type != TOK_EOF) {
		if (ps.tok.type == TOK_NEWLINE || ps.tok.type == TOK_SEMICOLON) {
			next(&ps);
			continue;
		}
		parse_statement(&ps, out);
	}
	free(ps.tok.text);
	return ps.errors;
}

void cfg_file_free(struct cfg_file *f)
{
	for (unsigned int i = 0; i < f->nr; i++)
		free_setting(&f->settings[i]);
	free(f->settings);
	free(f->name);
	memset(f, 0, sizeof(*f));
}
