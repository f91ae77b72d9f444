export const moveKeys = {
  all: ["moves"] as const,
  list: (q: object) => ["moves", "list", q] as const,
  one: (id: string) => ["moves", "one", id] as const,
  preflight: (tenantId: string, target: string) => ["moves", "preflight", tenantId, target] as const,
};
