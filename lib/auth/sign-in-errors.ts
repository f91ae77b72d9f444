// What the sign-in page says for the `?error=` next-auth puts in its redirect (and the form gets
// back from signIn()). Only known codes are turned into text: the query string is anyone's to
// write, so it is never shown as it is.

export type ThrottleScope = "account" | "address";

/** The error a throttled sign-in throws from authorize(): next-auth passes its message on as `error`. */
export function throttledCode(scope: ThrottleScope, retryAfterSec: number): string {
  return `Throttled:${scope}:${Math.max(1, Math.ceil(retryAfterSec))}`;
}

/** Where the console sends a browser whose session ended (lib/auth/service.ts says why). */
export const SESSION_ENDED_CODES = { idle_timeout: "SessionIdle", expired: "SessionExpired", revoked: "SessionEnded" } as const;

export function describeWait(sec: number): string {
  if (sec < 60) return `${sec} s`;
  const m = Math.floor(sec / 60);
  const s = sec % 60;
  return s ? `${m} min ${s} s` : `${m} min`;
}

export interface SignInErrorText {
  message: string;
  /** Seconds to wait before trying again (throttled). */
  retryAfterSec?: number;
}

export function describeSignInError(code: string | null | undefined): SignInErrorText | null {
  if (!code) return null;
  const throttled = /^Throttled:(account|address):(\d{1,6})$/.exec(code);
  if (throttled) {
    const sec = Math.min(Number(throttled[2]), 24 * 3600);
    const who = throttled[1] === "account" ? "for this account" : "from this address";
    return { message: `Too many sign-in attempts ${who}. Sign-in is paused: try again in ${describeWait(sec)}.`, retryAfterSec: sec };
  }
  switch (code) {
    case "CredentialsSignin":
      return { message: "Sign-in failed: check the email and password." };
    case SESSION_ENDED_CODES.idle_timeout:
      return { message: "You were signed out after a period without activity. Sign in again to continue." };
    case SESSION_ENDED_CODES.expired:
      return { message: "Your session reached its maximum length. Sign in again to continue." };
    case SESSION_ENDED_CODES.revoked:
      return { message: "Your session was ended (signed out elsewhere, or your access changed). Sign in again to continue." };
    default:
      return { message: "Sign-in failed. Try again." };
  }
}
