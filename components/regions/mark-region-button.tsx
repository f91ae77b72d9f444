"use client";
import { useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Power, PowerOff } from "lucide-react";
import { runOperation } from "@/lib/ops/actions";
import { queryKeys } from "@/lib/query-keys";

/** Admin-only: simulate an outage of a region (or end it). Audited on the server. */
export function MarkRegionButton({ regionId, name, markedDown }: { regionId: string; name: string; markedDown: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const qc = useQueryClient();
  const down = !markedDown;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await runOperation("region.mark", { regionId, down, reason: reason || undefined });
    setBusy(false);
    if (!res.ok) return setError(res.error.message);
    void qc.invalidateQueries({ queryKey: queryKeys.regions.all });
    setReason("");
    dialog.current?.close();
  }

  return (
    <>
      <button type="button" className={`btn ${down ? "danger" : ""}`} onClick={() => dialog.current?.showModal()} data-testid={`mark-${regionId}`}>
        {down ? <PowerOff size={14} aria-hidden /> : <Power size={14} aria-hidden />}
        {down ? "Mark region down…" : "Mark region up…"}
      </button>
      <dialog ref={dialog} aria-labelledby={`mark-title-${regionId}`} onClose={() => setError(null)}>
        <form onSubmit={submit}>
          <h2 id={`mark-title-${regionId}`}>{down ? `Mark ${name} down?` : `Mark ${name} up?`}</h2>
          <p className="muted">
            {down
              ? "Every component of the region stops answering (a simulated outage in sim mode; router backend in maintenance in lab mode). Tenants served there lose service until they are switched."
              : "The region's components answer again; replication catches up from its backlog."}
          </p>
          <label className="field">
            Reason (recorded in the audit log)
            <input
              className="input"
              value={reason}
              maxLength={500}
              onChange={(e) => setReason(e.target.value)}
              placeholder={down ? "e.g. drill: KL DC power loss" : "e.g. power restored"}
              autoFocus
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
            <button type="submit" className={`btn ${down ? "danger" : "primary"}`} disabled={busy}>
              {busy ? "Working…" : down ? "Mark down" : "Mark up"}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
