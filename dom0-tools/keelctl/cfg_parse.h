/* xl.cfg syntax: KEY = VALUE statements, strings, numbers and lists, parsed into settings. */
#ifndef KEELCTL_CFG_PARSE_H
#define KEELCTL_CFG_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "diag.h"

/* One string or number ("atom"), as written. */
struct cfg_atom {
	char *text;		/* a string's contents after escapes, or a number's lexeme */
	bool quoted;		/* a string ("..." or '...'), else a number or a word */
	bool word;		/* a bare word (memory = lots): for the key to say what it wants */
	unsigned int line;
};

/* KEY = ATOM, or KEY = [ ATOM, ... ]. */
struct cfg_setting {
	char *key;
	unsigned int line;
	bool is_list;
	unsigned int nr_atoms;	/* 1 for a plain value */
	struct cfg_atom *atoms;
};

struct cfg_file {
	char *name;		/* for messages: "FILE:LINE: ..." */
	unsigned int nr;
	struct cfg_setting *settings;
};

/*
 * Parses @len bytes of @text, named @name in messages. Syntax errors go to @diag (as source
 * @source) as "NAME:LINE: what is wrong" and parsing goes on at the next statement. Returns
 * the number of errors; @out holds the well-formed statements either way (cfg_file_free()).
 */
unsigned int cfg_parse(const char *name, const char *text, size_t len, struct cfg_file *out,
		       struct diag *diag, unsigned int source);
void cfg_file_free(struct cfg_file *f);

#endif
