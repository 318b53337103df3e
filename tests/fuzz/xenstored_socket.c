/*
 * libFuzzer harness: xenstored's wire protocol as raw byte streams from two of dom0's tools
 * on its Unix socket (socket.c, a real socket), interleaved with an unprivileged guest's
 * requests on its ring and the other events the engine knows.
 */
#include <stddef.h>
#include <stdint.h>
#include "fuzz_engine.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	engine_init(TOOLS_ON_SOCKET);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { .data = data, .len = size };
	uint8_t chunk[1024], head;
	size_t len, i;

	engine_reset(input_byte(&in) & 1);
	while (input_left(&in)) {
		head = input_byte(&in);
		switch (head % 4) {
		case 0:
		case 1:
			/* Up to 1 KiB of a tool's stream, as it comes. */
			len = (size_t)(head & 0x30) << 4 | input_byte(&in);
			for (i = 0; i < len && input_left(&in); i++)
				chunk[i] = input_byte(&in);
			engine_send(head % 2 ? TOOL1 : TOOL0, chunk, i);
			engine_turn();
			break;
		case 2:
			engine_request(GUEST5, &in);
			engine_turn();
			break;
		default:
			engine_command(&in);
			break;
		}
	}
	engine_finish();
	return 0;
}
