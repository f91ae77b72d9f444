// Typed failures shared by every connector. `retryable` says whether trying again later may help
// (a refused or timed-out connection may; a wrong password or an unknown backend will not).
import { FederationError } from "@/lib/federation/types";
import { branded } from "@/lib/brand";

export type ConnectorSystem = "haproxy" | "mariadb" | "postgres" | "s3" | "vllm" | "gpu";
export type ConnectorErrorCode = "timeout" | "unreachable" | "refused" | "protocol" | "rejected" | "auth";

export class ConnectorError extends Error {
  constructor(
    readonly system: ConnectorSystem,
    /** host:port, socket path or URL the call went to */
    readonly target: string,
    readonly code: ConnectorErrorCode,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ConnectorError";
  }

  toFederationError(): FederationError {
    const code = this.code === "rejected" || this.code === "auth" ? "refused" : this.code;
    return new FederationError(`${this.system} ${this.target}: ${this.message}`, code, this.retryable);
  }
}
branded(ConnectorError, "ConnectorError");

/** Turns a socket / driver error into a ConnectorError with a message a person can read. */
export function toConnectorError(system: ConnectorSystem, target: string, e: unknown): ConnectorError {
  if (e instanceof ConnectorError) return e;
  const err = e as { code?: string; errno?: number; message?: string; name?: string };
  const code = err.code ?? "";
  const msg = err.message ?? String(e);
  if (err.name === "TimeoutError" || err.name === "AbortError" || code === "ETIMEDOUT" || code === "ESOCKETTIMEDOUT" || /timeout|timed out/i.test(msg)) {
    return new ConnectorError(system, target, "timeout", `timeout: ${msg}`, true);
  }
  if (code === "ECONNREFUSED") return new ConnectorError(system, target, "refused", `connect ECONNREFUSED ${target}`, true);
  if (code === "ENOENT") return new ConnectorError(system, target, "unreachable", `no such socket ${target}`, true);
  if (["EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "PROTOCOL_CONNECTION_LOST", "57P01", "57P03"].includes(code)) {
    return new ConnectorError(system, target, "unreachable", `${code}: ${msg}`, true);
  }
  if (code === "ER_ACCESS_DENIED_ERROR" || code === "28P01" || code === "28000" || code === "EACCES") {
    return new ConnectorError(system, target, "auth", msg, false);
  }
  if (/fetch failed/i.test(msg)) {
    const cause = (e as { cause?: unknown }).cause;
    if (cause) return toConnectorError(system, target, cause);
    return new ConnectorError(system, target, "unreachable", msg, true);
  }
  return new ConnectorError(system, target, "protocol", msg, false);
}

/**
 * Runs `fn` with a deadline. The AbortSignal lets `fn` cancel its I/O; whatever `fn` does, the
 * caller gets a typed timeout error at `ms`.
 */
export async function withDeadline<T>(system: ConnectorSystem, target: string, ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctrl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctrl.abort();
      reject(new ConnectorError(system, target, "timeout", `no answer within ${ms} ms`, true));
    }, ms);
  });
  try {
    return await Promise.race([fn(ctrl.signal), deadline]);
  } catch (e) {
    throw toConnectorError(system, target, e);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * True when a request failed because the connection it was sent on had been closed by the peer
 * ("other side closed", ECONNRESET, EPIPE): typically a keep-alive connection that sat idle in the
 * pool while the console was paused or busy, and that the server closed meanwhile. The request
 * never got an answer; a new connection may well get one.
 */
export function isClosedConnection(e: unknown): boolean {
  let x: unknown = e;
  for (let depth = 0; x && depth < 5; depth++) {
    const { code, message, cause } = x as { code?: string; message?: string; cause?: unknown };
    if (code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED" || code === "ECONNRESET" || code === "EPIPE") return true;
    if (/other side closed|socket hang up/i.test(message ?? "")) return true;
    x = cause;
  }
  return false;
}

/**
 * Runs an idempotent request (a GET, a probe) and, when it failed only because its pooled
 * connection had been closed by the peer, sends it once more on a new connection, as HTTP clients
 * do for idempotent requests (RFC 9110 §9.2.2). A server that is really gone refuses or times
 * out the second attempt, so a down component is still reported down; a console that merely
 * paused no longer blames what it watches.
 */
export async function retryClosedConnection<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (signal.aborted || !isClosedConnection(e)) throw e;
    return fn();
  }
}

/** fetch with a deadline and typed errors; non-2xx answers are `protocol` errors (5xx retryable). */
export async function fetchText(system: ConnectorSystem, url: string, ms: number, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const idempotent = ["GET", "HEAD", undefined].includes(init.method?.toUpperCase());
  return withDeadline(system, url, ms, async (signal) => {
    const once = async () => {
      const res = await fetch(url, { ...init, signal });
      const text = await res.text();
      if (!res.ok) throw new ConnectorError(system, url, "protocol", `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`, res.status >= 500);
      return { status: res.status, text };
    };
    return idempotent ? retryClosedConnection(signal, once) : once();
  });
}
