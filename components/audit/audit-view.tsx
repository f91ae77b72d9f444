"use client";
import { useQuery } from "@tanstack/react-query";
import { ShieldCheck, ShieldAlert } from "lucide-react";
import { fetchJson } from "@/lib/http/fetch-json";
import { queryKeys } from "@/lib/query-keys";
import type { AuditEntryView } from "@/lib/audit/types";
import { useTopic } from "../realtime/socket";
import { StatusPill } from "../status";

type AuditRow = AuditEntryView;

interface AuditData {
  entries: AuditRow[];
  chain: {
    entries: number;
    break: { seq: string; problem: string } | null;
    breaks: { seq: string; problem: string }[];
    mode: "full" | "incremental";
    verifiedThrough: string | null;
  };
  violationsPrevented: number;
}

const short = (v: unknown) => (v === null || v === undefined ? "" : JSON.stringify(v));

export function AuditView() {
  // The audit room brings audit:appended; every change event refreshes the log (LiveQueries).
  useTopic("audit");
  const q = useQuery({ queryKey: queryKeys.audit.list({}), queryFn: () => fetchJson<AuditData>("/api/audit?limit=200") });
  if (q.error)
    return (
      <div className="error-box" role="alert">
        Could not load the audit log: {q.error.message}
      </div>
    );
  const d = q.data;
  return (
    <>
      <h1>
        Audit log <span className="small muted">every change, refusal and decision, newest first</span>
      </h1>
      {d && (
        <div className="toolbar">
          {d.chain.break ? (
            <span className="pill st-down" data-testid="chain-broken">
              <ShieldAlert aria-hidden /> Chain BROKEN at {d.chain.breaks.length === 1 ? "entry" : `${d.chain.breaks.length} places, first at entry`}{" "}
              {d.chain.break.seq} ({d.chain.break.problem === "hash_mismatch" ? "content changed" : "does not link to the entry before it"})
            </span>
          ) : (
            <span className="pill st-up" data-testid="chain-ok">
              <ShieldCheck aria-hidden /> Hash chain verified: {d.chain.entries} {d.chain.entries === 1 ? "entry" : "entries"}
              {d.chain.verifiedThrough ? ` (through #${d.chain.verifiedThrough})` : ""}
            </span>
          )}
          <span className="tag" data-testid="violations">
            Residency violations prevented: {d.violationsPrevented}
          </span>
        </div>
      )}
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">Target</th>
              <th scope="col">Before → after</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {!d && !q.error && (
              <tr>
                <td colSpan={8} className="muted" data-testid="audit-loading">
                  Loading the audit log and verifying its hash chain…
                </td>
              </tr>
            )}
            {d && d.entries.length === 0 && (
              <tr>
                <td colSpan={8} className="muted" data-testid="audit-empty">
                  No entries yet. Every change, decision and refused attempt will appear here the moment it happens, newest first.
                </td>
              </tr>
            )}
            {d?.entries.map((e) => (
              <tr key={e.seq}>
                <td className="num">{e.seq}</td>
                <td className="num small">{e.at.replace("T", " ").slice(0, 19)}</td>
                <td>
                  {e.actorEmail} <span className="muted small">{e.actorRole}</span>
                </td>
                <td className="num">{e.action}</td>
                <td>
                  <StatusPill status={e.outcome === "succeeded" ? "up" : e.outcome === "refused" ? "degraded" : "down"} label={e.outcome} />
                </td>
                <td className="num small">
                  {e.targetType}:{e.targetId}
                </td>
                <td className="num small" style={{ whiteSpace: "normal", maxWidth: 320 }}>
                  {short(e.before)} → {short(e.after)}
                </td>
                <td className="small" style={{ whiteSpace: "normal", maxWidth: 420 }}>
                  {e.reason}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
