"use client";
import { useEffect, useMemo, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { ArrowLeftRight, Lock, LockOpen, Search } from "lucide-react";
import { fetchJson } from "@/lib/http/fetch-json";
import { queryKeys } from "@/lib/query-keys";
import type { TenantFilter } from "@/lib/tenants/schemas";
import type { TenantView } from "@/lib/tenants/types";
import { can } from "@/lib/auth/permissions";
import { formatAge, isStale } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { useActor } from "../providers";
import { StatusPill } from "../status";
import { useTopic } from "../realtime/socket";
import { useOverview, useRegions } from "../telemetry/use-overview";
import { MoveDialog, type MoveDialogHandle } from "../moves/move-dialog";
import { MovesPanel } from "../moves/moves-panel";
import { BulkMoveDialog, type BulkMoveDialogHandle } from "../moves/bulk-move-dialog";
import { ApprovalsPanel } from "../approvals/approvals-panel";

const MALAYSIAN_STATES = [
  "Johor",
  "Kedah",
  "Kelantan",
  "Kuala Lumpur",
  "Melaka",
  "Negeri Sembilan",
  "Pahang",
  "Perak",
  "Perlis",
  "Pulau Pinang",
  "Putrajaya",
  "Sabah",
  "Sarawak",
  "Selangor",
  "Terengganu",
];

export function TenantsView() {
  const actor = useActor();
  const mayMove = can(actor.role, "tenant:move");
  const [q, setQ] = useState("");
  const [debouncedQ, setDebouncedQ] = useState("");
  const [region, setRegion] = useState("");
  const [state, setState] = useState("");
  const [residency, setResidency] = useState("");
  const [flash, setFlash] = useState<Set<string>>(new Set());
  const dialog = useRef<MoveDialogHandle>(null);
  const bulkDialog = useRef<BulkMoveDialogHandle>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const now = useNow(1000);
  const socket = useTopic("tenants");

  useEffect(() => {
    const t = setTimeout(() => setDebouncedQ(q), 200);
    return () => clearTimeout(t);
  }, [q]);

  const filter: TenantFilter = useMemo(
    () => ({
      ...(debouncedQ ? { q: debouncedQ } : {}),
      ...(region ? { region } : {}),
      ...(state ? { state } : {}),
      ...(residency ? { residency: residency as TenantFilter["residency"] } : {}),
    }),
    [debouncedQ, region, state, residency],
  );
  const tenants = useQuery({
    queryKey: queryKeys.tenants.list(filter),
    queryFn: () => fetchJson<TenantView[]>(`/api/tenants?${new URLSearchParams(filter as Record<string, string>)}`),
  });
  const regions = useRegions();
  const overview = useOverview();
  const name = (id: string) => regions.data?.find((r) => r.id === id)?.name ?? id;
  const health = overview.data?.regions ?? [];
  const serverNow = now + (overview.data?.clockOffsetMs ?? 0);

  // Rows changed by someone else flash briefly, so a watcher sees what moved (the refetch is
  // lib/realtime/invalidation.ts).
  useEffect(() => {
    if (!socket) return;
    const onChange = (e: { tenantIds: string[] }) => {
      setFlash(new Set(e.tenantIds));
      setTimeout(() => setFlash(new Set()), 2000);
    };
    socket.on("tenants:changed", onChange);
    return () => {
      socket.off("tenants:changed", onChange);
    };
  }, [socket]);

  const rows = tenants.data ?? [];
  return (
    <>
      <h1>
        Tenants{" "}
        <span className="small muted" data-testid="tenant-count">
          {tenants.isLoading ? "loading…" : `${rows.length} shown`}
        </span>
      </h1>
      {can(actor.role, "approvals:read") && <ApprovalsPanel />}
      <MovesPanel />
      <div className="toolbar" role="search">
        <label className="field">
          Search
          <span style={{ display: "flex", alignItems: "center", gap: 4 }}>
            <Search size={14} aria-hidden />
            <input
              className="input"
              type="search"
              value={q}
              maxLength={100}
              onChange={(e) => setQ(e.target.value)}
              placeholder="clinic, slug or state"
              aria-label="Search tenants"
            />
          </span>
        </label>
        <label className="field">
          Served by
          <select className="input" value={region} onChange={(e) => setRegion(e.target.value)} aria-label="Filter by serving region">
            <option value="">any region</option>
            {regions.data?.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          State
          <select className="input" value={state} onChange={(e) => setState(e.target.value)} aria-label="Filter by state">
            <option value="">any state</option>
            {MALAYSIAN_STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        {mayMove && (
          <button
            type="button"
            className="btn"
            disabled={selected.size === 0}
            onClick={() => bulkDialog.current?.open(rows.filter((t) => selected.has(t.id)))}
            data-testid="bulk-move"
          >
            <ArrowLeftRight size={14} aria-hidden /> Move selected ({selected.size})…
          </button>
        )}
        <label className="field">
          Residency
          <select className="input" value={residency} onChange={(e) => setResidency(e.target.value)} aria-label="Filter by residency">
            <option value="">any</option>
            <option value="locked">locked</option>
            <option value="unrestricted">unrestricted</option>
          </select>
        </label>
      </div>
      {tenants.error && (
        <div className="error-box" role="alert">
          Could not load tenants: {tenants.error.message}
        </div>
      )}
      <div className="table-wrap">
        <table className="data" data-testid="tenants-table">
          <thead>
            <tr>
              {mayMove && (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select every tenant shown"
                    checked={rows.length > 0 && rows.every((t) => selected.has(t.id))}
                    onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((t) => t.id)) : new Set())}
                  />
                </th>
              )}
              <th scope="col">Tenant</th>
              <th scope="col">State</th>
              <th scope="col">Primary</th>
              <th scope="col">Failover</th>
              <th scope="col">Routed to</th>
              <th scope="col">Answered by (observed)</th>
              <th scope="col">Residency</th>
              <th scope="col">During failover</th>
              <th scope="col">Last change</th>
              {mayMove && (
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => {
              const h = health.find((x) => x.regionId === t.servingRegionId);
              const away = t.servingRegionId !== t.primaryRegionId;
              return (
                <tr key={t.id} data-testid={`tenant-${t.id}`} className={flash.has(t.id) ? "flash" : undefined}>
                  {mayMove && (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${t.name}`}
                        checked={selected.has(t.id)}
                        onChange={(e) => {
                          const next = new Set(selected);
                          if (e.target.checked) next.add(t.id);
                          else next.delete(t.id);
                          setSelected(next);
                        }}
                      />
                    </td>
                  )}
                  <td>
                    <div>{t.name}</div>
                    <div className="small muted num">{t.slug}</div>
                  </td>
                  <td>{t.state}</td>
                  <td data-testid="primary">{name(t.primaryRegionId)}</td>
                  <td>{t.failoverRegionId === t.primaryRegionId ? <span className="muted">none (locked)</span> : name(t.failoverRegionId)}</td>
                  <td data-testid="serving">
                    <span className={away ? "away" : undefined}>{name(t.servingRegionId)}</span>{" "}
                    {h && <StatusPill status={h.status} staleAgeMs={isStale(h.measuredAt, serverNow) ? serverNow - h.measuredAt : undefined} />}
                    {away && <div className="small muted">away from primary</div>}
                  </td>
                  <td data-testid="observed">
                    <Observed o={t.observed} name={name} now={serverNow} />
                  </td>
                  <td>
                    {t.residencyLocked ? (
                      <span className="tag" title={`May be served only from ${t.allowedRegions.map(name).join(", ")}`}>
                        <Lock aria-hidden /> {t.allowedRegions.map(name).join(", ")} only
                      </span>
                    ) : (
                      <span className="tag">
                        <LockOpen aria-hidden /> unrestricted
                      </span>
                    )}
                  </td>
                  <td>{t.failoverAccess === "full" ? "full service" : "read-only"}</td>
                  <td className="small">
                    <span className="num">v{t.version}</span> · {formatAge(now - Date.parse(t.updatedAt))}
                    {t.updatedBy && <div className="muted">{t.updatedBy}</div>}
                  </td>
                  {mayMove && (
                    <td>
                      <button type="button" className="btn" onClick={() => dialog.current?.open(t)} aria-label={`Move ${t.name} to another region`}>
                        <ArrowLeftRight size={14} aria-hidden /> Move…
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
            {!tenants.isLoading && rows.length === 0 && (
              <tr>
                <td colSpan={11} className="muted">
                  No tenant matches these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {mayMove && <MoveDialog ref={dialog} regions={regions.data ?? []} />}
      {mayMove && <BulkMoveDialog ref={bulkDialog} regions={regions.data ?? []} onDone={() => setSelected(new Set())} />}
    </>
  );
}

/** A probe result older than this (3 probe periods) is shown as last known, never as now. */
const OBSERVED_STALE_AFTER_MS = 15_000;

/** Where the tenant's last probe (a read and a write through the router) was answered, and since when. */
function Observed({ o, name, now }: { o: TenantView["observed"]; name: (id: string) => string; now: number }) {
  if (!o) return <span className="muted small">not probed yet</span>;
  const age = Math.max(0, now - o.at);
  const where = o.regionId ? name(o.regionId) : "no region";
  const [status, word] = o.residencyBreach
    ? (["down", "outside residency"] as const)
    : o.elsewhere
      ? (["degraded", "elsewhere"] as const)
      : o.ok
        ? (["up", "ok"] as const)
        : (["down", "failing"] as const);
  return (
    <div className="observed" data-observed={word}>
      <StatusPill status={status} label={`${where} · ${word}`} staleAgeMs={age > OBSERVED_STALE_AFTER_MS ? age : undefined} />{" "}
      <span className="small muted">{formatAge(age)}</span>
      {o.reason && <div className="small why">{o.reason}</div>}
      {!o.reason && o.writeNote && <div className="small muted why">{o.writeNote}</div>}
    </div>
  );
}
