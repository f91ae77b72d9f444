"use client";
import { forwardRef, useImperativeHandle, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { TenantView } from "@/lib/tenants/service";
import type { RegionView } from "@/lib/regions/service";
import type { RegionHealth } from "@/lib/federation/types";
import { switchTenantRegionAction } from "@/lib/tenants/actions";
import { checkResidency } from "@/lib/tenants/residency";
import { tenantKeys } from "@/lib/tenants/keys";
import { StatusPill } from "./status";

export interface SwitchDialogHandle {
  open(t: TenantView): void;
}

interface Props {
  regions: RegionView[];
  health: RegionHealth[];
  onDone(message: string): void;
}

/** Switch a tenant's serving region now. The server re-checks everything shown here. */
export const SwitchDialog = forwardRef<SwitchDialogHandle, Props>(function SwitchDialog({ regions, health, onDone }, ref) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [tenant, setTenant] = useState<TenantView | null>(null);
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const qc = useQueryClient();
  const name = (id: string) => regions.find((r) => r.id === id)?.name ?? id;

  useImperativeHandle(ref, () => ({
    open(t) {
      setTenant(t);
      setTarget(regions.find((r) => r.id !== t.servingRegionId)?.id ?? "");
      setReason("");
      setError(null);
      dialog.current?.showModal();
    },
  }));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!tenant) return;
    setBusy(true);
    setError(null);
    const res = await switchTenantRegionAction({ tenantId: tenant.id, targetRegionId: target, expectedVersion: tenant.version, reason: reason || undefined });
    setBusy(false);
    void qc.invalidateQueries({ queryKey: tenantKeys.all });
    if (!res.ok) return setError(res.error.message);
    dialog.current?.close();
    onDone(`${res.data.name} is now served by ${name(res.data.servingRegionId)}.`);
  }

  return (
    <dialog ref={dialog} aria-labelledby="switch-title" data-testid="switch-dialog">
      {tenant && (
        <form onSubmit={submit}>
          <h2 id="switch-title">Switch {tenant.name}</h2>
          <p className="muted small">
            Served now by <strong>{name(tenant.servingRegionId)}</strong> · primary {name(tenant.primaryRegionId)} · version {tenant.version}
          </p>
          <fieldset style={{ border: 0, padding: 0, margin: "8px 0" }}>
            <legend className="small muted">Target region</legend>
            {regions.map((r) => {
              const h = health.find((x) => x.regionId === r.id);
              const verdict = checkResidency(tenant, r.id, name);
              const current = r.id === tenant.servingRegionId;
              return (
                <label key={r.id} className="choice" aria-disabled={current || !verdict.allowed}>
                  <input type="radio" name="target" value={r.id} checked={target === r.id} disabled={current} onChange={() => setTarget(r.id)} />
                  <span>
                    <strong>{r.name}</strong> <span className="muted small">{r.id}</span> {h && <StatusPill status={h.status} />}
                    <br />
                    <span className="small">
                      {current
                        ? "serving this tenant now"
                        : verdict.allowed
                          ? "residency: allowed"
                          : `residency: NOT allowed — the console will refuse this (${tenant.allowedRegions.map(name).join(", ")} only)`}
                    </span>
                  </span>
                </label>
              );
            })}
          </fieldset>
          <label className="field">
            Reason (recorded in the audit log)
            <input className="input" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder="e.g. closer to East Malaysia" />
          </label>
          {error && (
            <div className="error-box" role="alert" data-testid="switch-error">
              {error}
            </div>
          )}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="btn primary" disabled={busy || !target}>
              {busy ? "Switching…" : `Switch to ${name(target)}`}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
});
