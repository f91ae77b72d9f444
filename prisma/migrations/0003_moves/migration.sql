-- CreateTable
CREATE TABLE "moves" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "from_region_id" TEXT NOT NULL,
    "to_region_id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "step" TEXT,
    "steps" JSONB NOT NULL DEFAULT '[]',
    "reason" TEXT,
    "requested_by" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "error" TEXT,
    "write_pause_ms" INTEGER,
    "position" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "moves_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "moves_idempotency_key_key" ON "moves"("idempotency_key");

-- CreateIndex
CREATE INDEX "moves_tenant_id_idx" ON "moves"("tenant_id");

-- CreateIndex
CREATE INDEX "moves_state_idx" ON "moves"("state");

-- At most one move in progress per tenant (not expressible in schema.prisma).
CREATE UNIQUE INDEX "moves_one_active_per_tenant" ON "moves"("tenant_id") WHERE "state" IN ('queued', 'running', 'rolling_back');
