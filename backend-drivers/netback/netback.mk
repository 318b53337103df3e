# keel-netback, dom0's user-space network backend (included by the Makefile): one static binary
# (libc only) for dom0's busybox initramfs. Its environment is backend-drivers/lib (xenbe.mk).

NETBACK := $(BUILD)/backend-drivers/keel-netback
NETBACK_DIR := backend-drivers/netback
NETBACK_SRCS := $(wildcard $(NETBACK_DIR)/*.c) $(XENBE_SRCS)
NETBACK_HDRS := $(wildcard $(NETBACK_DIR)/*.h) $(XENBE_HDRS)
NETBACK_INCLUDES := -D_GNU_SOURCE -I$(NETBACK_DIR) $(XENBE_INCLUDES)
NETBACK_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	$(NETBACK_INCLUDES)
# What the host unit tests link: the backend without main() and the TAP devices.
NETBACK_CORE_SRCS := $(addprefix $(NETBACK_DIR)/,backend.c hcopy.c offload.c ring.c rx.c tx.c \
	txparse.c vif.c) $(XENBE_CORE_SRCS)

.PHONY: netback
netback: $(NETBACK)

$(NETBACK): $(NETBACK_SRCS) $(NETBACK_HDRS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) $(NETBACK_CFLAGS) -static -o $@ $(NETBACK_SRCS)
