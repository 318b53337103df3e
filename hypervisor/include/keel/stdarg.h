/* Variadic argument support from the compiler, without libc headers. */
#ifndef KEEL_STDARG_H
#define KEEL_STDARG_H

#ifdef KEEL_HOSTED
/* Host tests: the compiler's own header, which host code includes too. */
#include <stdarg.h>
#else
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_end(ap) __builtin_va_end(ap)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_copy(d, s) __builtin_va_copy(d, s)
#endif

#endif
