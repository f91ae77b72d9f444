"use client";
import { forwardRef, useImperativeHandle, useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, XCircle } from "lucide-react";
import type { TenantView } from "@/lib/tenants/types";
import type { RegionView } from "@/lib/regions/types";
import type { Preflight } from "@/lib/moves/types";
import { fetchJson } from "@/lib/http/fetch-json";
import { runOperation } from "@/lib/ops/actions";
import { queryKeys } from "@/lib/query-keys";
import { formatDuration, formatAge } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { MoveStepper } from "./move-stepper";
import { useMove } from "./use-moves";

export interface MoveDialogHandle {
  open(t: TenantView): void;
}

/** T3: choose a target, read the pre-flight, confirm, then watch the move's steps live. */
export const MoveDialog = forwardRef<MoveDialogHandle, { regions: RegionView[] }>(function MoveDialog({ regions }, ref) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [tenant, setTenant] = useState<TenantView | null>(null);
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const [rehome, setRehome] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [moveId, setMoveId] = useState<string | null>(null);
  const [idempotencyKey, setKey] = useState("");
  const qc = useQueryClient();
  const now = useNow(250);
  const name = (id: string) => regions.find((r) => r.id === id)?.name ?? id;

  useImperativeHandle(ref, () => ({
    open(t) {
      setTenant(t);
      setTarget(regions.find((r) => r.id !== t.servingRegionId)?.id ?? "");
      setReason("");
      setError(null);
      setMoveId(null);
      setKey(crypto.randomUUID());
      dialog.current?.showModal();
    },
  }));

  const pf = useQuery({
    queryKey: queryKeys.moves.preflight(tenant?.id ?? "", target),
    queryFn: () => fetchJson<Preflight>(`/api/moves/preflight?tenantId=${tenant!.id}&targetRegionId=${target}`),
    enabled: !!tenant && !!target && !moveId,
    refetchInterval: 2000,
  });
  const move = useMove(moveId);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!tenant) return;
    setBusy(true);
    setError(null);
    // The key makes a double submit start one move.
    const res = await runOperation("tenant.move", {
      tenantId: tenant.id,
      targetRegionId: target,
      reason: reason || undefined,
      rehome: rehome || undefined,
      idempotencyKey,
    });
    setBusy(false);
    void qc.invalidateQueries({ queryKey: queryKeys.moves.all });
    void qc.invalidateQueries({ queryKey: queryKeys.tenants.all });
    if (!res.ok) return setError(res.error.message);
    setMoveId(res.data.move.id);
  }

  return (
    <dialog ref={dialog} className="wide" aria-labelledby="move-title" data-testid="move-dialog">
      {tenant && (
        <form onSubmit={submit}>
          <h2 id="move-title">Move {tenant.name}</h2>
          <p className="muted small">
            Served now by <strong>{name(tenant.servingRegionId)}</strong> · primary {name(tenant.primaryRegionId)}. A move fences the tenant&apos;s writes,
            waits until the target has every acknowledged write, flips the router, verifies a read and a write, then unfences. If verification fails it rolls
            back.
          </p>
          {!moveId && (
            <>
              <fieldset style={{ border: 0, padding: 0, margin: "8px 0" }}>
                <legend className="small muted">Target region</legend>
                {regions.map((r) => (
                  <label key={r.id} className="choice" aria-disabled={r.id === tenant.servingRegionId}>
                    <input
                      type="radio"
                      name="target"
                      value={r.id}
                      checked={target === r.id}
                      disabled={r.id === tenant.servingRegionId}
                      onChange={() => setTarget(r.id)}
                    />
                    <span>
                      <strong>{r.name}</strong> <span className="muted small">{r.id}</span>
                      {r.id === tenant.servingRegionId && <span className="small"> — serving this tenant now</span>}
                    </span>
                  </label>
                ))}
              </fieldset>
              <h3>Pre-flight {pf.data?.measuredAt && <span className="small">· measured {formatAge(now - pf.data.measuredAt)}</span>}</h3>
              {pf.error && <div className="error-box">{pf.error.message}</div>}
              {pf.data && (
                <>
                  <ul className="checks" data-testid="preflight">
                    {pf.data.checks.map((c) => (
                      <li key={c.key} className={c.ok ? "check-ok" : "check-bad"} data-check={c.key} data-ok={c.ok}>
                        {c.ok ? <CheckCircle2 size={14} aria-label="passes" /> : <XCircle size={14} aria-label="fails" />}
                        <span>{c.label}</span>
                        <span className="small">{c.detail}</span>
                      </li>
                    ))}
                  </ul>
                  <p className="small">
                    Expected write pause:{" "}
                    <strong className="num">{pf.data.expectedWritePauseMs === null ? "unknown" : `≈ ${formatDuration(pf.data.expectedWritePauseMs)}`}</strong>{" "}
                    {!pf.data.ok && <span className="error-text"> — the console will refuse this move.</span>}
                  </p>
                </>
              )}
              <label className="field">
                Reason (recorded in the audit log)
                <input
                  className="input"
                  value={reason}
                  maxLength={500}
                  onChange={(e) => setReason(e.target.value)}
                  placeholder="e.g. closer to East Malaysia"
                />
              </label>
              <label className="check" data-testid="rehome">
                <input type="checkbox" checked={rehome} onChange={(e) => setRehome(e.target.checked)} /> Make {name(target)} this tenant&apos;s primary region
                (re-home)
                <span className="small muted"> — a second admin must approve; it is not moved back after a recovery</span>
              </label>
            </>
          )}
          {moveId && move.data && <MoveStepper move={move.data} now={now} names={name} />}
          {error && (
            <div className="error-box" role="alert" data-testid="move-error">
              {error}
            </div>
          )}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => dialog.current?.close()}>
              {moveId ? "Close (the move goes on)" : "Cancel"}
            </button>
            {!moveId && (
              <button type="submit" className="btn primary" disabled={busy || !target}>
                {busy ? "Starting…" : `Move to ${name(target)}`}
              </button>
            )}
          </div>
        </form>
      )}
    </dialog>
  );
});
