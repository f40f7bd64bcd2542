/*
 * vk-cmd-launcher: forks and execs process groups on the runner's behalf.
 *
 * The runner is a Node.js process with a large heap: each fork() it does
 * copies its page tables, takes copy-on-write faults afterwards and blocks
 * its event loop until the child has exec'd. This small static program is
 * started once by the runner and forks instead (docs/decisions/0010-launcher.md).
 *
 * Started with no arguments: fd 0 /dev/null, fd 1 a socket the runner reads
 * (events), fd 2 the runner's stderr; any other fd it inherits is closed. Every message, both ways, is a frame:
 * a 4-byte little-endian length, then that many bytes of NUL-terminated
 * fields; the first field is the frame's type, each other field is one key
 * letter followed by its value. Unknown keys are ignored (room to grow).
 *
 * Events (fd 1, launcher -> runner):
 *   "ready"  p<launcher pid> w<fd> r<fd>   once: the request pipe's write end
 *            and the reply pipe's read end, to be opened by the runner as
 *            /proc/<launcher pid>/fd/<fd> (blocking pipes the runner can use
 *            synchronously; Node cannot make pipes itself)
 *   "exit"   p<pid> c<code> | s<signal>    a group leader started here ended
 *   "ok", "err"                            replies (below), here after a
 *            "hello" with the e field
 * Requests (request pipe, runner -> launcher), handled in order:
 *   "hello" [e]                            the runner holds its ends: the
 *            launcher drops its copies, so that the runner's death is an end
 *            of file here and the launcher's death one there; with e, every
 *            reply is sent on fd 1 among the events instead of the reply pipe,
 *            so the runner need not block reading it
 *   "start"  i<id> a<argv>... e<NAME=value>... c<cwd> s(setsid)
 *            f<child fd>,<open flags>,<path>...   the child's fds: each path
 *            is opened with those flags (the runner sends /dev/null and
 *            /proc/<runner pid>/fd/<n> of files it opened through its
 *            verified directory handles, so nothing is resolved by name
 *            outside the pod's directory); every other fd is closed
 * Replies (reply pipe, or fd 1 after "hello" e; launcher -> runner), one per
 * start, in the order of the requests:
 *   "ok"     i<id> p<pid> g<pgrp> t<leader start ticks>
 *   "err"    i<id> x<step> n<errno> [d<child fd>]   step: request, open,
 *            fork, setsid, dup, chdir, exec, stat
 *
 * A leader's exit event always follows its "ok" reply. Children whose exec
 * failed are reaped here and get no event. The launcher exits when the
 * request pipe ends (the runner stopped or died) and never signals the
 * groups it started: they outlive it and the runner (setsid, output to
 * files). VK_CMD_TEST_CRASH_POINTS="launcher.after-fork:N" (tests only)
 * makes it SIGKILL itself after the N-th fork, before the reply.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FRAME (16u << 20)
#define MAX_FDS 64

struct buf {
  char *data;
  size_t len, cap;
};

static struct buf in, out;
static int req_r = -1, req_w = -1, reply_r = -1, reply_w = -1;
/* Pids whose "ok" went out and whose exit is to be reported. */
static pid_t *leaders;
static size_t n_leaders, cap_leaders;
static long crash_after_fork = -1;
/* Set by a "hello" carrying the e field: replies go out on fd 1 with the events. */
static int replies_as_events;

static void fail(const char *what) {
  fprintf(stderr, "vk-cmd-launcher: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void reserve(struct buf *b, size_t more) {
  if (b->len + more <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more) cap *= 2;
  char *d = realloc(b->data, cap);
  if (!d) fail("realloc");
  b->data = d;
  b->cap = cap;
}

static void field(struct buf *b, char key, const char *value) {
  size_t n = strlen(value);
  reserve(b, n + 2);
  if (key) b->data[b->len++] = key;
  memcpy(b->data + b->len, value, n + 1);
  b->len += n + 1;
}

static void fieldl(struct buf *b, char key, long long v) {
  char s[32];
  snprintf(s, sizeof s, "%lld", v);
  field(b, key, s);
}

/* Starts a frame in b; end_frame() fills its length. */
static size_t begin_frame(struct buf *b, const char *type) {
  reserve(b, 4);
  size_t at = b->len;
  b->len += 4;
  field(b, 0, type);
  return at;
}

static void end_frame(struct buf *b, size_t at) {
  uint32_t n = (uint32_t)(b->len - at - 4);
  unsigned char *p = (unsigned char *)b->data + at;
  p[0] = n & 0xff, p[1] = (n >> 8) & 0xff, p[2] = (n >> 16) & 0xff, p[3] = n >> 24;
}

static void flush_events(void);

/*
 * Sends a reply: after a "hello" with the e field, as an event on fd 1 (the
 * runner reads it asynchronously; it precedes that leader's exit event, which
 * is queued after it); else written to the (blocking) reply pipe. A runner
 * that is gone ends the launcher.
 */
static void send_reply(struct buf *b) {
  if (replies_as_events) {
    reserve(&out, b->len);
    memcpy(out.data + out.len, b->data, b->len);
    out.len += b->len;
    b->len = 0;
    flush_events();
    return;
  }
  size_t off = 0;
  while (off < b->len) {
    ssize_t w = write(reply_w, b->data + off, b->len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) exit(0);
    off += (size_t)w;
  }
  b->len = 0;
}

/* Sends queued events on fd 1 (non-blocking) as far as it takes them. */
static void flush_events(void) {
  size_t off = 0;
  while (off < out.len) {
    ssize_t w = write(1, out.data + off, out.len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (w <= 0) exit(0);
    off += (size_t)w;
  }
  memmove(out.data, out.data + off, out.len - off);
  out.len -= off;
}

static void crash_point(long *left) {
  if (*left < 0) return;
  if (--*left == 0) raise(SIGKILL);
}

static void parse_crash_points(void) {
  const char *v = getenv("VK_CMD_TEST_CRASH_POINTS");
  const char *name = "launcher.after-fork";
  const char *p = v ? strstr(v, name) : NULL;
  if (!p) return;
  p += strlen(name);
  crash_after_fork = *p == ':' ? strtol(p + 1, NULL, 10) : 1;
}

/* pgrp (field 5) and starttime (field 22) of /proc/<pid>/stat; fields are counted after the last ')'. */
static int read_stat(pid_t pid, long long *pgrp, long long *ticks) {
  char path[64], s[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, s, sizeof s - 1);
  close(fd);
  if (n <= 0) return -1;
  s[n] = 0;
  char *p = strrchr(s, ')');
  if (!p) return -1;
  p++;
  for (int f = 3; f <= 22; f++) {
    char *end;
    while (*p == ' ') p++;
    if (f == 3) {
      p++;
      continue;
    }
    long long v = strtoll(p, &end, 10);
    if (end == p) return -1;
    if (f == 5) *pgrp = v;
    if (f == 22) *ticks = v;
    p = end;
  }
  return 0;
}

struct start {
  char **argv, **envp;
  size_t argc, envc;
  const char *cwd;
  int setsid;
  int target[MAX_FDS], flags[MAX_FDS], src[MAX_FDS];
  const char *path[MAX_FDS];
  int nfds;
  const char *id;
};

static void reply_err(const char *id, const char *step, int err, int child_fd) {
  struct buf b = {0};
  size_t at = begin_frame(&b, "err");
  field(&b, 'i', id);
  field(&b, 'x', step);
  fieldl(&b, 'n', err);
  if (child_fd >= 0) fieldl(&b, 'd', child_fd);
  end_frame(&b, at);
  send_reply(&b);
  free(b.data);
}

/* The child: never returns. Reports (step, errno) on errpipe when it cannot exec. */
static void child(struct start *s, int errpipe, int max_target) {
  int report[2];
  sigset_t none;
  sigemptyset(&none);
  signal(SIGPIPE, SIG_DFL);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (s->setsid && setsid() < 0) {
    report[0] = 0;
    goto failed;
  }
  for (int t = 0; t <= max_target; t++) {
    int j;
    for (j = 0; j < s->nfds && s->target[j] != t; j++) {
    }
    if (j == s->nfds) {
      close(t);
    } else if (dup2(s->src[j], t) < 0) {
      report[0] = 1;
      goto failed;
    }
  }
  if (s->cwd && chdir(s->cwd) < 0) {
    report[0] = 2;
    goto failed;
  }
  execve(s->argv[0], s->argv, s->envp);
  report[0] = 3;
failed:
  report[1] = errno;
  (void)!write(errpipe, report, sizeof report);
  _exit(127);
}

static void start(char *body, size_t len) {
  struct start s = {0};
  s.id = "";
  size_t cap = 0;
  for (char *p = body + strlen(body) + 1; p < body + len; p += strlen(p) + 1) {
    char key = *p;
    char *v = p + 1;
    if (key == 'i') s.id = v;
    if (key == 'c') s.cwd = v;
    if (key == 's') s.setsid = 1;
    if (key == 'a' || key == 'e') cap++;
    if (key == 'f' && s.nfds < MAX_FDS) {
      char *end;
      s.target[s.nfds] = (int)strtol(v, &end, 10);
      if (*end != ',' || s.target[s.nfds] < 0 || s.target[s.nfds] >= MAX_FDS) continue;
      s.flags[s.nfds] = (int)strtol(end + 1, &end, 10);
      if (*end != ',') continue;
      s.path[s.nfds] = end + 1;
      s.src[s.nfds++] = -1;
    }
  }
  s.argv = calloc(cap + 1, sizeof *s.argv);
  s.envp = calloc(cap + 1, sizeof *s.envp);
  if (!s.argv || !s.envp) fail("calloc");
  for (char *p = body + strlen(body) + 1; p < body + len; p += strlen(p) + 1) {
    if (*p == 'a') s.argv[s.argc++] = p + 1;
    if (*p == 'e') s.envp[s.envc++] = p + 1;
  }
  int max_target = 2;
  for (int j = 0; j < s.nfds; j++)
    if (s.target[j] > max_target) max_target = s.target[j];
  int errpipe[2] = {-1, -1};
  if (s.argc == 0) {
    reply_err(s.id, "request", EINVAL, -1);
    goto done;
  }
  /* Every fd the child dups from sits above its highest target, so no dup2 clobbers another. */
  for (int j = 0; j < s.nfds; j++) {
    int fd = open(s.path[j], s.flags[j] | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
      reply_err(s.id, "open", errno, s.target[j]);
      goto done;
    }
    s.src[j] = fcntl(fd, F_DUPFD_CLOEXEC, max_target + 1);
    close(fd);
    if (s.src[j] < 0) {
      reply_err(s.id, "open", errno, s.target[j]);
      goto done;
    }
  }
  if (pipe2(errpipe, O_CLOEXEC) < 0) {
    reply_err(s.id, "fork", errno, -1);
    goto done;
  }
  for (int k = 0; k < 2; k++) {
    int fd = fcntl(errpipe[k], F_DUPFD_CLOEXEC, max_target + 1);
    if (fd < 0) {
      reply_err(s.id, "fork", errno, -1);
      goto done;
    }
    close(errpipe[k]);
    errpipe[k] = fd;
  }
  pid_t pid = fork();
  if (pid < 0) {
    reply_err(s.id, "fork", errno, -1);
    goto done;
  }
  if (pid == 0) child(&s, errpipe[1], max_target);
  close(errpipe[1]);
  errpipe[1] = -1;
  crash_point(&crash_after_fork);
  int report[2];
  ssize_t n;
  do n = read(errpipe[0], report, sizeof report);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t)sizeof report) {
    static const char *steps[] = {"setsid", "dup", "chdir", "exec"};
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    reply_err(s.id, steps[report[0] & 3], report[1], -1);
    goto done;
  }
  /* Exec'd. Not reaped before this reply: its stat is still there even if it already ended. */
  long long pgrp = 0, ticks = 0;
  if (read_stat(pid, &pgrp, &ticks) < 0) pgrp = 0;
  if (n_leaders == cap_leaders) {
    cap_leaders = cap_leaders ? cap_leaders * 2 : 64;
    leaders = realloc(leaders, cap_leaders * sizeof *leaders);
    if (!leaders) fail("realloc");
  }
  leaders[n_leaders++] = pid;
  struct buf b = {0};
  size_t at = begin_frame(&b, "ok");
  field(&b, 'i', s.id);
  fieldl(&b, 'p', pid);
  fieldl(&b, 'g', pgrp);
  fieldl(&b, 't', ticks);
  end_frame(&b, at);
  send_reply(&b);
  free(b.data);
done:
  for (int k = 0; k < 2; k++)
    if (errpipe[k] >= 0) close(errpipe[k]);
  for (int j = 0; j < s.nfds; j++)
    if (s.src[j] >= 0) close(s.src[j]);
  free(s.argv);
  free(s.envp);
}

/* Reaps every ended child; leaders get an exit event. */
static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    size_t k;
    for (k = 0; k < n_leaders && leaders[k] != pid; k++) {
    }
    if (k == n_leaders) continue;
    leaders[k] = leaders[--n_leaders];
    size_t at = begin_frame(&out, "exit");
    fieldl(&out, 'p', pid);
    if (WIFSIGNALED(status)) fieldl(&out, 's', WTERMSIG(status));
    else fieldl(&out, 'c', WEXITSTATUS(status));
    end_frame(&out, at);
  }
}

/* Handles every whole frame in `in`. */
static void handle_requests(void) {
  size_t off = 0;
  while (in.len - off >= 4) {
    const unsigned char *p = (const unsigned char *)in.data + off;
    uint32_t n = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
    if (n > MAX_FRAME || n == 0) {
      fprintf(stderr, "vk-cmd-launcher: bad frame length %u\n", n);
      exit(1);
    }
    if (in.len - off - 4 < n) break;
    char *body = in.data + off + 4;
    if (body[n - 1] != 0) {
      fprintf(stderr, "vk-cmd-launcher: frame not NUL-terminated\n");
      exit(1);
    }
    if (strcmp(body, "hello") == 0) {
      for (size_t k = strlen(body) + 1; k < n; k += strlen(body + k) + 1)
        if (body[k] == 'e') replies_as_events = 1;
      if (req_w >= 0) close(req_w);
      if (reply_r >= 0) close(reply_r);
      req_w = reply_r = -1;
    } else if (strcmp(body, "start") == 0) {
      start(body, n);
    }
    off += 4 + n;
  }
  memmove(in.data, in.data + off, in.len - off);
  in.len -= off;
}

/* Closes every fd above 2 this process inherited, so that no child can inherit one. */
static void close_inherited(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return;
  int keep = dirfd(d), fds[256], n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256) {
    int fd = atoi(e->d_name);
    if (fd > 2 && fd != keep) fds[n++] = fd;
  }
  closedir(d);
  for (int k = 0; k < n; k++) close(fds[k]);
}

int main(void) {
  int req[2], reply[2];
  close_inherited();
  parse_crash_points();
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0) fail("sigprocmask");
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) fail("signalfd");
  if (pipe2(req, O_CLOEXEC) < 0 || pipe2(reply, O_CLOEXEC) < 0) fail("pipe");
  req_r = req[0], req_w = req[1], reply_r = reply[0], reply_w = reply[1];
  if (fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK) < 0) fail("fcntl");
  size_t at = begin_frame(&out, "ready");
  fieldl(&out, 'p', getpid());
  fieldl(&out, 'w', req_w);
  fieldl(&out, 'r', reply_r);
  end_frame(&out, at);
  for (;;) {
    struct pollfd fds[3] = {
        {.fd = req_r, .events = POLLIN},
        {.fd = sfd, .events = POLLIN},
        {.fd = 1, .events = out.len ? POLLOUT : 0},
    };
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll");
    }
    if (fds[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {
      }
      reap();
    }
    if (fds[0].revents) {
      reserve(&in, 65536);
      ssize_t n = read(req_r, in.data + in.len, in.cap - in.len);
      if (n == 0) exit(0); /* the runner is gone; its groups live on */
      if (n < 0 && errno != EINTR && errno != EAGAIN) fail("read");
      if (n > 0) {
        in.len += (size_t)n;
        handle_requests();
      }
    }
    if (out.len) flush_events();
    if (fds[2].revents & (POLLERR | POLLHUP)) exit(0);
  }
}
