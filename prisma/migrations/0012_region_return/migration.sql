-- F2 §5/§6: bringing a failed-over region back, an operation of the engine. The errant writes the
-- region made that the survivor never applied are recorded with the person's decision (re-apply
-- or discard); catch-up samples (applied vs incoming, ETA) are kept as the step runs.
CREATE TABLE "region_returns" (
    "id" TEXT NOT NULL,
    "failover_id" TEXT NOT NULL,
    "region_id" TEXT NOT NULL,
    "survivor_id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "step" TEXT,
    "steps" JSONB NOT NULL DEFAULT '[]',
    "errant" JSONB,
    "decision" TEXT,
    "catch_up" JSONB NOT NULL DEFAULT '[]',
    "requested_by" TEXT NOT NULL,
    "reason" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "region_returns_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "region_returns_failover_id_idx" ON "region_returns"("failover_id");

-- One return at a time per failover (not expressible in schema.prisma).
CREATE UNIQUE INDEX "region_returns_one_active" ON "region_returns"("failover_id") WHERE "state" IN ('queued', 'running');
