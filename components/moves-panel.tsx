"use client";
import { useMoves } from "@/lib/moves/use-moves";
import { useRegions } from "@/lib/telemetry/use-overview";
import { useNow } from "@/lib/use-now";
import { MoveStepper } from "./move-stepper";

/** Moves in progress and the last few finished: every signed-in user sees them live. */
export function MovesPanel({ tenantName }: { tenantName: (id: string) => string }) {
  const moves = useMoves({ limit: 6 });
  const regions = useRegions();
  const now = useNow(500);
  const name = (id: string) => regions.data?.find((r) => r.id === id)?.name ?? id;
  if (!moves.data || moves.data.length === 0) return null;
  return (
    <section aria-labelledby="moves-title" style={{ marginBottom: 12 }}>
      <h2 id="moves-title" style={{ marginBottom: 6 }}>
        Moves <span className="small muted">in progress and recent</span>
      </h2>
      <div className="moves-list" data-testid="moves-panel">
        {moves.data.map((m) => (
          <div key={m.id}>
            <div className="small" style={{ fontWeight: 600 }}>
              {tenantName(m.tenantId)} <span className="muted num">{m.id}</span>
            </div>
            <MoveStepper move={m} now={now} names={name} compact={m.state === "completed"} />
          </div>
        ))}
      </div>
    </section>
  );
}
