/*
 * Entry point of proxy-init in the proxy image. linkerd-init runs as a non-root UID with
 * NET_ADMIN and NET_RAW added and allowPrivilegeEscalation: false (no_new_privs). For a non-root
 * process every execve recomputes the capability sets, so a shell script or node started by runc
 * would hold none, and under no_new_privs the iptables binaries' file capabilities cannot raise
 * them again. This binary carries those two as file capabilities (within the container's bounding
 * set, so it gains nothing a pod was not given), raises them to the ambient set, and execs node:
 * node and the iptables it runs keep them. Built with -DTARGET="<entry point>".
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef TARGET
#error "build with -DTARGET=\"/path/to/entry-point.js\""
#endif

static const int CAPS[] = {CAP_NET_ADMIN, CAP_NET_RAW};
#define NCAPS (sizeof CAPS / sizeof CAPS[0])

int main(int argc, char **argv) {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &header, data) != 0) {
    fprintf(stderr, "net-admin-launcher: capget: %s\n", strerror(errno));
    return 126;
  }
  /* Ambient capabilities must be permitted and inheritable; a cap we were not given is skipped,
   * and proxy-init reports iptables' own error. Both caps are below 32, so data[0] holds them. */
  for (size_t i = 0; i < NCAPS; i++) {
    if (data[0].permitted & (1u << CAPS[i])) data[0].inheritable |= 1u << CAPS[i];
  }
  if (syscall(SYS_capset, &header, data) != 0) {
    fprintf(stderr, "net-admin-launcher: capset: %s\n", strerror(errno));
    return 126;
  }
  for (size_t i = 0; i < NCAPS; i++) {
    if (!(data[0].permitted & (1u << CAPS[i]))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAPS[i], 0, 0) != 0) {
      fprintf(stderr, "net-admin-launcher: raising capability %d: %s\n", CAPS[i], strerror(errno));
      return 126;
    }
  }
  char **args = calloc((size_t)argc + 2, sizeof *args);
  if (args == NULL) return 126;
  args[0] = "node";
  args[1] = TARGET;
  for (int i = 1; i < argc; i++) args[i + 1] = argv[i];
  execv("/usr/bin/node", args);
  fprintf(stderr, "net-admin-launcher: exec /usr/bin/node: %s\n", strerror(errno));
  return 127;
}
