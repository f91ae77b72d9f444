"use client";
import type { MoveListItem } from "@/lib/moves/types";
import { useNow } from "@/lib/use-now";
import { formatFigure } from "@/lib/format";
import { useRegions } from "../telemetry/use-overview";
import { MoveStepper } from "./move-stepper";
import { useMoves } from "./use-moves";

const DONE = ["completed", "rolled_back", "failed", "expired", "rejected"];

/** Moves in progress and recent, single or in batches, live for every signed-in user. */
export function MovesPanel() {
  const moves = useMoves({ limit: 12 });
  const regions = useRegions();
  const now = useNow(500);
  const name = (id: string) => regions.data?.find((r) => r.id === id)?.name ?? id;
  if (!moves.data || moves.data.length === 0) return null;
  const groups: { batchId: string | null; moves: MoveListItem[] }[] = [];
  for (const m of moves.data) {
    const g = m.batchId ? groups.find((x) => x.batchId === m.batchId) : undefined;
    if (g) g.moves.push(m);
    else groups.push({ batchId: m.batchId, moves: [m] });
  }
  return (
    <section aria-labelledby="moves-title" style={{ marginBottom: 12 }}>
      <h2 id="moves-title" style={{ marginBottom: 6 }}>
        Moves <span className="small muted">in progress and recent</span>
      </h2>
      <div className="moves-list" data-testid="moves-panel">
        {groups.map((g) =>
          g.batchId ? (
            <div key={g.batchId} className="card" data-testid={`batch-${g.batchId}`}>
              <div className="small" style={{ fontWeight: 600, display: "flex", gap: 10, alignItems: "center" }}>
                Bulk move · {g.moves.filter((m) => m.state === "completed").length} of {g.moves.length} completed
                <span className="muted num">{g.batchId}</span>
              </div>
              <div className="progress" aria-hidden style={{ margin: "6px 0" }}>
                <div style={{ width: `${(100 * g.moves.filter((m) => DONE.includes(m.state)).length) / g.moves.length}%` }} />
              </div>
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">Tenant</th>
                    <th scope="col">State</th>
                    <th scope="col">Write pause</th>
                    <th scope="col">Latency p50 before → after</th>
                  </tr>
                </thead>
                <tbody>
                  {g.moves.map((m) => (
                    <tr key={m.id} data-testid={`move-row-${m.tenantId}`} data-state={m.state}>
                      <td>{m.tenantName}</td>
                      <td>
                        {m.state.replace("_", " ")}
                        {m.step && m.state === "running" ? ` · ${m.step.replace("_", " ")}` : ""}
                      </td>
                      <td className="num">{formatFigure(m.writePauseMs, "ms")}</td>
                      <td className="num">
                        {formatFigure(m.latencyBeforeMs, "ms")} → {formatFigure(m.latencyAfterMs, "ms")}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <div key={g.moves[0].id}>
              <div className="small" style={{ fontWeight: 600 }}>
                {g.moves[0].tenantName} <span className="muted num">{g.moves[0].id}</span>
              </div>
              <MoveStepper move={g.moves[0]} now={now} names={name} compact={DONE.includes(g.moves[0].state)} />
            </div>
          ),
        )}
      </div>
    </section>
  );
}
