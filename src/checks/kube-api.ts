import type { KubeRequest } from '../kube/client.js';

/** The slice of `KubeClient` the checks use; unit tests pass a fake. */
export interface KubeApi {
  request<T>(req: KubeRequest): Promise<T>;
}

interface StatusLike {
  message?: unknown;
}

/**
 * The API server's own message (e.g. `configmaps "x" not found`), as upstream prints it; our
 * client appends the request path for other callers, which checks do not want.
 */
export function apiErrorText(err: unknown): string {
  if (err instanceof Error) {
    const body = (err as { body?: unknown }).body as StatusLike | undefined;
    if (body !== undefined && typeof body === 'object' && typeof body.message === 'string') return body.message;
    return err.message;
  }
  return String(err);
}

export function isNotFound(err: unknown): boolean {
  return err instanceof Error && (err as { status?: unknown }).status === 404;
}

/** GET that maps 404 to `undefined` and rethrows everything else with the server's message. */
export async function getOrUndefined<T>(kube: KubeApi, path: string, signal?: AbortSignal): Promise<T | undefined> {
  try {
    return await kube.request<T>({ path, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new Error(apiErrorText(err), { cause: err });
  }
}

/** GET that rethrows any error with the server's message. */
export async function getRaw<T>(kube: KubeApi, path: string, signal?: AbortSignal): Promise<T> {
  try {
    return await kube.request<T>({ path, ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new Error(apiErrorText(err), { cause: err });
  }
}
