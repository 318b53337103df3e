/* zlib's CRC-32: reflected polynomial 0xedb88320, initial and final complement. */
#include "crc32.h"

u32 crc32_update(u32 crc, const void *buf, u64 len)
{
	const u8 *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}
