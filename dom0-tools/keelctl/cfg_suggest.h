/* "Did you mean ...": the known word closest to a misspelt one. */
#ifndef KEELCTL_CFG_SUGGEST_H
#define KEELCTL_CFG_SUGGEST_H

#include <stddef.h>

/*
 * Edits (insert, delete, replace, swap two neighbours) from @a to @b, counted up to a cap
 * of 16 (longer words count as 16).
 */
unsigned int edit_distance(const char *a, const char *b);

/*
 * Of @n @words, the one closest to @word, if close enough to be a typo of it (at most 2
 * edits, 1 for words of up to 4 letters, and fewer than half of it changed); else NULL.
 */
const char *closest_word(const char *word, const char *const *words, size_t n);

#endif
