/* "Did you mean ...": the known word closest to a misspelt one. */
#include <string.h>
#include "cfg_suggest.h"

#define CAP 16

unsigned int edit_distance(const char *a, const char *b)
{
	unsigned int d[CAP + 1][CAP + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > CAP || lb > CAP)
		return CAP;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			/* Two neighbours swapped ("memroy"): one edit. */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *closest_word(const char *word, const char *const *words, size_t n)
{
	size_t len = strlen(word);
	unsigned int limit = len <= 4 ? 1 : 2, best = CAP;
	const char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		unsigned int d = edit_distance(word, words[i]);

		if (d < best) {
			best = d;
			found = words[i];
		}
	}
	return found && best <= limit && 2 * best < len ? found : NULL;
}
