/* Turning the image's UCS-2 LoadOptions into an ASCII command line (pure C). */
#include <keel/types.h>
#include <keel/string.h>
#include <keel/errno.h>
#include "cfg.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Does the word [w, w + n) end in ".efi", in any case? */
static bool is_program_name(const char *w, u64 n)
{
	static const char ext[] = ".efi";
	u64 i;

	if (n < 4)
		return false;
	for (i = 0; i < 4; i++)
		if (lower(w[n - 4 + i]) != ext[i])
			return false;
	return true;
}

int loadopt_to_ascii(const u16 *opts, u64 bytes, char *out, u64 outlen)
{
	u64 n = bytes / 2, i, len = 0, start = 0, wend;

	if (!outlen)
		return -E2BIG;
	out[0] = '\0';
	if (bytes % 2)
		return -EINVAL;
	for (i = 0; i < n && opts[i]; i++) {
		u16 ch = opts[i];

		if (ch != '\t' && ch != '\r' && ch != '\n' &&
		    (ch < 0x20 || ch > 0x7e))
			return -EINVAL;
		if (len + 1 >= outlen)
			return -E2BIG;
		out[len++] = is_space((char)ch) ? ' ' : (char)ch;
	}
	out[len] = '\0';

	/* Trim, then drop the program name the UEFI shell passes first. */
	while (start < len && out[start] == ' ')
		start++;
	for (wend = start; wend < len && out[wend] != ' '; wend++)
		;
	if (is_program_name(out + start, wend - start))
		start = wend;
	while (start < len && out[start] == ' ')
		start++;
	while (len > start && out[len - 1] == ' ')
		len--;
	memmove(out, out + start, len - start);
	out[len - start] = '\0';
	return 0;
}
