// View types of dual control (approvals, break-glass): what the API and the socket send and the
// browser renders. No server code here, so client modules may import them.

export interface ApprovalView {
  id: string;
  kind: string;
  subjectId: string;
  summary: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  state: "pending" | "approved" | "rejected" | "expired";
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface BreakGlassView {
  id: string;
  actorEmail: string;
  reason: string;
  startedAt: string;
  expiresAt: string;
}
