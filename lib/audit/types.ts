// View types of the audit log: what the API returns and the browser renders. No server code
// here (chain.ts hashes with node:crypto, service.ts is server-only).

/** The content an entry's hash covers. */
export interface ChainedContent {
  at: string;
  actorId: string | null;
  actorEmail: string;
  actorRole: string;
  action: string;
  outcome: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
}

/** An audit entry as the API and the UI see it (JSON-safe: seq as text, time as ISO). */
export type AuditEntryView = ChainedContent & { seq: string; prevHash: string; hash: string };
