import "server-only";
import type { Database } from "@/lib/db/client";
import type { Services } from "@/lib/context";
import { Engine } from "@/lib/engine/engine";
import { moveOperation } from "@/lib/moves/operation";
import { failoverOperation } from "@/lib/failover/operation";
import { returnOperation } from "@/lib/failover/return";
import type { StepKey } from "@/lib/moves/steps";

// The console's orchestrator: the one engine (lib/engine) with every kind of long operation
// registered: tenant moves (T3, lib/moves/operation.ts), region failovers (F2,
// lib/failover/operation.ts) and bringing a region back (lib/failover/return.ts); drills, restores and compliance packs are added to the list below,
// each a list of steps, not a new worker.

export interface OrchestratorOptions {
  /** Moves running at once (MOVE_CONCURRENCY). */
  concurrency?: number;
  catchUpTimeoutMs?: number;
  /** Tests: stop (as if the process died) right after this step completed. */
  crashAfter?: StepKey;
}

export class Orchestrator extends Engine {
  constructor(database: Pick<Database, "tryLeaderLock">, services: Services, opts: OrchestratorOptions = {}) {
    super(
      database,
      services,
      [moveOperation({ concurrency: opts.concurrency, catchUpTimeoutMs: opts.catchUpTimeoutMs }), failoverOperation(), returnOperation()],
      {
        name: "orchestrator",
        crashAfter: opts.crashAfter,
      },
    );
  }
}
