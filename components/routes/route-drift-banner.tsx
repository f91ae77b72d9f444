"use client";
import { useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { GitCompareArrows } from "lucide-react";
import { runOperation } from "@/lib/ops/actions";
import { queryKeys } from "@/lib/query-keys";
import { formatAge } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import type { DriftResolution, RouteDriftView } from "@/lib/routes/types";
import { useRegions } from "../telemetry/use-overview";
import { useRouteDrift } from "./use-route-drift";

const CHOICES: Record<DriftResolution, { button: string; title: string; explain: string }> = {
  keep_router: {
    button: "Keep the router's table",
    title: "Keep the router's table?",
    explain:
      "The console records the router's region as the serving region of each tenant in the table (residency is checked first). Tenants the router has no route for get the console's route. Tenants only the router knows are left in the router as they are. Nothing the router routes now changes.",
  },
  push_console: {
    button: "Push the console's table",
    title: "Push the console's table into the router?",
    explain:
      "The router's table becomes the console's: every tenant in the table is routed as the console says from the next request on, and routes for tenants the console does not know are removed from the router. Another console's changes to these routes are undone.",
  },
};

/**
 * Route drift (issue 10): shown on the overview while the router's table differs from the
 * console's. Everyone sees the table; admins decide which side wins, with a reason and a
 * confirmation. The console never overwrites the router on its own.
 */
export function RouteDriftBanner({ canResolve }: { canResolve: boolean }) {
  const { data } = useRouteDrift();
  const regions = useRegions();
  const now = useNow(1000);
  // The outcome of this admin's last attempt: kept here, because a resolved drift (or one the
  // re-check found gone) unmounts the table and its dialogs.
  const [notice, setNotice] = useState<Notice | null>(null);
  const regionName = (id: string | null) => (id === null ? null : (regions.data?.find((r) => r.id === id)?.name ?? id));
  const noticeBox = notice ? (
    <div
      className={notice.ok ? "ok-box" : "error-box"}
      role={notice.ok ? "status" : "alert"}
      data-testid={notice.ok ? "route-drift-resolved" : "route-drift-error"}
    >
      {notice.text}{" "}
      <button type="button" className="btn" onClick={() => setNotice(null)}>
        Dismiss
      </button>
    </div>
  ) : null;

  if (!data || data.rows.length === 0) return noticeBox;

  const n = data.rows.length;
  const found = data.detectedAt ? new Date(data.detectedAt) : null;
  return (
    <section
      className="card"
      data-testid="route-drift"
      aria-labelledby="route-drift-title"
      style={{ marginBottom: 12, borderColor: "var(--warn)", padding: 0 }}
    >
      <div className="banner warn" role="alert" style={{ borderRadius: "var(--radius) var(--radius) 0 0" }}>
        <GitCompareArrows size={16} aria-hidden />
        <div>
          <strong id="route-drift-title">
            Router table differs from the console's for {n} tenant{n === 1 ? "" : "s"}
          </strong>
          <div className="small">
            {found ? (
              <>
                Found at start {found.toLocaleString()} (<span data-testid="route-drift-age">{formatAge(now - found.getTime())}</span>).{" "}
              </>
            ) : null}
            The console did not overwrite the router. Moves and switches of these tenants are refused until an admin decides which table is right.
          </div>
        </div>
      </div>
      <div style={{ padding: 12 }}>
        <div className="table-wrap" style={{ maxHeight: 320 }}>
          <table className="data" data-testid="route-drift-table">
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Console says</th>
                <th scope="col">Router says</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={r.tenant} data-testid={`drift-${r.tenant}`}>
                  <td>
                    {r.tenantName ?? <span className="muted">not in the console</span>} <span className="num muted small">{r.tenant}</span>
                  </td>
                  <td>{regionName(r.consoleRegionId) ?? <span className="muted">no tenant</span>}</td>
                  <td>{regionName(r.routerRegionId) ?? <span className="muted">no route (the router's default backend answers)</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {canResolve ? (
          <div className="card-foot">
            <span className="muted small">Decide which table is right; your reason goes into the audit log.</span>
            <span style={{ display: "flex", gap: 8 }}>
              <ResolveButton resolution="keep_router" drift={data} onNotice={setNotice} />
              <ResolveButton resolution="push_console" drift={data} onNotice={setNotice} />
            </span>
          </div>
        ) : (
          <p className="muted small" style={{ margin: "8px 0 0" }} data-testid="route-drift-read-only">
            Read-only for your role: a platform admin decides whether the router's table or the console's is kept.
          </p>
        )}
        {noticeBox}
      </div>
    </section>
  );
}

interface Notice {
  ok: boolean;
  text: string;
}

function ResolveButton({ resolution, drift, onNotice }: { resolution: DriftResolution; drift: RouteDriftView; onNotice: (n: Notice | null) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const qc = useQueryClient();
  const c = CHOICES[resolution];
  const id = `resolve-${resolution}`;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    onNotice(null);
    const res = await runOperation("routes.resolve_drift", { resolution, reason });
    setBusy(false);
    if (!res.ok) {
      setError(res.error.message);
      onNotice({ ok: false, text: res.error.message });
    } else {
      setReason("");
      dialog.current?.close();
      onNotice({ ok: true, text: res.data.message });
      void qc.invalidateQueries({ queryKey: queryKeys.tenants.all });
    }
    // A refusal may have found the router changed (the table is re-recorded): refresh it either way.
    void qc.invalidateQueries({ queryKey: queryKeys.routes.all });
  }

  return (
    <>
      <button type="button" className="btn" onClick={() => dialog.current?.showModal()} data-testid={id}>
        {c.button}…
      </button>
      <dialog ref={dialog} aria-labelledby={`${id}-title`} onClose={() => setError(null)}>
        <form onSubmit={submit}>
          <h2 id={`${id}-title`}>{c.title}</h2>
          <p className="muted">{c.explain}</p>
          <p className="small">
            {drift.rows.length} tenant{drift.rows.length === 1 ? "" : "s"} in the table: {drift.rows.map((r) => r.tenant).join(", ")}.
          </p>
          <label className="field">
            Reason (required, recorded in the audit log)
            <textarea
              className="input"
              value={reason}
              minLength={5}
              maxLength={500}
              required
              rows={2}
              onChange={(e) => setReason(e.target.value)}
              placeholder={resolution === "keep_router" ? "e.g. the other console's moves are the real ones" : "e.g. this console's database is the record"}
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
            <button type="submit" className={`btn ${resolution === "push_console" ? "danger" : "primary"}`} disabled={busy || reason.trim().length < 5}>
              {busy ? "Working…" : c.button}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
