-- CreateTable
CREATE TABLE "samples" (
    "series" TEXT NOT NULL,
    "t" TIMESTAMP(3) NOT NULL,
    "v" DOUBLE PRECISION,

    CONSTRAINT "samples_pkey" PRIMARY KEY ("series","t")
);

-- CreateTable
CREATE TABLE "sample_rollups" (
    "series" TEXT NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,
    "min" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "avg" DOUBLE PRECISION,
    "p95" DOUBLE PRECISION,

    CONSTRAINT "sample_rollups_pkey" PRIMARY KEY ("series","bucket")
);

-- CreateTable
CREATE TABLE "annotations" (
    "id" BIGSERIAL NOT NULL,
    "t" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "region_id" TEXT,
    "tenant_id" TEXT,
    "text" TEXT NOT NULL,
    "actor" TEXT,

    CONSTRAINT "annotations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "region_id" TEXT,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMP(3),
    "message" TEXT NOT NULL,
    "peak" DOUBLE PRECISION,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "samples_t_idx" ON "samples"("t");

-- CreateIndex
CREATE INDEX "sample_rollups_bucket_idx" ON "sample_rollups"("bucket");

-- CreateIndex
CREATE INDEX "annotations_t_idx" ON "annotations"("t");

-- CreateIndex
CREATE INDEX "alerts_ended_at_idx" ON "alerts"("ended_at");
