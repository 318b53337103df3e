# xenstored's libFuzzer harnesses, for tests/fuzz/fuzz.mk to include: build/fuzz/xenstored_ring
# (domains' ring pages) and build/fuzz/xenstored_socket (dom0's tools on the Unix socket).
# Each links the daemon but main.c, built with clang's fuzzer and sanitizers, and the shared
# engine in tests/fuzz/xenstored/; ring_xen.c and dom0-tools/lib/privcmd.c run on fake
# devices (their open, ioctl, mmap, munmap, read and write renamed to fake_dev.c's).
XS_FUZZ_CC := clang
XS_FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter \
	-Idom0-tools/xenstored -Idom0-tools/lib -Ihypervisor/include -Itests/fuzz/xenstored
XS_FUZZ_OBJ := $(BUILD)/fuzz/obj/xenstored
XS_FUZZ_DEV_SYMS := open ioctl mmap munmap read write
XS_FUZZ_DEV_SRCS := dom0-tools/xenstored/ring_xen.c dom0-tools/lib/privcmd.c
XS_FUZZ_SRCS := $(filter-out %/main.c %/ring_file.c %/ring_xen.c, \
	$(wildcard dom0-tools/xenstored/*.c)) dom0-tools/lib/alloc.c \
	tests/fuzz/xenstored/fuzz_engine.c tests/fuzz/xenstored/fake_dev.c
XS_FUZZ_OBJS := $(patsubst %.c,$(XS_FUZZ_OBJ)/%.o,$(XS_FUZZ_SRCS)) \
	$(patsubst %.c,$(XS_FUZZ_OBJ)/%.dev.o,$(XS_FUZZ_DEV_SRCS))
XS_FUZZ_HDRS := $(wildcard dom0-tools/xenstored/*.h dom0-tools/lib/*.h tests/fuzz/xenstored/*.h) \
	hypervisor/include/public/keel_domctl.h
XS_FUZZ_TARGETS := xenstored_ring xenstored_socket

FUZZ_TARGETS += $(XS_FUZZ_TARGETS)

$(XS_FUZZ_OBJ)/%.o: %.c $(XS_FUZZ_HDRS)
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	@$(XS_FUZZ_CC) $(XS_FUZZ_CFLAGS) -c -o $@ $<

$(XS_FUZZ_OBJ)/%.dev.o: %.c $(XS_FUZZ_HDRS)
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	@$(XS_FUZZ_CC) $(XS_FUZZ_CFLAGS) -c -o $@.tmp $<
	@objcopy $(foreach s,$(XS_FUZZ_DEV_SYMS),--redefine-sym $(s)=fake_$(s)) $@.tmp $@
	@rm -f $@.tmp

$(addprefix $(BUILD)/fuzz/,$(XS_FUZZ_TARGETS)): $(BUILD)/fuzz/%: tests/fuzz/%.c $(XS_FUZZ_OBJS) \
		$(XS_FUZZ_HDRS)
	@mkdir -p $(@D)
	@echo "  FUZZLD  $@"
	@$(XS_FUZZ_CC) $(XS_FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(XS_FUZZ_OBJS)
