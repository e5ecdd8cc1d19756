// SPDX-License-Identifier: GPL-2.0-only
/* tcp_delay [DELAY_MS] [REPLY_BYTES]: a loopback TCP exchange whose server is slow.
 * The parent (the client) listens on an ephemeral 127.0.0.1 port *before*
 * forking, so the child (the server) can never miss the connection. The
 * client connects, sends a request and blocks in recv(); the server reads the
 * request, sleeps DELAY_MS (default 300) and only then answers with
 * REPLY_BYTES (default 1 MiB). The client's time is therefore dominated by
 * waiting on a socket (net), the server's by nanosleep (sleep). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REQUEST "GET /slow\n"

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void serve(int listener, long delay_ms, size_t reply_bytes)
{
	int conn = accept(listener, NULL, NULL);
	if (conn < 0)
		die("accept");
	char req[sizeof(REQUEST)];
	size_t got = 0;
	while (got < strlen(REQUEST)) {
		ssize_t n = recv(conn, req + got, strlen(REQUEST) - got, 0);
		if (n <= 0)
			die("server recv");
		got += (size_t)n;
	}
	struct timespec d = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
	while (nanosleep(&d, &d) < 0)
		;
	char *reply = calloc(1, reply_bytes ? reply_bytes : 1);
	size_t sent = 0;
	while (sent < reply_bytes) {
		ssize_t n = send(conn, reply + sent, reply_bytes - sent, 0);
		if (n < 0)
			die("server send");
		sent += (size_t)n;
	}
	close(conn);
	free(reply);
}

int main(int argc, char **argv)
{
	long delay_ms = argc > 1 ? strtol(argv[1], NULL, 10) : 300;
	size_t reply_bytes = argc > 2 ? strtoul(argv[2], NULL, 10) : 1 << 20;

	int listener = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr = { .sin_family = AF_INET };
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(addr);
	if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(listener, 1) < 0 || getsockname(listener, (struct sockaddr *)&addr, &len) < 0)
		die("listen");

	fflush(stdout);
	pid_t server = fork();
	if (server < 0)
		die("fork");
	if (server == 0) {
		serve(listener, delay_ms, reply_bytes);
		_exit(0);
	}
	close(listener);

	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("connect");
	if (send(s, REQUEST, strlen(REQUEST), 0) != (ssize_t)strlen(REQUEST))
		die("client send");
	char buf[65536];
	size_t total = 0;
	ssize_t n;
	while ((n = recv(s, buf, sizeof(buf), 0)) > 0)
		total += (size_t)n;
	if (n < 0)
		die("client recv");
	close(s);

	int status;
	if (waitpid(server, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("server failed");
	printf("received %zu bytes\n", total);
	return total == reply_bytes ? 0 : 1;
}
