export const auditKeys = { all: ["audit"] as const, list: (q: object) => ["audit", "list", q] as const };
