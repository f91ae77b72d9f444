-- F1/F2/F7: region failover. A failover is an operation of the engine (lib/engine): its steps, its
-- per-tenant plan (moved, read-only, held in place, with the predicted RPO), the signals that
-- declared the region lost and the lease deadline it waited out. `closed_at` is set when the
-- region was brought back (its tenants re-pinned): until then the region counts as failed over.
CREATE TABLE "failovers" (
    "id" TEXT NOT NULL,
    "region_id" TEXT NOT NULL,
    "to_region_id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "step" TEXT,
    "steps" JSONB NOT NULL DEFAULT '[]',
    "plan" JSONB NOT NULL DEFAULT '[]',
    "signals" JSONB NOT NULL DEFAULT '[]',
    "lease_deadline" TIMESTAMP(3),
    "rpo_ms" INTEGER,
    "requested_by" TEXT NOT NULL,
    "reason" TEXT,
    "error" TEXT,
    "decision_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "failovers_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "failovers_region_id_idx" ON "failovers"("region_id");
CREATE INDEX "failovers_state_idx" ON "failovers"("state");

-- One failover at a time (not expressible in schema.prisma).
CREATE UNIQUE INDEX "failovers_one_active" ON "failovers"((true)) WHERE "state" IN ('queued', 'running');

-- F7: every decision of the failover logic, acted on or not, with its signals, the rule applied
-- and the alternatives rejected, in words. Linked from the audit log (target_type 'decision').
CREATE TABLE "decisions" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "region_id" TEXT,
    "kind" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "signals" JSONB NOT NULL DEFAULT '[]',
    "alternatives" JSONB NOT NULL DEFAULT '[]',
    "failover_id" TEXT,
    "agreed" BOOLEAN,

    CONSTRAINT "decisions_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "decisions_at_idx" ON "decisions"("at");
CREATE INDEX "decisions_region_id_idx" ON "decisions"("region_id");

-- F2: automatic action's setting (auto | advisory | off) and the freeze switch. One row.
CREATE TABLE "failover_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "mode" TEXT NOT NULL DEFAULT 'auto',
    "freeze_reason" TEXT,
    "freeze_by" TEXT,
    "freeze_at" TIMESTAMP(3),
    "freeze_until" TIMESTAMP(3),
    "updated_by" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "failover_settings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "failover_settings_one_row" CHECK ("id" = 1)
);

INSERT INTO "failover_settings" ("id") VALUES (1);
