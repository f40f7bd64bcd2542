/*
 * vk-cmd-pty: runs a program on a new pseudo-terminal and relays it.
 *
 *   vk-cmd-pty [--size COLSxROWS] [--control-fd N | --control-fifo PATH]
 *              [--no-stdin | --stdin-fifo PATH] [--argv0 NAME] -- PROGRAM [ARG...]
 *
 * The runner starts it as the leader of a new session (setsid). It opens a
 * pty, makes the slave its session's controlling terminal and runs PROGRAM
 * on it in the SAME process group, so the group the runner tracks holds the
 * program too (kill(-pgid), stats, group-end detection). Then it relays:
 *
 *   input  (stdin, or the FIFO of --stdin-fifo) -> the terminal
 *   the terminal's output (stdout and stderr of the program) -> stdout
 *   control lines (--control-fd N, or the FIFO of --control-fifo):
 *     "resize COLS ROWS"  TIOCSWINSZ on the terminal (the program gets SIGWINCH)
 *     "eof"               the terminal's EOF character (what ^D does)
 *
 * The end of stdin also sends the EOF character, once. A FIFO named by
 * --stdin-fifo or --control-fifo is created (mode 0600) when missing and
 * opened read-write, so writers may come and go (a runner restart) without
 * the helper ever seeing an end.
 *
 * SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN and SIGTTOU are caught
 * by no-op handlers: they reach the program (same group) and the helper
 * outlives them to relay its last output; SIGKILL ends everything. When
 * PROGRAM exits, the helper relays what is left (until the terminal reports
 * that every writer closed it, or it has been quiet for QUIET_MS) and exits
 * with the program's status: its exit code, or by the same signal.
 * Helper failures print "vk-cmd-pty: ..." on stderr and exit 125
 * (126/127 when PROGRAM cannot be executed/found, written to the terminal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define QUIET_MS 200
#define BUF_SIZE 16384

static int self_pipe[2] = {-1, -1};
static const int caught[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU};

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("vk-cmd-pty: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(125);
}

static void usage(void) {
  fputs("usage: vk-cmd-pty [--size COLSxROWS] [--control-fd N | --control-fifo PATH]\n"
        "                  [--no-stdin | --stdin-fifo PATH] [--argv0 NAME] -- PROGRAM [ARG...]\n",
        stderr);
  exit(2);
}

static void on_signal(int sig) { (void)sig; }

static void on_child(int sig) {
  int saved = errno;
  (void)sig;
  if (write(self_pipe[1], "c", 1) < 0) {
    /* the pipe is full: a wake-up is already pending */
  }
  errno = saved;
}

static void set_handler(int sig, void (*fn)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = sig == SIGCHLD ? SA_NOCLDSTOP | SA_RESTART : SA_RESTART;
  sigaction(sig, &sa, NULL);
}

static int open_fifo(const char *path) {
  if (mkfifo(path, 0600) < 0 && errno != EEXIST) die("mkfifo %s: %s", path, strerror(errno));
  struct stat st;
  int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) die("open %s: %s", path, strerror(errno));
  if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) die("%s is not a FIFO", path);
  return fd;
}

static void set_nonblock(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Writes everything; a reader that went away (EPIPE) is ignored: output is then dropped. */
static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd p = {fd, POLLOUT, 0};
        poll(&p, 1, -1);
        continue;
      }
      return;
    }
    buf += n;
    len -= (size_t)n;
  }
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Input waiting for the terminal to take it (the program may not be reading). */
static char pending[BUF_SIZE * 2];
static size_t pending_len = 0;

static void queue_input(const char *buf, size_t len) {
  if (len > sizeof pending - pending_len) len = sizeof pending - pending_len;
  memcpy(pending + pending_len, buf, len);
  pending_len += len;
}

static void queue_eof(int master) {
  struct termios t;
  char c = 4; /* ^D */
  if (tcgetattr(master, &t) == 0 && t.c_cc[VEOF] != _POSIX_VDISABLE) c = (char)t.c_cc[VEOF];
  queue_input(&c, 1);
}

static void resize(int master, unsigned cols, unsigned rows) {
  if (cols == 0 || rows == 0 || cols > 0xffff || rows > 0xffff) return;
  struct winsize ws;
  memset(&ws, 0, sizeof ws);
  ws.ws_col = (unsigned short)cols;
  ws.ws_row = (unsigned short)rows;
  ioctl(master, TIOCSWINSZ, &ws);
}

/* Control lines accumulate here until a newline. */
static char control_line[256];
static size_t control_len = 0;

static void control_input(int master, const char *buf, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (buf[i] != '\n') {
      if (control_len < sizeof control_line - 1) control_line[control_len++] = buf[i];
      continue;
    }
    control_line[control_len] = '\0';
    unsigned cols, rows;
    if (sscanf(control_line, "resize %u %u", &cols, &rows) == 2) resize(master, cols, rows);
    else if (strcmp(control_line, "eof") == 0) queue_eof(master);
    control_len = 0;
  }
}

int main(int argc, char **argv) {
  unsigned cols = 0, rows = 0;
  int control = -1, input = 0;
  const char *argv0 = NULL;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (i + 1 >= argc && strcmp(a, "--no-stdin") != 0) usage();
    if (strcmp(a, "--size") == 0) {
      if (sscanf(argv[++i], "%ux%u", &cols, &rows) != 2) usage();
    } else if (strcmp(a, "--control-fd") == 0) {
      control = atoi(argv[++i]);
      fcntl(control, F_SETFD, FD_CLOEXEC);
    } else if (strcmp(a, "--control-fifo") == 0) {
      control = open_fifo(argv[++i]);
    } else if (strcmp(a, "--stdin-fifo") == 0) {
      input = open_fifo(argv[++i]);
    } else if (strcmp(a, "--no-stdin") == 0) {
      input = -1;
    } else if (strcmp(a, "--argv0") == 0) {
      argv0 = argv[++i];
    } else {
      usage();
    }
  }
  if (i >= argc) usage();
  char **program = argv + i;

  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) die("posix_openpt: %s", strerror(errno));
  if (grantpt(master) < 0 || unlockpt(master) < 0) die("grantpt/unlockpt: %s", strerror(errno));
  const char *slave_name = ptsname(master);
  if (!slave_name) die("ptsname: %s", strerror(errno));
  resize(master, cols, rows);

  if (getsid(0) != getpid() && setsid() < 0) die("setsid: %s (start it as a session leader)", strerror(errno));
  int slave = open(slave_name, O_RDWR | O_CLOEXEC);
  if (slave < 0) die("open %s: %s", slave_name, strerror(errno));
  if (ioctl(slave, TIOCSCTTY, 0) < 0) die("TIOCSCTTY: %s", strerror(errno));

  if (pipe2(self_pipe, O_CLOEXEC | O_NONBLOCK) < 0) die("pipe: %s", strerror(errno));
  set_handler(SIGCHLD, on_child);
  for (size_t s = 0; s < sizeof caught / sizeof caught[0]; s++) set_handler(caught[s], on_signal);
  signal(SIGPIPE, SIG_IGN);

  pid_t pid = fork();
  if (pid < 0) die("fork: %s", strerror(errno));
  if (pid == 0) {
    for (size_t s = 0; s < sizeof caught / sizeof caught[0]; s++) signal(caught[s], SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) _exit(125);
    if (slave > 2) close(slave);
    if (control > 2) close(control);
    if (input > 2) close(input);
    char *name = program[0];
    if (argv0) program[0] = (char *)argv0;
    execvp(name, program);
    int err = errno;
    fprintf(stderr, "vk-cmd-pty: exec %s: %s\r\n", name, strerror(err));
    _exit(err == ENOENT ? 127 : 126);
  }
  /* Only the program holds the slave: its last close shows as EIO on the master after the last output. */
  close(slave);
  set_nonblock(master);
  if (input >= 0) set_nonblock(input);

  int status = 0, child_done = 0, master_done = 0, input_done = input < 0;
  long quiet_since = 0;
  char buf[BUF_SIZE];
  while (!(child_done && master_done)) {
    struct pollfd fds[4];
    int n = 0, i_master = -1, i_input = -1, i_control = -1, i_self = -1;
    if (!master_done) {
      i_master = n;
      fds[n++] = (struct pollfd){master, (short)(POLLIN | (pending_len > 0 ? POLLOUT : 0)), 0};
    }
    if (!input_done && pending_len < BUF_SIZE) {
      i_input = n;
      fds[n++] = (struct pollfd){input, POLLIN, 0};
    }
    if (control >= 0) {
      i_control = n;
      fds[n++] = (struct pollfd){control, POLLIN, 0};
    }
    i_self = n;
    fds[n++] = (struct pollfd){self_pipe[0], POLLIN, 0};
    int timeout = -1;
    if (child_done) {
      long left = quiet_since + QUIET_MS - now_ms();
      if (left <= 0) break;
      timeout = (int)left;
    }
    int ready = poll(fds, (nfds_t)n, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      die("poll: %s", strerror(errno));
    }
    if (i_master >= 0 && fds[i_master].revents) {
      if (fds[i_master].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t got = read(master, buf, sizeof buf);
        if (got > 0) {
          write_all(1, buf, (size_t)got);
          quiet_since = now_ms();
        } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
          master_done = 1; /* EIO: every writer closed the terminal */
        }
      }
      if (!master_done && (fds[i_master].revents & POLLOUT) && pending_len > 0) {
        ssize_t put = write(master, pending, pending_len);
        if (put > 0) {
          memmove(pending, pending + put, pending_len - (size_t)put);
          pending_len -= (size_t)put;
        }
      }
    }
    if (i_input >= 0 && fds[i_input].revents) {
      ssize_t got = read(input, buf, BUF_SIZE - pending_len);
      if (got > 0) {
        queue_input(buf, (size_t)got);
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        input_done = 1;
        queue_eof(master);
      }
    }
    if (i_control >= 0 && fds[i_control].revents) {
      ssize_t got = read(control, buf, sizeof buf);
      if (got > 0) control_input(master, buf, (size_t)got);
      else if (got == 0 || (errno != EAGAIN && errno != EINTR)) control = -1;
    }
    if (fds[i_self].revents) {
      while (read(self_pipe[0], buf, sizeof buf) > 0) {
      }
      if (!child_done && waitpid(pid, &status, WNOHANG) == pid) {
        child_done = 1;
        quiet_since = now_ms();
      }
    }
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    kill(getpid(), sig);
    return 128 + sig;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}
