// The service-level objectives, in one place: alerts, charts, cards, re-pins and the simulation
// all read them from here.

/** Cross-region replication lag (MariaDB heartbeat, PostgreSQL replay): p95 must stay under this. */
export const LAG_SLO_MS = 1000;
/** The window the lag SLO's p95 is computed over. */
export const SLO_WINDOW_MS = 60_000;
/** How a chart labels the SLO line. */
export const LAG_SLO_LABEL = "SLO 1 s";
