import { describe, expect, it } from "vitest";
import { loadLabConfig } from "./config";
import { PgRoles } from "./pg-roles";

const cfg = loadLabConfig();

describe("PgRoles", () => {
  it("starts from the lab config and follows the console's promotions", () => {
    const r = new PgRoles(cfg);
    expect(r.primary).toBe("kl_dc_1");
    expect([r.roleOf("kl_dc_1"), r.roleOf("cyberjaya_1")]).toEqual(["primary", "replica"]);
    expect(r.replicas().map((x) => x.name)).toEqual(["pg-cy"]);
    r.setPrimary("cyberjaya_1");
    expect([r.roleOf("kl_dc_1"), r.roleOf("cyberjaya_1")]).toEqual(["replica", "primary"]);
    expect(r.replicas()).toEqual([{ regionId: "kl_dc_1", name: "pg-kl", regionName: "KL DC" }]);
  });

  it("adopts what the servers say at start only when exactly one answering server is a primary", () => {
    const r = new PgRoles(cfg);
    expect(
      r.adopt(
        new Map([
          ["kl_dc_1", true],
          ["cyberjaya_1", false],
        ]),
      ),
    ).toMatch(/cyberjaya_1's server is the primary \(the lab config names kl_dc_1/);
    expect(r.primary).toBe("cyberjaya_1");
    // two primaries, none, or nobody answering: the expectation stays (health reports the disagreement)
    for (const m of [
      [
        ["kl_dc_1", false],
        ["cyberjaya_1", false],
      ],
      [
        ["kl_dc_1", true],
        ["cyberjaya_1", true],
      ],
      [
        ["kl_dc_1", null],
        ["cyberjaya_1", null],
      ],
    ] as [string, boolean | null][][]) {
      expect(r.adopt(new Map(m))).toBeNull();
      expect(r.primary).toBe("cyberjaya_1");
    }
  });
});
