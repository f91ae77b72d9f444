export const overviewKeys = { snapshot: ["overview", "snapshot"] as const, regions: ["overview", "regions"] as const };
