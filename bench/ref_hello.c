/* ref_hello.c - the raw HTTP limit the server is compared with (issue 8): a hello-world
 * libmicrohttpd server as the issue defines it (epoll, internal thread pool) on 127.0.0.1.
 * The server itself polls with poll() since libmicrohttpd 0.9.75's epoll loop was found to
 * strand connections in bursts (bench/NOTES-issue8.md, Bursts); with 64 busy connections the
 * two cost the same. Prints "listening PORT" once it accepts connections and
 * serves until SIGTERM / SIGINT. PORT 0 takes a free one. Usage: ref_hello PORT [THREADS] */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **state)
{
	(void)cls, (void)url, (void)method, (void)version, (void)data, (void)size, (void)state;
	static const char body[] = "{\"status\":\"ok\"}";
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return fprintf(stderr, "usage: ref_hello PORT [THREADS]\n"), 2;
	int port = atoi(argv[1]);
	unsigned threads = argc > 2 ? (unsigned)atoi(argv[2]) : 2;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, (uint16_t)port, NULL,
	    NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)4096, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_END);
	if (!d)
		return fprintf(stderr, "ref_hello: cannot listen on %d\n", port), 1;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("listening %u\n", info ? (unsigned)info->port : (unsigned)port);
	fflush(stdout);
	int sig;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
