// linkerd2-proxy-api's registered HTTP methods: the proto's HttpMethod carries these as an enum and
// every other method as its name. Shared by ServiceProfile routes and the policy routes.
import { HttpMethod_Registered } from '../../proto/gen/http_types_pb.js';

const REGISTERED: Readonly<Record<string, HttpMethod_Registered>> = {
  GET: HttpMethod_Registered.GET,
  POST: HttpMethod_Registered.POST,
  PUT: HttpMethod_Registered.PUT,
  DELETE: HttpMethod_Registered.DELETE,
  PATCH: HttpMethod_Registered.PATCH,
  OPTIONS: HttpMethod_Registered.OPTIONS,
  CONNECT: HttpMethod_Registered.CONNECT,
  HEAD: HttpMethod_Registered.HEAD,
  TRACE: HttpMethod_Registered.TRACE,
};

/** The HttpMethod oneof for `lookup` (matched exactly), naming `name` when it is not registered. */
export function httpMethodType(lookup: string, name: string = lookup) {
  const registered = REGISTERED[lookup];
  return registered === undefined
    ? { case: 'unregistered' as const, value: name }
    : { case: 'registered' as const, value: registered };
}
