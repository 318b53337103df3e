/* Memory sizes as xl reads them, and the rules of xl's mem-set and mem-max. */
#ifndef KEELCTL_MEM_SIZE_H
#define KEELCTL_MEM_SIZE_H

#include <stdbool.h>
#include <stdint.h>

/* The least a guest may be set to, and the most keel gives one (set_max_mem). */
#define MEM_MIN_KB	4096ULL
#define MEM_MAX_KB	(64ULL << 20)
/* libxl's LIBXL_MAXMEM_CONSTANT: keel's limit is the target plus this much. */
#define MEM_SLACK_KB	1024ULL

/*
 * xl's memory size: a decimal number with an optional unit, b, k, m (the default), g or t,
 * either case. Sets *@kb (bytes rounded down to KiB); false for anything else or an
 * overflow.
 */
bool parse_mem_kb(const char *s, uint64_t *kb);

/* keel's limit (set_max_mem) for a target or maximum of @kb: whole pages, plus the slack. */
uint64_t mem_limit_kb(uint64_t kb);

#endif
