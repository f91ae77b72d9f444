export const overviewKeys = { snapshot: ["overview", "snapshot"] as const, regions: ["overview", "regions"] as const };
export const telemetryKeys = {
  all: ["telemetry"] as const,
  history: (panel: string, range: string) => ["telemetry", "history", panel, range] as const,
  annotations: (range: string) => ["telemetry", "annotations", range] as const,
  alerts: ["telemetry", "alerts"] as const,
};
