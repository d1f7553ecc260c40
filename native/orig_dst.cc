// Reads the pre-NAT destination of a REDIRECTed TCP connection (SO_ORIGINAL_DST /
// IP6T_SO_ORIGINAL_DST), which Node's net module does not expose.
#include <napi.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80
#endif
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST 80
#endif

// originalDst(fd: number, ipv6: boolean): [address: string, port: number]
// Throws an Error whose `code` is the errno name (ENOENT when the socket was not NATed).
static Napi::Value OriginalDst(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsBoolean()) {
    Napi::TypeError::New(env, "originalDst(fd: number, ipv6: boolean)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  bool ipv6 = info[1].As<Napi::Boolean>().Value();
  char text[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  int rc;
  if (ipv6) {
    struct sockaddr_in6 sa;
    socklen_t len = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    rc = getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &sa, &len);
    if (rc == 0) {
      inet_ntop(AF_INET6, &sa.sin6_addr, text, sizeof(text));
      port = ntohs(sa.sin6_port);
    }
  } else {
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    rc = getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &sa, &len);
    if (rc == 0) {
      inet_ntop(AF_INET, &sa.sin_addr, text, sizeof(text));
      port = ntohs(sa.sin_port);
    }
  }
  if (rc != 0) {
    int err = errno;
    Napi::Error e = Napi::Error::New(env, std::string("getsockopt(SO_ORIGINAL_DST) failed: ") + strerror(err));
    const char* code = err == ENOENT ? "ENOENT" : err == EBADF ? "EBADF" : err == ENOTSOCK ? "ENOTSOCK" : err == EINVAL ? "EINVAL" : "EUNKNOWN";
    e.Set("code", Napi::String::New(env, code));
    e.Set("errno", Napi::Number::New(env, err));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(uint32_t(0), Napi::String::New(env, text));
  out.Set(uint32_t(1), Napi::Number::New(env, port));
  return out;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("originalDst", Napi::Function::New(env, OriginalDst));
  return exports;
}

NODE_API_MODULE(orig_dst, Init)
