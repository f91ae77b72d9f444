-- Request throttling shared by every console instance on one PostgreSQL (rate-limiter-flexible's
-- PostgreSQL store: one row per key, points used, expiry in epoch ms). On the embedded database
-- the limiter keeps its counts in memory (one process) and this table stays empty.
CREATE TABLE "rate_limits" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);
