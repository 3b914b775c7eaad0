/*
 * asymlab-agent: asymlab's flow agent for nodes without Node.js (nodes reached through an exec
 * channel: docker exec, kubectl exec). It takes the arguments of src/traffic/agent.ts and prints
 * the same records, doing what src/protocols/{tcp,udp,icmp}-agent.ts do with the same kernel
 * sockets, so a flow's packets on the wire are the same whichever agent sent them.
 *
 *   asymlab-agent server --protocol=P --port=N [--port=N ...]
 *   asymlab-agent client --protocol=P --flow=NAME --address=A --port=N [--source=S] --source-port=N
 *                        [--fixed-source-port=1] --count=N --timeout-ms=N [--size=N]
 *
 * Built static (cc -static) by src/traffic/static-agent.ts, so it runs in any Linux image of the
 * machine's architecture. ICMP echo uses the node's `ping` (iputils), as the Node.js agent does.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 64
#define DIGEST_BYTES 32

static const char *USAGE =
    "usage: asymlab-agent server --protocol=P --port=N [--port=N ...]\n"
    "       asymlab-agent client --protocol=P --flow=NAME --address=A --port=N [--source=S] --source-port=N [--fixed-source-port=1] --count=N --timeout-ms=N [--size=N]\n";

static void usage(const char *why) {
  fprintf(stderr, "asymlab-agent: %s\n%s", why, USAGE);
  exit(2);
}

/* ---- options: every value is one --key=value argument, each key once (--port of the server may repeat) */

struct opts {
  const char *protocol, *flow, *address, *source;
  long port, source_port, fixed, count, timeout_ms, size;
  long ports[MAX_PORTS];
  int nports;
};

static long integer(const char *key, const char *v, long min, long max) {
  char *end;
  if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 15) goto bad;
  long n = strtol(v, &end, 10);
  if (n < min || n > max) goto bad;
  return n;
bad:;
  char msg[256];
  snprintf(msg, sizeof msg, "--%s=%s: expected an integer from %ld to %ld", key, v, min, max);
  usage(msg);
  return 0;
}

static void parse(int argc, char **argv, struct opts *o, int server) {
  const char *client_keys[] = {"protocol", "flow", "address", "port", "source", "source-port", "fixed-source-port", "count", "timeout-ms", "size", NULL};
  const char *server_keys[] = {"protocol", "port", NULL};
  const char **known = server ? server_keys : client_keys;
  char seen[16] = {0};
  memset(o, 0, sizeof *o);
  o->size = -1;
  o->fixed = 0;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *eq = strchr(a, '=');
    if (strncmp(a, "--", 2) != 0 || !eq || eq == a + 2) {
      char msg[300];
      snprintf(msg, sizeof msg, "unexpected argument \"%.200s\": every option is --name=value", a);
      usage(msg);
    }
    size_t klen = (size_t)(eq - a - 2);
    const char *v = eq + 1;
    int k = -1;
    for (int j = 0; known[j]; j++)
      if (strlen(known[j]) == klen && strncmp(a + 2, known[j], klen) == 0) k = j;
    if (k < 0) {
      char msg[300];
      snprintf(msg, sizeof msg, "unknown option %.*s", (int)(klen + 2), a);
      usage(msg);
    }
    const char *key = known[k];
    if (seen[k] && !(server && strcmp(key, "port") == 0)) {
      char msg[100];
      snprintf(msg, sizeof msg, "option --%s given twice", key);
      usage(msg);
    }
    seen[k] = 1;
    if (!strcmp(key, "protocol")) o->protocol = v;
    else if (!strcmp(key, "flow")) o->flow = v;
    else if (!strcmp(key, "address")) o->address = v;
    else if (!strcmp(key, "source")) o->source = v;
    else if (!strcmp(key, "port") && server) {
      if (o->nports == MAX_PORTS) usage("too many --port options");
      o->ports[o->nports++] = integer(key, v, 1, 65535);
    } else if (!strcmp(key, "port")) o->port = integer(key, v, 0, 65535);
    else if (!strcmp(key, "source-port")) o->source_port = integer(key, v, 0, 65535);
    else if (!strcmp(key, "fixed-source-port")) o->fixed = integer(key, v, 0, 1);
    else if (!strcmp(key, "count")) o->count = integer(key, v, 1, 1000000);
    else if (!strcmp(key, "timeout-ms")) o->timeout_ms = integer(key, v, 1, 86400000);
    else if (!strcmp(key, "size")) o->size = integer(key, v, 1, 65000);
  }
  const char *required[] = {"protocol", "flow", "address", "port", "source-port", "count", "timeout-ms", NULL};
  if (server) {
    if (!o->protocol) usage("option --protocol is required");
    if (!o->nports) usage("option --port is required");
    return;
  }
  for (int j = 0; required[j]; j++) {
    int found = 0;
    for (int k = 0; known[k]; k++)
      if (!strcmp(known[k], required[j]) && seen[k]) found = 1;
    if (!found) {
      char msg[100];
      snprintf(msg, sizeof msg, "option --%s is required", required[j]);
      usage(msg);
    }
  }
}

/* ---- time, JSON, errno names */

static double mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double epoch_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (double)t.tv_sec + (double)(t.tv_nsec / 1000000) / 1e3; /* Date.now() / 1000: milliseconds */
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p == '\n') fputs("\\n", f);
    else if (*p == '\r') fputs("\\r", f);
    else if (*p == '\t') fputs("\\t", f);
    else if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\u%04x", *p);
    else fputc(*p, f);
  }
  fputc('"', f);
}

/* Node's error codes are libuv's, which are the errno names. */
static const char *errno_name(int e) {
  switch (e) {
  case ECONNREFUSED: return "ECONNREFUSED";
  case ECONNRESET: return "ECONNRESET";
  case EHOSTUNREACH: return "EHOSTUNREACH";
  case ENETUNREACH: return "ENETUNREACH";
  case ETIMEDOUT: return "ETIMEDOUT";
  case EMSGSIZE: return "EMSGSIZE";
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case EADDRINUSE: return "EADDRINUSE";
  case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
  case EPIPE: return "EPIPE";
  case EINVAL: return "EINVAL";
  case ENETDOWN: return "ENETDOWN";
  case EHOSTDOWN: return "EHOSTDOWN";
  case ECONNABORTED: return "ECONNABORTED";
  case EPROTO: return "EPROTO";
  case ENOBUFS: return "ENOBUFS";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  default: return "ERROR";
  }
}

struct record {
  int attempt;
  char src[INET6_ADDRSTRLEN];
  long src_port, dst_port;
  const char *dst, *outcome, *error;
  int echoed;
  int digests;
  uint32_t digest[2];
  long size;
  double started_at, connect_ms, total_ms;
  int has_connect;
};

static void print_record(const char *flow, const struct record *r) {
  printf("{\"flow\":");
  json_string(stdout, flow);
  printf(",\"attempt\":%d,\"srcAddress\":", r->attempt);
  json_string(stdout, r->src);
  printf(",\"srcPort\":%ld,\"dstAddress\":", r->src_port);
  json_string(stdout, r->dst);
  printf(",\"dstPort\":%ld,\"outcome\":\"%s\"", r->dst_port, r->outcome);
  if (r->error) printf(",\"errorCode\":\"%s\"", r->error);
  printf(",\"echoed\":%s", r->echoed ? "true" : "false");
  if (r->digests) printf(",\"payloadDigests\":[%u,%u]", r->digest[0], r->digest[1]);
  if (r->size >= 0) printf(",\"size\":%ld", r->size);
  printf(",\"startedAt\":%.3f", r->started_at);
  if (r->has_connect) printf(",\"connectMs\":%.3f", r->connect_ms);
  printf(",\"totalMs\":%.3f}\n", r->total_ms);
  fflush(stdout);
}

/* ---- addresses */

static int is_v6(const char *a) { return strchr(a, ':') != NULL; }

static socklen_t sockaddr_of(const char *addr, long port, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (is_v6(addr)) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1) return 0;
    return sizeof *s6;
  }
  struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
  s4->sin_family = AF_INET;
  s4->sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1) return 0;
  return sizeof *s4;
}

/* The socket's local address as Node prints it (IPv4-mapped IPv6 as ::ffff:a.b.c.d). */
static void local_address(int fd, char *out) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  out[0] = 0;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return;
  if (ss.ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, INET6_ADDRSTRLEN);
  else if (ss.ss_family == AF_INET6) inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, INET6_ADDRSTRLEN);
}

static uint32_t digest(const unsigned char *p, size_t n) {
  uint32_t h = 0x811c9dc5u;
  if (n > DIGEST_BYTES) n = DIGEST_BYTES;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x01000193u;
  return h;
}

/* ---- TCP: one line (padded to size), echoed back; the FIN exchange follows a success */

static size_t line_payload(char *out, size_t cap, const char *flow, int i, long size) {
  char line[1024];
  snprintf(line, sizeof line, "asymlab %s %d", flow, i);
  if (size < 0) return (size_t)snprintf(out, cap, "%s\n", line);
  size_t n = 0, want = (size_t)size - 1;
  for (const unsigned char *p = (const unsigned char *)line; *p && n < want; p++) out[n++] = (*p >= 0x20 && *p <= 0x7e) ? (char)*p : '?';
  while (n < want) out[n++] = '.';
  out[n++] = '\n';
  return n;
}

static const char *tcp_outcome(int e) {
  if (e == ECONNREFUSED || e == ECONNRESET) return "refused";
  if (e == EHOSTUNREACH || e == ENETUNREACH) return "unreachable";
  return "error";
}

/* The attempt failed with an error (the socket is gone for Node): no local address but the source asked for. */
#define TCP_FAIL(e)                  \
  do {                               \
    r->outcome = tcp_outcome(e);     \
    r->error = errno_name(e);        \
    errored = 1;                     \
    goto done;                       \
  } while (0)

static void tcp_attempt(const struct opts *o, int i, struct record *r) {
  static char payload[65536], echoed[65536];
  size_t plen = line_payload(payload, sizeof payload, o->flow, i, o->size);
  double t0 = mono_ms();
  int errored = 0;
  r->started_at = epoch_s();
  r->src_port = o->source_port + i;
  int v6 = is_v6(o->address);
  struct sockaddr_storage local, remote;
  socklen_t llen = sockaddr_of(o->source ? o->source : (v6 ? "::" : "0.0.0.0"), r->src_port, &local);
  socklen_t rlen = sockaddr_of(o->address, o->port, &remote);
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on); /* as libuv binds */
  r->outcome = "error";
  if (!llen || !rlen) TCP_FAIL(EINVAL);
  if (bind(fd, (struct sockaddr *)&local, llen) != 0) {
    r->outcome = "error";
    r->error = errno_name(errno);
    errored = 1;
    goto done;
  }
  if (connect(fd, (struct sockaddr *)&remote, rlen) != 0 && errno != EINPROGRESS) TCP_FAIL(errno);
  size_t got = 0, sent = 0;
  int connected = 0;
  for (;;) {
    double left = o->timeout_ms - (mono_ms() - t0);
    if (left <= 0) { r->outcome = "timeout"; r->error = "ETIMEDOUT"; goto done; }
    struct pollfd p = {fd, (short)(connected ? POLLIN | (sent < plen ? POLLOUT : 0) : POLLOUT), 0};
    int n = poll(&p, 1, (int)(left + 0.999));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    if (!connected) {
      int err = 0;
      socklen_t el = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
      if (err) TCP_FAIL(err);
      connected = 1;
      r->connect_ms = mono_ms() - t0;
      r->has_connect = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      continue;
    }
    if ((p.revents & POLLOUT) && sent < plen) {
      ssize_t w = send(fd, payload + sent, plen - sent, MSG_NOSIGNAL);
      if (w < 0 && errno != EAGAIN) TCP_FAIL(errno);
      if (w > 0) sent += (size_t)w;
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t k = recv(fd, echoed + got, sizeof echoed - got, 0);
      if (k < 0 && errno == EAGAIN) continue;
      if (k < 0) TCP_FAIL(errno);
      if (k == 0) { /* closed before the echo: as the Node agent says it */
        r->outcome = "timeout";
        r->error = "ECLOSED";
        errored = 1;
        goto done;
      }
      got += (size_t)k;
      if (got >= plen) {
        r->echoed = got == plen && memcmp(echoed, payload, plen) == 0;
        r->outcome = r->echoed ? "connected" : "error";
        if (!r->echoed) r->error = "EBADECHO";
        break;
      }
    }
  }
  local_address(fd, r->src);
  /* Close politely so the FIN exchange is captured too: our FIN, then the peer's or 50 ms. */
  shutdown(fd, SHUT_WR);
  double until = mono_ms() + 50;
  for (;;) {
    double left = until - mono_ms();
    if (left <= 0) break;
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, (int)(left + 0.999)) <= 0) break;
    char sink[512];
    if (recv(fd, sink, sizeof sink, 0) <= 0) break;
  }
done:
  /* Node reports the socket's local address while it is open (connected, timed out), none once an
     error closed it: then only the source the flow asked for. */
  if (errored) snprintf(r->src, sizeof r->src, "%s", o->source ? o->source : "");
  else if (!r->src[0]) local_address(fd, r->src);
  close(fd);
  r->total_ms = mono_ms() - t0;
}

/* ---- UDP: one datagram per attempt on a connected socket, the reply is the request with Q -> R */

static const char *udp_outcome(int e) {
  return (e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH || e == EMSGSIZE || e == EACCES || e == EPERM) ? "unreachable" : "error";
}

static size_t request_payload(unsigned char *out, const char *flow, int i, long size) {
  unsigned char rnd[6];
  if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
    for (int k = 0; k < 6; k++) rnd[k] = (unsigned char)rand();
  char text[1200];
  int n = snprintf(text, sizeof text, "Q%02x%02x%02x%02x%02x%02x asymlab %s %d\n", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], flow, i);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof text) n = sizeof text - 1;
  for (int k = 0; k < n; k++)
    if (!((text[k] >= 0x20 && text[k] <= 0x7e) || text[k] == '\n')) text[k] = '?';
  if (size < 0) {
    memcpy(out, text, (size_t)n);
    return (size_t)n;
  }
  memset(out, '.', (size_t)size);
  memcpy(out, text, (size_t)n < (size_t)size ? (size_t)n : (size_t)size);
  return (size_t)size;
}

static void udp_attempt(const struct opts *o, int i, struct record *r) {
  static unsigned char request[65536], reply[65536], buf[65536];
  double t0 = mono_ms();
  r->started_at = epoch_s();
  r->src_port = o->fixed ? o->source_port : o->source_port + i;
  size_t len = request_payload(request, o->flow, i, o->size);
  memcpy(reply, request, len);
  if (reply[0] == 'Q') reply[0] = 'R';
  r->digests = 1;
  r->digest[0] = digest(request, len);
  r->digest[1] = digest(reply, len);
  int v6 = is_v6(o->address);
  struct sockaddr_storage local, remote;
  socklen_t llen = sockaddr_of(o->source ? o->source : (v6 ? "::" : "0.0.0.0"), r->src_port, &local);
  socklen_t rlen = sockaddr_of(o->address, o->port, &remote);
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  r->outcome = "error";
  if (!llen || !rlen) { r->error = "EINVAL"; goto done; }
  if (bind(fd, (struct sockaddr *)&local, llen) != 0) { r->outcome = udp_outcome(errno); r->error = errno_name(errno); goto done; }
  if (connect(fd, (struct sockaddr *)&remote, rlen) != 0) { r->outcome = udp_outcome(errno); r->error = errno_name(errno); goto done; }
  if (send(fd, request, len, 0) < 0) { r->outcome = udp_outcome(errno); r->error = errno_name(errno); goto done; }
  for (;;) {
    double left = o->timeout_ms - (mono_ms() - t0);
    if (left <= 0) { r->outcome = "timeout"; r->error = "ETIMEDOUT"; goto done; }
    struct pollfd p = {fd, POLLIN, 0};
    int n = poll(&p, 1, (int)(left + 0.999));
    if (n <= 0) continue;
    ssize_t k = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (k < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (k < 0) { r->outcome = udp_outcome(errno); r->error = errno_name(errno); goto done; }
    /* a late echo of an earlier attempt from the same fixed port is not this attempt's */
    if ((size_t)k != len || memcmp(buf, reply, len) != 0) continue;
    r->connect_ms = mono_ms() - t0;
    r->has_connect = 1;
    r->outcome = "connected";
    r->echoed = 1;
    break;
  }
done:
  local_address(fd, r->src);
  if (!strcmp(r->src, "0.0.0.0") || !strcmp(r->src, "::")) r->src[0] = 0;
  close(fd);
  r->total_ms = mono_ms() - t0;
}

/* ---- ICMP echo: the node's ping (iputils), one request per attempt, its output read as the Node agent reads it */

static int has(const char *text, const char *word) { return strcasestr(text, word) != NULL; }

static void icmp_attempt(const struct opts *o, int i, struct record *r) {
  double t0 = mono_ms();
  r->started_at = epoch_s();
  long id = (o->source_port + i) & 0xffff;
  r->src_port = r->dst_port = id;
  snprintf(r->src, sizeof r->src, "%s", o->source ? o->source : "");
  char wait[32], ident[16], size[16];
  snprintf(wait, sizeof wait, "%.3f", o->timeout_ms / 1000.0);
  snprintf(ident, sizeof ident, "%ld", id);
  snprintf(size, sizeof size, "%ld", o->size);
  const char *argv[24];
  int a = 0;
  argv[a++] = "ping";
  argv[a++] = is_v6(o->address) ? "-6" : "-4";
  argv[a++] = "-n"; argv[a++] = "-c"; argv[a++] = "1"; argv[a++] = "-W"; argv[a++] = wait;
  argv[a++] = "-e"; argv[a++] = ident; argv[a++] = "-M"; argv[a++] = "do";
  if (o->size >= 0) { argv[a++] = "-s"; argv[a++] = size; }
  if (o->source) { argv[a++] = "-I"; argv[a++] = o->source; }
  argv[a++] = "--"; argv[a++] = o->address; argv[a] = NULL;
  int pipefd[2];
  static char text[8192];
  size_t got = 0;
  int status = -1;
  if (pipe2(pipefd, O_CLOEXEC) != 0) { r->outcome = "error"; r->error = "ERROR"; goto done; }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    execvp("ping", (char *const *)argv);
    _exit(127);
  }
  close(pipefd[1]);
  for (;;) {
    double left = o->timeout_ms + 2000 - (mono_ms() - t0); /* ping keeps to -W; this guards against one that hangs */
    struct pollfd p = {pipefd[0], POLLIN, 0};
    if (left <= 0) { kill(pid, SIGKILL); break; }
    if (poll(&p, 1, (int)left) <= 0) continue;
    ssize_t k = read(pipefd[0], text + got, sizeof text - 1 - got);
    if (k <= 0) break;
    got += (size_t)k;
  }
  close(pipefd[0]);
  text[got] = 0;
  waitpid(pid, &status, 0);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 127 && !got) { r->outcome = "error"; r->error = "ENOPING"; goto done; }
  if (strstr(text, " bytes from ")) { r->outcome = "connected"; r->echoed = 1; }
  else if (has(text, "Time to live exceeded") || has(text, "Hop limit")) { r->outcome = "ttl-exceeded"; r->error = "ETIMEEXCEEDED"; }
  else if (has(text, "Frag needed") || has(text, "message too long") || has(text, "Packet too big")) { r->outcome = "unreachable"; r->error = "EMSGSIZE"; }
  else if (has(text, "Port Unreachable")) { r->outcome = "unreachable"; r->error = "ECONNREFUSED"; }
  else if (has(text, "Net Unreachable") || has(text, "No route")) { r->outcome = "unreachable"; r->error = "ENETUNREACH"; }
  else if (has(text, "Unreachable") || has(text, "Prohibited") || has(text, "Packet filtered") || has(text, "Destination")) { r->outcome = "unreachable"; r->error = "EHOSTUNREACH"; }
  else if (code == 1 || code == -1) { r->outcome = "timeout"; r->error = "ETIMEDOUT"; }
  else {
    static char err[32];
    snprintf(err, sizeof err, "EPING%d", code);
    r->outcome = "error";
    r->error = err;
  }
  const char *t = strstr(text, "time=");
  if (t) {
    char *end;
    double ms = strtod(t + 5, &end);
    if (end != t + 5 && !strncmp(end, " ms", 3)) { r->connect_ms = ms; r->has_connect = 1; }
  }
done:
  r->total_ms = mono_ms() - t0;
}

/* ---- servers */

static void on_term(int sig) { (void)sig; _exit(0); }

static void fail_port(const char *what, long port) {
  printf("{\"error\":\"%s: %s\",\"port\":%ld}\n", what, strerror(errno), port);
  fflush(stdout);
  exit(1);
}

/* TCP: one dual-stack listener per port; every connection's bytes come back, its end ends ours. */
static void serve_tcp(const struct opts *o) {
  struct pollfd fds[1024];
  int nfds = 0, on = 1, off = 0;
  for (int i = 0; i < o->nports; i++) {
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)o->ports[i]), .sin6_addr = in6addr_any};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 511) != 0) fail_port("listen", o->ports[i]);
    fds[nfds++] = (struct pollfd){fd, POLLIN, 0};
  }
  int listeners = nfds;
  printf("{\"ready\":[");
  for (int i = 0; i < o->nports; i++) printf("%s%ld", i ? "," : "", o->ports[i]);
  printf("]}\n");
  fflush(stdout);
  for (;;) {
    if (poll(fds, (nfds_t)nfds, -1) < 0) continue;
    for (int i = 0; i < nfds; i++) {
      if (!fds[i].revents) continue;
      if (i < listeners) {
        int c = accept4(fds[i].fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c >= 0 && nfds < (int)(sizeof fds / sizeof fds[0])) fds[nfds++] = (struct pollfd){c, POLLIN, 0};
        else if (c >= 0) close(c);
        continue;
      }
      char buf[65536];
      ssize_t k = recv(fds[i].fd, buf, sizeof buf, 0);
      if (k < 0 && errno == EAGAIN) continue;
      if (k > 0) {
        /* small echoes: a blocking write of what came is enough for a lab's flows */
        int fl = fcntl(fds[i].fd, F_GETFL);
        fcntl(fds[i].fd, F_SETFL, fl & ~O_NONBLOCK);
        send(fds[i].fd, buf, (size_t)k, MSG_NOSIGNAL);
        fcntl(fds[i].fd, F_SETFL, fl);
        continue;
      }
      if (k == 0) shutdown(fds[i].fd, SHUT_WR);
      close(fds[i].fd);
      fds[i] = fds[--nfds];
      i--;
    }
  }
}

/* UDP: one socket per port and local address (link-local aside), so a reply leaves from the address the request went to. */
static void serve_udp(const struct opts *o) {
  struct pollfd fds[1024];
  int nfds = 0, on = 1;
  struct ifaddrs *ifs, *e;
  if (getifaddrs(&ifs) != 0) fail_port("getifaddrs", o->ports[0]);
  for (int i = 0; i < o->nports; i++) {
    for (e = ifs; e; e = e->ifa_next) {
      /* the interfaces Node's os.networkInterfaces() lists: up and running, with an IP address */
      if (!e->ifa_addr || !(e->ifa_flags & IFF_UP) || !(e->ifa_flags & IFF_RUNNING)) continue;
      int fam = e->ifa_addr->sa_family;
      if (fam != AF_INET && fam != AF_INET6) continue;
      struct sockaddr_storage a;
      socklen_t len;
      memset(&a, 0, sizeof a);
      if (fam == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a;
        *s6 = *(struct sockaddr_in6 *)e->ifa_addr;
        if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr)) continue;
        s6->sin6_port = htons((uint16_t)o->ports[i]);
        s6->sin6_scope_id = 0;
        len = sizeof *s6;
      } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&a;
        *s4 = *(struct sockaddr_in *)e->ifa_addr;
        s4->sin_port = htons((uint16_t)o->ports[i]);
        len = sizeof *s4;
      }
      int fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fam == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
      if (bind(fd, (struct sockaddr *)&a, len) != 0) fail_port("bind", o->ports[i]);
      if (nfds < (int)(sizeof fds / sizeof fds[0])) fds[nfds++] = (struct pollfd){fd, POLLIN, 0};
    }
  }
  freeifaddrs(ifs);
  printf("{\"ready\":[");
  for (int i = 0; i < o->nports; i++) printf("%s%ld", i ? "," : "", o->ports[i]);
  printf("]}\n");
  fflush(stdout);
  static unsigned char buf[65536];
  for (;;) {
    if (poll(fds, (nfds_t)nfds, -1) < 0) continue;
    for (int i = 0; i < nfds; i++) {
      if (!(fds[i].revents & POLLIN)) continue;
      struct sockaddr_storage from;
      socklen_t fl = sizeof from;
      ssize_t k = recvfrom(fds[i].fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
      if (k <= 0) continue;
      if (buf[0] == 'Q') buf[0] = 'R';
      sendto(fds[i].fd, buf, (size_t)k, 0, (struct sockaddr *)&from, fl);
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) usage("no mode given");
  int server = !strcmp(argv[1], "server");
  if (!server && strcmp(argv[1], "client") != 0) usage("unknown mode");
  struct opts o;
  parse(argc, argv, &o, server);
  int tcp = !strcmp(o.protocol, "tcp"), udp = !strcmp(o.protocol, "udp"), icmp = !strcmp(o.protocol, "icmp");
  if (!tcp && !udp && !icmp) usage("unknown protocol");
  signal(SIGPIPE, SIG_IGN);
  if (server) {
    signal(SIGTERM, on_term);
    if (tcp) serve_tcp(&o);
    if (udp) serve_udp(&o);
    printf("{\"ready\":[]}\n"); /* ICMP: the destination's kernel answers */
    fflush(stdout);
    for (;;) pause();
  }
  for (int i = 0; i < o.count; i++) {
    struct record r;
    memset(&r, 0, sizeof r);
    r.attempt = i;
    r.dst = o.address;
    r.dst_port = o.port;
    r.size = o.size;
    if (tcp) tcp_attempt(&o, i, &r);
    else if (udp) udp_attempt(&o, i, &r);
    else icmp_attempt(&o, i, &r);
    print_record(o.flow, &r);
  }
  return 0;
}
