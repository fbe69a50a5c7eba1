/** Where a running service is, and the key to send. */
export interface RemoteTarget {
  url: string;
  apiKey: string | undefined;
  timeoutMs: number;
}

/** A failure to talk to the service (unreachable, refused, an error answer): one line for stderr, exit 1. */
export class RemoteError extends Error {}

/** The service's answer: its status, the JSON body (`undefined` when not JSON) and the raw text. */
export interface Reply {
  status: number;
  body: unknown;
  text: string;
}

/** A JSON object of the wire (snake_case fields, as the service sends them). */
export type Json = Record<string, unknown>;

/** Sends one request; 401/403 and network failures become a RemoteError, other statuses are returned. */
export async function call(
  target: RemoteTarget,
  method: 'GET' | 'POST',
  path: string,
  signal?: AbortSignal,
): Promise<Reply> {
  let response: Response;
  const url = new URL(path, target.url.endsWith('/') ? target.url : `${target.url}/`);
  const timeout = AbortSignal.timeout(target.timeoutMs);
  try {
    response = await fetch(url, {
      method,
      headers: target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {},
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = timeout.aborted
      ? `no answer within ${target.timeoutMs / 1000} s`
      : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new RemoteError(`cannot reach ${url.origin}: ${reason}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.status === 401 || response.status === 403) {
    throw new RemoteError(`${url.pathname}: ${messageOf(body) ?? 'unauthorized'} (use --api-key or API_KEY)`);
  }
  return { status: response.status, body, text };
}

function messageOf(body: unknown): string | undefined {
  const detail = (body as { detail?: { message?: unknown } } | undefined)?.detail;
  return typeof detail?.message === 'string' ? detail.message : undefined;
}

/** An answer the command cannot use, as one line: the route, the status and the service's message. */
export function failure(reply: Reply, path: string): RemoteError {
  return new RemoteError(
    `${path}: HTTP ${reply.status} ${messageOf(reply.body) ?? reply.text.slice(0, 200)}`,
  );
}

/** The body of a 2xx JSON answer; anything else is a RemoteError naming the route and the status. */
export function expectOk(reply: Reply, path: string): Json {
  if (reply.status >= 400 || typeof reply.body !== 'object' || reply.body === null)
    throw failure(reply, path);
  return reply.body as Json;
}

/** GET a JSON route and return its body (or throw a RemoteError). */
export async function getJson(target: RemoteTarget, route: string, signal?: AbortSignal): Promise<Json> {
  const path = route.split('?')[0] as string;
  return expectOk(await call(target, 'GET', route, signal), `/${path}`);
}

/** A field of the wire as an object (`{}` when absent or not an object). */
export const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});

/** A field of the wire as an array of objects (`[]` when absent). */
export const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);

/** A field of the wire as text ('–' when absent). */
export function str(v: unknown): string {
  if (v === undefined || v === null) return '–';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
