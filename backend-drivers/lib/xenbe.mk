# What every dom0 backend daemon links (included by the Makefile): the environment (xenstored's
# socket through keelctl's client, gntdev, evtchn) behind struct xenbe_env, and strict parsing.

XENBE_DIR := backend-drivers/lib
# The parts a host unit test links with a simulated environment instead of xenbe_linux.c.
XENBE_CORE_SRCS := $(XENBE_DIR)/xenbe_parse.c $(XENBE_DIR)/xenbe_scan.c $(XENBE_DIR)/xenbe_xs.c dom0-tools/lib/alloc.c
XENBE_SRCS := $(XENBE_CORE_SRCS) $(XENBE_DIR)/xenbe_linux.c dom0-tools/keelctl/xs.c \
	dom0-tools/keelctl/util.c dom0-tools/lib/privcmd.c
XENBE_HDRS := $(wildcard $(XENBE_DIR)/*.h) dom0-tools/keelctl/xs.h dom0-tools/keelctl/util.h \
	dom0-tools/lib/alloc.h dom0-tools/lib/privcmd.h $(HV)/include/public/keel_domctl.h
XENBE_INCLUDES := -I$(XENBE_DIR) -Idom0-tools/keelctl -Idom0-tools/lib -I$(HV)/include
