/* The daemon's TAP devices: /dev/net/tun, the interface's MAC, MTU, flags and bridge port. */
#ifndef NETBACK_TAP_H
#define NETBACK_TAP_H

#include "nb.h"

extern const struct nb_tap_ops nb_linux_tap_ops;

#endif
