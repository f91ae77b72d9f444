import { describe, expect, it } from "vitest";
import { checkResidency, isResidencyLocked } from "./residency";

const names: Record<string, string> = { kl_dc_1: "KL DC", cyberjaya_1: "Cyberjaya", penang_1: "Penang" };
const name = (id: string) => names[id] ?? id;

describe("residency rule", () => {
  it("lets an unrestricted tenant go anywhere", () => {
    const t = { name: "Klinik Miri", allowedRegions: [] };
    expect(isResidencyLocked(t)).toBe(false);
    expect(checkResidency(t, "cyberjaya_1", name)).toEqual({ allowed: true });
    expect(checkResidency(t, "penang_1", name)).toEqual({ allowed: true });
  });

  it("lets a locked tenant move within its allowed set", () => {
    const t = { name: "Klinik A", allowedRegions: ["kl_dc_1", "cyberjaya_1"] };
    expect(isResidencyLocked(t)).toBe(true);
    expect(checkResidency(t, "cyberjaya_1", name).allowed).toBe(true);
  });

  it("refuses a locked tenant leaving its allowed set, naming the tenant, the allowed regions and the target", () => {
    const t = { name: "Klinik Kesihatan Shah Alam", allowedRegions: ["kl_dc_1"] };
    const v = checkResidency(t, "cyberjaya_1", name);
    expect(v.allowed).toBe(false);
    if (!v.allowed) {
      expect(v.reason).toContain("Klinik Kesihatan Shah Alam");
      expect(v.reason).toContain("KL DC");
      expect(v.reason).toContain("Cyberjaya is outside");
    }
  });

  it("treats region ids exactly (no prefix match)", () => {
    const t = { name: "X", allowedRegions: ["kl_dc_1"] };
    expect(checkResidency(t, "kl_dc_10").allowed).toBe(false);
  });
});
