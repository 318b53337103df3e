/* Backends' strict number parsing: decimal, no sign, no leading zeros, bounded. */
#ifndef XENBE_PARSE_H
#define XENBE_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Parses @s into @out if it is a plain decimal number no greater than @max. */
bool xenbe_parse_uint(const char *s, uint64_t max, uint64_t *out);

#endif
