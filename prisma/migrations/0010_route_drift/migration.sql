-- Route drift: at start the console compares its route table with the router's. Where they
-- differ, one row per tenant holds both values until an admin resolves it (keep the router's
-- table or push the console's); the router is never overwritten silently. A NULL side means the
-- tenant has no route there (only in the router, or only in the console).
CREATE TABLE "route_drift" (
    "tenant" TEXT NOT NULL,
    "console_region" TEXT,
    "router_region" TEXT,
    "detected_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "route_drift_pkey" PRIMARY KEY ("tenant")
);
