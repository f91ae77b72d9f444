import { describe, expect, it } from "vitest";
import { formatPosition, parsePosition } from "./position";

describe("lab write position", () => {
  it("round-trips, including the empty position", () => {
    const p = { regionId: "kl_dc_1", domain: 1, gtid: "1-1-11851" };
    expect(formatPosition(p)).toBe("mariadb:kl_dc_1/1:1-1-11851");
    expect(parsePosition("mariadb:kl_dc_1/1:1-1-11851")).toEqual(p);
    expect(parsePosition("mariadb:cyberjaya_1/2:")).toEqual({ regionId: "cyberjaya_1", domain: 2, gtid: "" });
  });
  it("rejects other text and a GTID of another domain", () => {
    expect(() => parsePosition("1-1-11851")).toThrow(/not a lab write position/);
    expect(() => parsePosition("mariadb:kl_dc_1/1:1-1-5,2-2-7")).toThrow(/not a lab write position/);
    expect(() => parsePosition("mariadb:kl_dc_1/1:2-2-7")).toThrow(/not in domain 1/);
  });
});
