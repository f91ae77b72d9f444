import { metricsResponse } from "@/lib/telemetry/metrics-endpoint";

// Prometheus scrape endpoint: "Authorization: Bearer <METRICS_TOKEN>", or an admin's session.
export const GET = metricsResponse;
