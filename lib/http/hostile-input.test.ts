import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/permissions";

// The hostile-input suite: every route handler under app/api, every method it exports, as every
// role and as nobody, with the inputs that once made the console answer 500 or write what it
// could not verify. The answer is never a 5xx, always the JSON error shape with a request id;
// nothing changes; the audit chain verifies at the end.
let signedIn: Actor | null = null;
vi.mock("@/lib/auth/session", () => ({ currentActor: async () => signedIn }));

const { createHarness } = await import("@/lib/testing/harness");
const { setRuntime } = await import("@/lib/runtime");
const { verifyAuditChain } = await import("@/lib/audit/service");
const { flushRefusalWindows } = await import("@/lib/ops/refusal-log");
const { runOperation } = await import("@/lib/ops/actions");
const { MUTATIONS } = await import("@/lib/ops/registry");

const ORIGIN = "http://localhost:3000";
const API = path.resolve("app/api");

interface RouteFile {
  /** URL path with [param] placeholders. */
  pattern: string;
  params: string[];
  module: Record<string, unknown>;
}

function routeFiles(dir = API): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return n === "auth" ? [] : routeFiles(p);
    return n === "route.ts" ? [p] : [];
  });
}

const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
/** Strings the text rule refuses: a request carrying one in any field changes nothing. */
const INVALID_STRINGS = ["\u0000", "\ud800", "a\u0000b", "\u202e", "\u0007", "x".repeat(5000)];
/** Legal but nasty: accepted where a field takes free text, and then stored literally. */
const NASTY_STRINGS = ["%", "\\", "_____", "%00", "..", "<script>alert(1)</script>", "'; DROP TABLE tenants; --"];
const COERCED = [true, [5], "0x6", " 7 ", "9e0", "5", null, -1, 1e308];

function bodies(strings = INVALID_STRINGS): { label: string; body: string; type?: string }[] {
  const out: { label: string; body: string; type?: string }[] = [
    { label: "not JSON", body: "{not json" },
    { label: "empty", body: "" },
    { label: "JSON null", body: "null" },
    { label: "JSON array", body: "[]" },
    { label: "JSON string", body: '"x"' },
    { label: "5,000-deep array", body: deep(5000) },
    { label: "100,000-deep array", body: deep(100_000) },
    { label: "2 MB", body: JSON.stringify({ reason: "x".repeat(2_000_000) }) },
    { label: "text/plain", body: JSON.stringify({ reason: "ok" }), type: "text/plain" },
    { label: "invalid UTF-8", body: '{"reason":"\xff\xfe"}' },
  ];
  for (const s of strings)
    for (const field of ["reason", "tenantId", "targetRegionId", "decision", "idempotencyKey"])
      out.push({
        label: `${field}=${JSON.stringify(s).slice(0, 20)}`,
        body: JSON.stringify({
          tenantId: "klinik-miri",
          targetRegionId: "cyberjaya_1",
          tenantIds: ["klinik-miri"],
          expectedVersion: 1,
          minutes: 5,
          down: true,
          decision: "approve",
          reason: "because of a drill",
          [field]: s,
        }),
      });
  for (const v of COERCED)
    for (const field of ["expectedVersion", "minutes", "down", "tenantIds"])
      if (!(field === "down" && v === true))
        out.push({
          label: `${field}=${JSON.stringify(v)}`,
          body: JSON.stringify({
            tenantId: "klinik-miri",
            targetRegionId: "cyberjaya_1",
            tenantIds: ["klinik-miri"],
            expectedVersion: 1,
            minutes: 5,
            down: true,
            reason: "because of a drill",
            [field]: v,
          }),
        });
  return out;
}

const QUERIES = [
  "q=%00",
  "state=%00",
  "state=%5C",
  "state=%25",
  "state=_____",
  "targetId=%00",
  "targetId=%ED%A0%80",
  "limit=1e2",
  "limit=-1",
  "limit=%FF",
  "panel=%00",
  "range=90d",
  "active=%00",
  "tenantId=..",
  "batchId=%00",
  "region=%00",
  "residency=%00",
  "pending=2",
  "tenantId=klinik-miri&targetRegionId=%00",
];
const PARAMS = ["%00", "..", "%2e%2e", "x".repeat(1000), "%ED%A0%80", "mv_%00", "ap_%00"];

let h: Awaited<ReturnType<typeof createHarness>>;
const routes: RouteFile[] = [];

beforeAll(async () => {
  h = await createHarness();
  setRuntime(h.runtime({ MUTATIONS_PER_MINUTE: 1_000_000 }));
  for (const file of routeFiles()) {
    const rel = path.relative(API, path.dirname(file));
    routes.push({ pattern: `/api/${rel}`, params: [...rel.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]), module: await import(file) });
  }
});
afterAll(async () => {
  setRuntime(undefined);
  await h?.close();
});

/** A digest of everything a request could change. */
async function stateDigest(): Promise<string> {
  const db = h.database.prisma;
  const parts = await Promise.all([
    db.tenant.findMany({ orderBy: { id: "asc" } }),
    db.move.findMany({ orderBy: { id: "asc" } }),
    db.regionControl.findMany({ orderBy: { regionId: "asc" } }),
    db.breakGlass.findMany({ orderBy: { id: "asc" } }),
    db.approval.findMany({ orderBy: { id: "asc" } }),
  ]);
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(r: RouteFile, method: string, opts: { query?: string; body?: string; type?: string; param?: string }) {
  const handler = r.module[method] as Handler;
  const params = Object.fromEntries(r.params.map((p) => [p, opts.param ?? "klinik-miri"]));
  let url = r.pattern;
  for (const p of r.params) url = url.replace(`[${p}]`, encodeURIComponent(params[p]));
  const headers: Record<string, string> = { origin: ORIGIN, host: "localhost:3000" };
  if (opts.body !== undefined) headers["content-type"] = opts.type ?? "application/json";
  const req = new Request(`http://localhost:3000${url}${opts.query ? `?${opts.query}` : ""}`, { method, headers, body: opts.body });
  return handler(req, { params: Promise.resolve(params) });
}

async function expectCalm(res: Response, what: string) {
  // /api/health answers 503 by design when samples stop (the harness does not poll).
  if (what.includes("/api/health")) {
    expect([200, 503], what).toContain(res.status);
    return void (await res.arrayBuffer());
  }
  expect(res.status, what).toBeLessThan(500);
  if (res.status >= 400 && res.headers.get("content-type")?.includes("json")) {
    const body = await res.json();
    expect(body, what).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) }, requestId: expect.any(String) });
  } else await res.arrayBuffer();
}

const ROLES: (keyof Awaited<ReturnType<typeof createHarness>>["actors"] | null)[] = [null, "overseer", "compliance", "admin"];

describe("hostile input on every route, method and role", () => {
  it("never answers 5xx, always the JSON error shape, changes nothing, and the chain verifies", async () => {
    const before = await stateDigest();
    let calls = 0;
    for (const role of ROLES) {
      signedIn = role ? h.actors[role] : null;
      for (const r of routes) {
        for (const method of ["GET", "POST", "DELETE"].filter((m) => typeof r.module[m] === "function")) {
          if (method === "GET") {
            for (const query of QUERIES) await expectCalm(await call(r, method, { query }), `${role} GET ${r.pattern}?${query}`), calls++;
          } else if (method === "DELETE") {
            // Ending break-glass takes no input; with none active it is a clean 409.
            await expectCalm(await call(r, method, { body: deep(5000) }), `${role} DELETE ${r.pattern}`), calls++;
          } else {
            for (const b of bodies())
              await expectCalm(await call(r, method, { body: b.body, type: b.type }), `${role} ${method} ${r.pattern} ${b.label}`), calls++;
          }
          if (r.params.length)
            for (const param of PARAMS)
              await expectCalm(
                await call(r, method, { param: decodeURIComponentSafe(param), body: method === "GET" ? undefined : "{}" }),
                `${role} ${method} ${r.pattern} param ${param}`,
              ),
                calls++;
        }
      }
    }
    expect(calls).toBeGreaterThan(2000);
    expect(await stateDigest()).toBe(before);
    await flushRefusalWindows(h.services);
    expect((await verifyAuditChain(h.database.prisma, { full: true })).breaks).toEqual([]);
    // Refusals were audited, but boundedly: not one row per hostile request.
    expect(await h.database.prisma.auditEntry.count()).toBeLessThan(calls / 4);
  }, 300_000);

  it("the one server action: every mutation, every role, hostile inputs: an error result, never a throw, nothing changed", async () => {
    const before = await stateDigest();
    const inputs: unknown[] = [null, [], "x", 5, deep(50), { reason: "\u0000" }, ...bodies().map((b) => tryParse(b.body))];
    for (const role of ROLES) {
      signedIn = role ? h.actors[role] : null;
      for (const name of [...Object.keys(MUTATIONS), "no.such.operation", "__proto__", "constructor"]) {
        for (const input of inputs) {
          const r = await runOperation(name as never, input as never);
          if (r.ok) throw new Error(`${role} ${name} accepted ${JSON.stringify(input)?.slice(0, 80)}`);
          expect(r.status, `${role} ${name}`).toBeLessThan(500);
          expect(r).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) }, requestId: expect.any(String) });
        }
      }
    }
    expect(await stateDigest()).toBe(before);
    await flushRefusalWindows(h.services);
    expect((await verifyAuditChain(h.database.prisma, { full: true })).breaks).toEqual([]);
  }, 300_000);

  it("takes legal but nasty text literally: calm answers, stored as sent, the chain verifies", async () => {
    signedIn = h.actors.admin;
    const moves = routes.find((r) => r.pattern === "/api/moves")!;
    const search = routes.find((r) => r.pattern === "/api/tenants")!;
    for (const reason of NASTY_STRINGS) {
      await expectCalm(
        await call(moves, "POST", { body: JSON.stringify({ tenantId: "klinik-kuching", targetRegionId: "cyberjaya_1", reason }) }),
        `move reason ${reason}`,
      );
      const found = await call(search, "GET", { query: `q=${encodeURIComponent(reason)}` });
      expect(found.status).toBe(200);
      expect((await found.json()).data).toEqual([]);
    }
    const reasons = (await h.database.prisma.auditEntry.findMany({ select: { reason: true } })).map((e) => e.reason ?? "");
    expect(reasons.some((x) => x.includes("'; DROP TABLE tenants; --"))).toBe(true);
    expect(await h.database.prisma.tenant.count()).toBe(35);
    await flushRefusalWindows(h.services);
    expect((await verifyAuditChain(h.database.prisma, { full: true })).breaks).toEqual([]);
  }, 300_000);
});

function tryParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
