import { describe, expect, it } from "vitest";
import { switchRegionSchema, tenantFilterSchema } from "./schemas";
import { describeZodError } from "@/lib/validation";

function errorOf(input: unknown) {
  const r = switchRegionSchema.safeParse(input);
  if (r.success) throw new Error("expected a validation error");
  return describeZodError(r.error);
}

describe("switch input validation", () => {
  it("accepts a well-formed request and trims it", () => {
    expect(switchRegionSchema.parse({ tenantId: " klinik-miri ", targetRegionId: "cyberjaya_1", expectedVersion: 3 })).toEqual({
      tenantId: "klinik-miri",
      targetRegionId: "cyberjaya_1",
      expectedVersion: 3,
    });
  });
  it("refuses malformed ids with a message naming the field", () => {
    expect(errorOf({ tenantId: "Klinik Miri!", targetRegionId: "cyberjaya_1", expectedVersion: 1 })).toMatch(/^tenantId: tenant id may contain only/);
    expect(errorOf({ tenantId: "klinik-miri", targetRegionId: "DROP TABLE", expectedVersion: 1 })).toMatch(/^targetRegionId: region id may contain only/);
    expect(errorOf({ tenantId: "klinik-miri", targetRegionId: "cyberjaya_1", expectedVersion: 0 })).toMatch(/expectedVersion must be 1 or more/);
    expect(errorOf({ tenantId: "klinik-miri", targetRegionId: "cyberjaya_1" })).toMatch(/expectedVersion/);
  });
  it("refuses oversized strings", () => {
    expect(errorOf({ tenantId: "a".repeat(65), targetRegionId: "cyberjaya_1", expectedVersion: 1 })).toMatch(/longer than 64/);
    expect(errorOf({ tenantId: "klinik-miri", targetRegionId: "cyberjaya_1", expectedVersion: 1, reason: "x".repeat(501) })).toMatch(
      /reason is longer than 500/,
    );
  });
  it("validates list filters", () => {
    expect(tenantFilterSchema.safeParse({ residency: "maybe" }).success).toBe(false);
    expect(tenantFilterSchema.safeParse({ q: "x".repeat(101) }).success).toBe(false);
    expect(tenantFilterSchema.parse({ q: " sabah ", residency: "locked" })).toEqual({ q: "sabah", residency: "locked" });
  });
});
