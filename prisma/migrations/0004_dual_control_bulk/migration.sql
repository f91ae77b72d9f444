-- AlterTable
ALTER TABLE "moves" ADD COLUMN "batch_id" TEXT,
ADD COLUMN "approval_id" TEXT,
ADD COLUMN "latency_before_ms" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "move_batches" (
    "id" TEXT NOT NULL,
    "to_region_id" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "reason" TEXT,
    "tenant_count" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "move_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approvals" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "requested_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL,
    "decided_by" TEXT,
    "decided_at" TIMESTAMP(3),

    CONSTRAINT "approvals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "break_glass" (
    "id" TEXT NOT NULL,
    "actor_email" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "ended_at" TIMESTAMP(3),

    CONSTRAINT "break_glass_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "moves_batch_id_idx" ON "moves"("batch_id");

-- CreateIndex
CREATE INDEX "approvals_state_idx" ON "approvals"("state");

-- A move waiting for approval also holds the tenant: one move in progress per tenant.
DROP INDEX "moves_one_active_per_tenant";
CREATE UNIQUE INDEX "moves_one_active_per_tenant" ON "moves"("tenant_id") WHERE "state" IN ('awaiting_approval', 'queued', 'running', 'rolling_back');
