import { describe, expect, it } from "vitest";
import { jsonInt, likeLiteral, queryInt, text } from "./validation";
import { switchRegionSchema, tenantFilterSchema } from "@/lib/tenants/schemas";
import { breakGlassSchema, bulkMoveSchema } from "@/lib/approvals/schemas";
import { requestMoveSchema } from "@/lib/moves/schemas";
import { markRegionSchema } from "@/lib/regions/schemas";

const HOSTILE_TEXT = ["\u0000", "a\u0000b", "\ud800", "x\udfff", "\u0007", "\u001b[31m", "\u0085", "\u202eevil", "\u2066x\u2069"];

describe("the text rule", () => {
  const reason = text("reason", { max: 20, multiline: true });
  const oneLine = text("name", { max: 20 });

  it("refuses lone surrogates, control and bidi-override characters with a message naming the field", () => {
    for (const s of HOSTILE_TEXT) {
      const r = reason.safeParse(s);
      expect(r.success, JSON.stringify(s)).toBe(false);
      expect(r.error?.issues[0].message).toMatch(/^reason (is not valid Unicode|contains a)/);
    }
  });

  it("allows line breaks only where a field allows them", () => {
    expect(reason.parse("line one\nline two")).toBe("line one\nline two");
    expect(oneLine.safeParse("line one\nline two").error?.issues[0].message).toBe("name contains a control character (line breaks are not allowed here)");
  });

  it("normalises to NFC, trims, and bounds the length after normalising", () => {
    expect(oneLine.parse("  Cafe\u0301  ")).toBe("Caf\u00e9");
    expect(oneLine.safeParse("x".repeat(21)).error?.issues[0].message).toBe("name is longer than 20 characters");
    expect(oneLine.safeParse("x".repeat(100_000)).success).toBe(false);
  });
});

describe("numbers", () => {
  it("takes JSON numbers only in bodies", () => {
    const n = jsonInt("expectedVersion", 1, 100);
    expect(n.parse(7)).toBe(7);
    for (const v of [true, [5], "0x6", " 7 ", "9e0", "5", 1.5, 0, null]) expect(n.safeParse(v).success, JSON.stringify(v)).toBe(false);
  });

  it("takes plain digits only in query strings", () => {
    const n = queryInt("limit", 1, 500);
    expect(n.parse("50")).toBe(50);
    for (const v of ["1e2", "0x10", " 5", "-1", "501", "", "5.0"]) expect(n.safeParse(v).success, v).toBe(false);
  });
});

describe("every free-text field of every operation takes the rule", () => {
  const cases: [string, (s: string) => { success: boolean }][] = [
    ["switch reason", (s) => switchRegionSchema.safeParse({ tenantId: "klinik-miri", targetRegionId: "cyberjaya_1", expectedVersion: 1, reason: s })],
    ["move reason", (s) => requestMoveSchema.safeParse({ tenantId: "klinik-miri", targetRegionId: "cyberjaya_1", reason: s })],
    ["bulk reason", (s) => bulkMoveSchema.safeParse({ tenantIds: ["klinik-miri"], targetRegionId: "cyberjaya_1", reason: s })],
    ["mark reason", (s) => markRegionSchema.safeParse({ regionId: "kl_dc_1", down: true, reason: s })],
    ["break-glass reason", (s) => breakGlassSchema.safeParse({ reason: `long enough reason ${s}`, minutes: 5 })],
    ["tenant search", (s) => tenantFilterSchema.safeParse({ q: s })],
    ["tenant state", (s) => tenantFilterSchema.safeParse({ state: s })],
    ["move idempotency key", (s) => requestMoveSchema.safeParse({ tenantId: "klinik-miri", targetRegionId: "cyberjaya_1", idempotencyKey: `key-12345${s}` })],
    ["tenant id", (s) => requestMoveSchema.safeParse({ tenantId: `klinik${s}`, targetRegionId: "cyberjaya_1" })],
  ];
  for (const [name, parse] of cases)
    it(`${name}: refuses every hostile string`, () => {
      for (const s of HOSTILE_TEXT) expect(parse(s).success, JSON.stringify(s)).toBe(false);
    });

  it("a state filter cannot carry LIKE metacharacters", () => {
    for (const s of ["%", "_____", "\\", "Sab%"]) expect(tenantFilterSchema.safeParse({ state: s }).success, s).toBe(false);
    expect(tenantFilterSchema.parse({ state: "Pulau Pinang" })).toEqual({ state: "Pulau Pinang" });
  });
});

describe("likeLiteral", () => {
  it("escapes the pattern characters", () => {
    expect(likeLiteral("50%_off\\")).toBe("50\\%\\_off\\\\");
  });
});
