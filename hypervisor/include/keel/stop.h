/* Stopping the whole machine: the last console line, then arch_machine_stop(). */
#ifndef KEEL_STOP_H
#define KEEL_STOP_H

#include <keel/status.h>
#include <keel/types.h>

/* Print "keel: stopped, status N (name)" and stop the machine. */
void __noreturn keel_stop(enum keel_status status);

/* Report an internal error and stop with KEEL_STATUS_PANIC. */
void __noreturn panic(const char *fmt, ...) __printf(1, 2);

#endif
