// View types of the auth domain, safe for the browser (no server code).

/** GET/POST /api/session: when the caller's session ends. */
export interface SessionStatus {
  /** When the session ends if nothing more is done (ISO). */
  idleExpiresAt: string;
  /** When it ends whatever is done (ISO). */
  expiresAt: string;
  /** Until when a re-entered password counts as recent (ISO), null if none is. */
  reauthValidUntil: string | null;
  idleMinutes: number;
  /** Server time of the answer (epoch ms), so the browser can correct for its clock. */
  serverTime: number;
}
