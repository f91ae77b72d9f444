import "server-only";
import type { ServiceContext } from "@/lib/context";
import type { LoadedOperation, OperationStore } from "@/lib/engine/operation";
import type { OperationPhase, OperationStep } from "@/lib/engine/types";
import { StaleTransitionError } from "@/lib/state-machine";

// The store of the failover domain's engine operations (a failover, a region's return): rows whose
// `state` column holds the engine's phase itself (no rollback: queued → running → completed |
// failed), with `step`, `steps`, `error` and `finishedAt` beside it. One implementation, by table.

const PHASES: readonly OperationPhase[] = ["queued", "running", "completed", "failed"];

interface PhaseRow {
  id: string;
  state: string;
  steps: unknown;
  error: string | null;
}

/** The Prisma delegate calls a phase store uses (the `failover` and `regionReturn` models both have them). */
interface PhaseTable<T extends PhaseRow> {
  findMany(args: { where: { state: { in: string[] } }; orderBy: { createdAt: "asc" }; take: number; select: { id: true } }): Promise<{ id: string }[]>;
  findUniqueOrThrow(args: { where: { id: string } }): Promise<T>;
  findUnique(args: { where: { id: string }; select: { state: true } }): Promise<{ state: string } | null>;
  updateMany(args: { where: { id: string; state: string }; data: Record<string, unknown> }): Promise<{ count: number }>;
}

export function phaseStore<T extends PhaseRow>(kind: string, table: (ctx: ServiceContext) => PhaseTable<T>): OperationStore<T> {
  return {
    async runnable(ctx, limit) {
      const rows = await table(ctx).findMany({
        where: { state: { in: ["queued", "running"] } },
        orderBy: { createdAt: "asc" },
        take: limit,
        select: { id: true },
      });
      return rows.map((r) => r.id);
    },
    async load(ctx, id): Promise<LoadedOperation<T>> {
      const row = await table(ctx).findUniqueOrThrow({ where: { id } });
      if (!PHASES.includes(row.state as OperationPhase)) throw new Error(`${kind} ${id} is ${row.state}`);
      return { op: row, phase: row.state as OperationPhase, steps: row.steps as OperationStep[], error: row.error };
    },
    async save(ctx, id, from, to, change) {
      const res = await table(ctx).updateMany({
        where: { id, state: from },
        data: {
          state: to,
          steps: change.steps,
          ...(change.step !== undefined ? { step: change.step } : {}),
          ...(change.error !== undefined ? { error: change.error } : {}),
          ...(change.finishedAt ? { finishedAt: change.finishedAt } : {}),
        },
      });
      if (res.count === 0) {
        const now = await table(ctx).findUnique({ where: { id }, select: { state: true } });
        throw new StaleTransitionError(kind, id, from, to, now?.state ?? null);
      }
    },
  };
}
