# Debian's libfdt (libfdt-dev) inside keel: its static library, linked as it is once
# scripts/check-libfdt.sh has found it fit for keel's build (docs/boot-domains.md), and its
# headers, with keel's own libfdt_env.h (hypervisor/include/libfdt/) in place of the hosted one.

LIBFDT_A ?= $(abspath $(shell $(CC) -print-file-name=libfdt.a))
LIBFDT_INCLUDE ?= /usr/include
LIBFDT_CHECKED := $(BUILD)/libfdt/checked
# Only libfdt.h and fdt.h: keel's include path never reaches the rest of /usr/include.
LIBFDT_HEADERS := $(BUILD)/libfdt/include
LIBFDT_USERS := $(BUILD)/$(HV)/common/boot_domains.c.o

$(LIBFDT_USERS): HV_CFLAGS += -I$(HV)/include/libfdt -I$(LIBFDT_HEADERS)
$(LIBFDT_USERS): $(LIBFDT_HEADERS)/libfdt.h

$(LIBFDT_HEADERS)/libfdt.h: $(LIBFDT_INCLUDE)/libfdt.h $(LIBFDT_INCLUDE)/fdt.h
	@mkdir -p $(@D)
	@ln -sf $(LIBFDT_INCLUDE)/libfdt.h $(LIBFDT_INCLUDE)/fdt.h $(@D)/

$(LIBFDT_CHECKED): $(LIBFDT_A) scripts/check-libfdt.sh
	@echo "  CHECK   $(LIBFDT_A)"
	@scripts/check-libfdt.sh $(LIBFDT_A) $@
