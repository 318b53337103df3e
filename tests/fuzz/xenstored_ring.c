/*
 * libFuzzer harness: xenstored driven through domains' shared ring pages, mapped by the
 * real ring_xen.c on fake devices, whose bytes and indices the fuzzer writes at will, while
 * dom0's tools and kernel and two guests send requests (transactions, watches, permissions,
 * domains introduced, released and dying).
 */
#include <stddef.h>
#include <stdint.h>
#include "fuzz_engine.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	engine_init(TOOLS_IN_MEMORY);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { .data = data, .len = size };

	engine_reset(input_byte(&in) & 1);
	while (input_left(&in))
		engine_command(&in);
	engine_finish();
	return 0;
}
