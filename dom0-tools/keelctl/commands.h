/* keelctl's commands: each takes argv from its own name on and returns the exit status. */
#ifndef KEELCTL_COMMANDS_H
#define KEELCTL_COMMANDS_H

#include "kc.h"
#include "util.h"
#include "xs.h"

/* Exit statuses. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct command {
	const char *name;
	int (*run)(struct kc *kc, int argc, char **argv);
	const char *args;	/* the usage line after the name */
	const char *summary;
};

extern const struct command commands[];
const struct command *command_find(const char *name);

/* "keelctl CMD: MESSAGE" and the command's usage line on kc_errf; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __printf(2, 3);
/* The full usage of @cmd on @out. */
void command_usage(const struct command *c, FILE *out);

/*
 * The guest NAME @arg of @cmd, resolved: not an option, not dom0 (which gets no @what),
 * xenstore at hand. EXIT_OK or an exit status, with a message.
 */
int command_guest(struct kc *kc, const char *cmd, const char *arg, const char *what,
		  uint16_t *domid);
/* xl joins a device specification's arguments with commas: a new string. */
char *command_joined(int argc, char **argv);
/* A number the guest wrote at @fe/@key, or -1. */
long command_fe_number(struct kc *kc, const char *fe, const char *key);

/* getopt() state reset before a command parses its options. */
void reset_getopt(void);

int cmd_create(struct kc *kc, int argc, char **argv);
int cmd_list(struct kc *kc, int argc, char **argv);
int cmd_console(struct kc *kc, int argc, char **argv);
int cmd_pause(struct kc *kc, int argc, char **argv);
int cmd_unpause(struct kc *kc, int argc, char **argv);
int cmd_destroy(struct kc *kc, int argc, char **argv);
int cmd_shutdown(struct kc *kc, int argc, char **argv);
int cmd_reboot(struct kc *kc, int argc, char **argv);
int cmd_block_attach(struct kc *kc, int argc, char **argv);
int cmd_block_detach(struct kc *kc, int argc, char **argv);
int cmd_block_list(struct kc *kc, int argc, char **argv);
int cmd_network_attach(struct kc *kc, int argc, char **argv);
int cmd_network_detach(struct kc *kc, int argc, char **argv);
int cmd_network_list(struct kc *kc, int argc, char **argv);
int cmd_mem_set(struct kc *kc, int argc, char **argv);
int cmd_mem_max(struct kc *kc, int argc, char **argv);
int cmd_info(struct kc *kc, int argc, char **argv);
int cmd_dmesg(struct kc *kc, int argc, char **argv);
int cmd_top(struct kc *kc, int argc, char **argv);
int cmd_stat(struct kc *kc, int argc, char **argv);
int cmd_help(struct kc *kc, int argc, char **argv);
int cmd_vcpu_list(struct kc *kc, int argc, char **argv);
int cmd_vcpu_pin(struct kc *kc, int argc, char **argv);
int cmd_vcpu_set(struct kc *kc, int argc, char **argv);
int cmd_sched_credit(struct kc *kc, int argc, char **argv);
int cmd_uptime(struct kc *kc, int argc, char **argv);
int cmd_rename(struct kc *kc, int argc, char **argv);
int cmd_version(struct kc *kc, int argc, char **argv);

/* xl's uptime: "D days, HH:MM:SS" (short: no seconds), "HH:MM:SS" under a day. A new string. */
char *uptime_string(uint64_t secs, bool short_mode);

#endif
