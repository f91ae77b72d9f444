"use client";
import { useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Siren } from "lucide-react";
import { ApiError, fetchJson } from "@/lib/http/fetch-json";
import { runOperation } from "@/lib/ops/actions";
import type { BreakGlassView } from "@/lib/approvals/types";
import { queryKeys } from "@/lib/query-keys";
import { can } from "@/lib/auth/permissions";
import { formatDuration } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { useActor } from "../providers";

const KEY = queryKeys.breakGlass.active;

/** Active windows; break-glass:changed (sent to everyone) replaces the list (LiveQueries). */
function useBreakGlass() {
  return useQuery({ queryKey: KEY, queryFn: () => fetchJson<BreakGlassView[]>("/api/break-glass"), refetchInterval: 30_000 });
}

/** T5: who acts without a second admin right now, why, and until when — for everyone. */
export function BreakGlassBanner() {
  const { data } = useBreakGlass();
  const now = useNow(1000);
  const active = (data ?? []).filter((b) => Date.parse(b.expiresAt) > now);
  if (active.length === 0) return null;
  return (
    <div className="banner warn" role="status" data-testid="break-glass-banner">
      <Siren size={16} aria-hidden />
      <div>
        {active.map((b) => (
          <div key={b.id}>
            <strong>Break-glass</strong> — {b.actorEmail} acts without a second admin for {formatDuration(Date.parse(b.expiresAt) - now)} more: {b.reason}
          </div>
        ))}
      </div>
    </div>
  );
}

/** Admins: start break-glass (a reason and an expiry are required) or end their own. */
export function BreakGlassButton() {
  const actor = useActor();
  const { data } = useBreakGlass();
  const qc = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [minutes, setMinutes] = useState(15);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (!can(actor.role, "break_glass")) return null;
  const mine = (data ?? []).find((b) => b.actorEmail === actor.email && Date.parse(b.expiresAt) > Date.now());

  async function start(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    // A1: break-glass needs the password re-entered in this session within the last 5 minutes.
    try {
      await fetchJson("/api/auth/reauth", { method: "POST", body: JSON.stringify({ password }) });
    } catch (err) {
      return setError(err instanceof ApiError ? err.message : "Your password could not be checked; try again.");
    } finally {
      setPassword("");
    }
    const res = await runOperation("break_glass.start", { reason, minutes });
    if (!res.ok) return setError(res.error.message);
    void qc.invalidateQueries({ queryKey: KEY });
    dialog.current?.close();
  }

  if (mine)
    return (
      <button
        type="button"
        className="btn danger"
        onClick={async () => {
          await runOperation("break_glass.end", {});
          void qc.invalidateQueries({ queryKey: KEY });
        }}
      >
        <Siren size={14} aria-hidden /> End break-glass
      </button>
    );
  return (
    <>
      <button type="button" className="btn" onClick={() => dialog.current?.showModal()} title="Act without a second admin, for a limited time, with a reason">
        <Siren size={14} aria-hidden /> Break glass…
      </button>
      <dialog ref={dialog} aria-labelledby="bg-title">
        <form onSubmit={start}>
          <h2 id="bg-title">Break glass</h2>
          <p className="muted small">
            For an emergency: your moves and bulk moves start without a second admin&apos;s approval until it expires. Everyone sees that it is active and why;
            every action under it is audited with this reason.
          </p>
          <label className="field">
            Reason (at least 10 characters)
            <input className="input" value={reason} onChange={(e) => setReason(e.target.value)} minLength={10} maxLength={500} required autoFocus />
          </label>
          <label className="field" style={{ marginTop: 8 }}>
            Expires after (minutes, 1–60)
            <input className="input" type="number" min={1} max={60} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} required />
          </label>
          <label className="field" style={{ marginTop: 8 }}>
            Your password (to confirm it is you)
            <input
              className="input"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              maxLength={200}
              required
            />
          </label>
          {error && (
            <div className="error-box" role="alert">
              {error}
            </div>
          )}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="btn danger">
              Break glass
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
