import { branded } from "@/lib/brand";

// Expected errors carry an HTTP status and a message fit for the person who caused them.
// Anything else is unexpected: logged with a request id and shown as a generic message.

export type ErrorCode =
  | "bad_request"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "stale_version"
  | "residency_violation"
  | "region_unavailable"
  /** The tenant's route differs between the console and the router; an admin resolves it first (lib/routes). */
  | "route_drift"
  | "federation_error"
  | "rate_limited"
  | "payload_too_large"
  | "unsupported_media_type"
  /** A1: the action needs the password re-entered in this session within the last few minutes. */
  | "reauth_required";

export class AppError extends Error {
  /** What the audit entry of this refusal should add (the state the caller acted on). */
  audit?: { before?: unknown; after?: Record<string, unknown> };
  /** Set once the refusal is audited: its entry's sequence and hash. */
  receipt?: { seq: bigint; hash: string };

  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 502 | 503,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

branded(AppError, "AppError");

export const badRequest = (message: string, details?: Record<string, unknown>) => new AppError(400, "bad_request", message, details);
export const forbidden = (message: string) => new AppError(403, "forbidden", message);
export const unauthenticated = () => new AppError(401, "unauthenticated", "Sign in first: this needs a signed-in user.");
export const notFound = (message: string) => new AppError(404, "not_found", message);
/** An expected error with what its audit entry should record beside the refusal. */
export function withAuditContext(err: AppError, audit: NonNullable<AppError["audit"]>): AppError {
  err.audit = audit;
  return err;
}

export const conflict = (code: ErrorCode, message: string, details?: Record<string, unknown>) => new AppError(409, code, message, details);

export interface ErrorBody {
  error: { code: ErrorCode | "internal"; message: string; details?: Record<string, unknown> };
  requestId: string;
}

export function toErrorBody(e: unknown, requestId: string): { status: number; body: ErrorBody } {
  if (e instanceof AppError) {
    return { status: e.status, body: { error: { code: e.code, message: e.message, details: e.details }, requestId } };
  }
  console.error(`[${requestId}] unexpected error`, e);
  return {
    status: 500,
    body: { error: { code: "internal", message: `Something went wrong on the server (request ${requestId}).` }, requestId },
  };
}
