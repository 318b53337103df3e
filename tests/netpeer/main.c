/*
 * keel-netpeer: dom0's end of the netfront guest's verified UDP streams (tests/guests/netfront).
 * Listens on UDP port 7000, verifies and acknowledges every stream a guest sends, sends the
 * streams guests ask for, and prints one line per finished stream or damaged datagram.
 * Usage: keel-netpeer [-n STREAMS] [-t SECONDS]: exit after that many finished streams (0:
 * never) or seconds (default 600); exit status 1 if any datagram arrived damaged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "peer.h"

static int sock = -1;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int udp_send(void *ctx, uint32_t ip, uint16_t port, const void *data, uint32_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(ip) };

	/* A full socket buffer is a lost datagram: the stream resends. */
	if (sendto(sock, data, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len)
		return -1;
	return 0;
}

static void say(void *ctx, const char *line)
{
	printf("keel-netpeer: %s\n", line);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(PEER_PORT) };
	unsigned int streams = 0, seconds = 600;
	static struct peer p;
	uint64_t end;
	int opt;

	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		if (opt == 'n')
			streams = strtoul(optarg, NULL, 10);
		else if (opt == 't')
			seconds = strtoul(optarg, NULL, 10);
		else
			return fprintf(stderr, "usage: keel-netpeer [-n STREAMS] [-t SECONDS]\n"), 2;
	}
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&me, sizeof(me))) {
		perror("keel-netpeer: UDP port 7000");
		return 2;
	}
	peer_init(&p);
	p.send = udp_send;
	p.log = say;
	say(NULL, "listening on UDP port 7000");
	end = now_ns() + seconds * 1000000000ULL;
	while (now_ns() < end && (!streams || p.finished < streams)) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		uint8_t buf[2048];
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n;

		if (poll(&pfd, 1, 20) > 0) {
			while ((n = recvfrom(sock, buf, sizeof(buf), MSG_DONTWAIT,
					     (struct sockaddr *)&from, &flen)) >= 0) {
				peer_input(&p, ntohl(from.sin_addr.s_addr), ntohs(from.sin_port), buf,
					   n, now_ns());
				flen = sizeof(from);
			}
		}
		peer_tick(&p, now_ns());
	}
	printf("keel-netpeer: %u stream(s) finished, %u damaged datagram(s)\n", p.finished,
	       p.damaged);
	return p.damaged ? 1 : 0;
}
