/* clamd.c - the virus scanner client: clamd's INSTREAM command over its unix or TCP socket
 * (Debian clamav-daemon). "zINSTREAM\0", then chunks as <4-byte big-endian length><bytes>,
 * a zero length to end, and one reply "stream: OK" or "stream: <name> FOUND". */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "attach/attach.h"
#include "base/mem.h"

#define CHUNK 65536

/* Connects to addr; -1 with errno-ish reason in why. TS_ERR_CONFIG via *bad for malformed. */
static int dial(const char *addr, int timeout_s, bool *bad, const char **why)
{
	struct timeval tv = {.tv_sec = timeout_s};
	int fd = -1;

	*bad = false;
	if (strncmp(addr, "unix:", 5) == 0) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		const char *path = addr + 5;
		if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
			*bad = true;
			return -1;
		}
		memcpy(sa.sun_path, path, strlen(path) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
			*why = "socket";
			return -1;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			*why = "cannot connect";
			close(fd);
			return -1;
		}
		return fd;
	}
	if (strncmp(addr, "tcp:", 4) == 0) {
		char host[256];
		const char *hp = addr + 4, *colon = strrchr(hp, ':');
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai = NULL;
		if (!colon || colon == hp || (size_t)(colon - hp) >= sizeof(host) || !colon[1]) {
			*bad = true;
			return -1;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - hp), hp);
		if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai) {
			*why = "cannot resolve";
			return -1;
		}
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
				close(fd);
				fd = -1;
			}
		}
		freeaddrinfo(ai);
		if (fd < 0)
			*why = "cannot connect";
		return fd;
	}
	*bad = true;
	return -1;
}

static int send_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Has clamd already answered (it replies early, e.g. when its size limit is reached)? */
static bool reply_waiting(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

int ts_clamd_scan(const char *addr, int timeout_s, int fd, enum ts_scan_result *result,
		  char *detail, size_t detailsz, struct ts_error *err)
{
	static const char cmd[] = "zINSTREAM";
	char reply[512], *buf = NULL;
	const char *why = NULL;
	size_t got = 0;
	bool bad = false;
	int s = -1;

	*result = TS_SCAN_UNAVAILABLE;
	if (detail && detailsz)
		detail[0] = '\0';
	s = dial(addr ? addr : "", timeout_s > 0 ? timeout_s : 60, &bad, &why);
	if (bad)
		return ts_error_set(err, TS_ERR_CONFIG, "attach.clamd",
				    "Địa chỉ trình quét virus \"%s\" không hợp lệ (unix:PATH hoặc tcp:HOST:PORT)",
				    addr ? addr : "");
	if (s < 0)
		goto unavailable;
	buf = ts_malloc(CHUNK + 4);
	if (!buf || lseek(fd, 0, SEEK_SET) != 0) {
		why = !buf ? "out of memory" : "cannot read the file";
		goto unavailable;
	}
	if (send_all(s, cmd, sizeof(cmd)) != 0) { /* sizeof includes the NUL delimiter */
		why = "send failed";
		goto unavailable;
	}
	for (;;) {
		ssize_t r = read(fd, buf + 4, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			why = "cannot read the file";
			goto unavailable;
		}
		uint32_t len = htonl((uint32_t)r);
		memcpy(buf, &len, 4);
		if (reply_waiting(s))
			break; /* clamd answered before the end: read what it says */
		if (send_all(s, buf, (size_t)r + 4) != 0) {
			if (reply_waiting(s))
				break;
			why = "send failed";
			goto unavailable;
		}
		if (r == 0)
			break;
	}
	while (got < sizeof(reply) - 1) {
		ssize_t r = recv(s, reply + got, sizeof(reply) - 1 - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (memchr(reply, '\0', got) || memchr(reply, '\n', got))
			break;
	}
	reply[got] = '\0';
	reply[strcspn(reply, "\n")] = '\0';
	if (got == 0) {
		why = "no reply";
		goto unavailable;
	}
	{
		size_t n = strlen(reply);
		const char *v = strncmp(reply, "stream: ", 8) == 0 ? reply + 8 : reply;
		if (n >= 3 && strcmp(reply + n - 3, " OK") == 0 && strstr(reply, "stream:")) {
			*result = TS_SCAN_CLEAN;
		} else if (n >= 6 && strcmp(reply + n - 6, " FOUND") == 0) {
			*result = TS_SCAN_INFECTED;
			if (detail && detailsz)
				snprintf(detail, detailsz, "%.*s", (int)(n - 6 - (size_t)(v - reply)), v);
		} else {
			/* "INSTREAM size limit exceeded. ERROR" and the like: no verdict */
			*result = TS_SCAN_UNAVAILABLE;
			if (detail && detailsz)
				snprintf(detail, detailsz, "%s", reply);
		}
	}
	ts_free(buf);
	close(s);
	return 0;
unavailable:
	*result = TS_SCAN_UNAVAILABLE;
	if (detail && detailsz)
		snprintf(detail, detailsz, "%s", why ? why : "unavailable");
	ts_free(buf);
	if (s >= 0)
		close(s);
	return 0;
}
