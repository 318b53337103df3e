/* A domain's configuration as JSON, the shape of xl list -l's (libxl_domain_config). */
#ifndef KEELCTL_CFG_JSON_H
#define KEELCTL_CFG_JSON_H

#include <stdio.h>
#include <public/keel_domctl.h>
#include "config.h"

/* @s as a JSON string, quotes and escapes included; bytes that are not UTF-8 become U+FFFD. */
void json_string(FILE *out, const char *s);

/*
 * One element of list -l's array for domain @info: its config @cfg (NULL: keelctl did not
 * build it, so only what keel and xenstore know: @name, @uuid, may be NULL). Indented as xl's.
 */
void cfg_json_domain(FILE *out, const struct keel_domctl_info *info,
		     const struct domain_config *cfg, const char *name, const char *uuid);

#endif
