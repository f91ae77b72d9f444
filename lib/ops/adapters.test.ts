import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/permissions";

// The server action and route adapters of operations, with the session replaced by a chosen
// actor: the real executor, services, database and audit log run underneath.
let signedIn: Actor | null = null;
vi.mock("@/lib/auth/session", () => ({ currentActor: async () => signedIn }));

const { createHarness } = await import("@/lib/testing/harness");
const { setRuntime } = await import("@/lib/runtime");
const { runOperation } = await import("@/lib/ops/actions");
const requestMoveAction = (raw: unknown) => runOperation("tenant.move", raw as never);
const markRegionAction = (raw: unknown) => runOperation("region.mark", raw as never);
const { POST: switchRoute } = await import("@/app/api/tenants/[id]/region/route");
const { listAudit } = await import("@/lib/audit/service");

let h: Awaited<ReturnType<typeof createHarness>>;
beforeAll(async () => {
  h = await createHarness();
  setRuntime(h.runtime());
});
afterAll(async () => {
  setRuntime(undefined);
  await h?.close();
});

const tenant = (id: string) => h.database.prisma.tenant.findUniqueOrThrow({ where: { id } });

describe("server actions authorise inside the action", () => {
  it("refuses an overseer calling the move action directly: 403, audited, nothing changed", async () => {
    signedIn = h.actors.overseer;
    const before = await tenant("klinik-miri");
    const res = await requestMoveAction({ tenantId: "klinik-miri", targetRegionId: "cyberjaya_1" });
    expect(res).toMatchObject({ ok: false, status: 403, error: { code: "forbidden" } });
    expect(await tenant("klinik-miri")).toEqual(before);
    expect(await h.database.prisma.move.count()).toBe(0);
    const [entry] = await listAudit(h.database.prisma, { targetType: "permission" });
    expect(entry).toMatchObject({ actorEmail: "overseer@federation.local", action: "tenant.move", outcome: "refused", targetId: "tenant:move" });
  });

  it("refuses compliance marking a region down", async () => {
    signedIn = h.actors.compliance;
    const res = await markRegionAction({ regionId: "kl_dc_1", down: true });
    expect(res).toMatchObject({ ok: false, status: 403 });
    expect(h.live.region("kl_dc_1")?.status).not.toBe("down");
  });

  it("answers 401 without a session", async () => {
    signedIn = null;
    const res = await requestMoveAction({ tenantId: "klinik-miri", targetRegionId: "cyberjaya_1" });
    expect(res).toMatchObject({ ok: false, status: 401, error: { code: "unauthenticated" } });
  });

  it("validates an admin's input and lets a valid move request through", async () => {
    signedIn = h.actors.admin;
    const bad = await requestMoveAction({ tenantId: "x".repeat(200), targetRegionId: "cyberjaya_1" });
    expect(bad).toMatchObject({ ok: false, status: 400, error: { message: expect.stringMatching(/tenantId: tenant id is longer than 64/) } });
    const ok = await requestMoveAction({ tenantId: "klinik-miri", targetRegionId: "cyberjaya_1", reason: "closer to Sarawak" });
    expect(ok).toMatchObject({ ok: true, data: { created: true, move: { tenantId: "klinik-miri", state: "queued" } } });
  });
});

describe("route handler", () => {
  const post = (id: string, body: string, headers: Record<string, string> = {}) =>
    switchRoute(
      new Request(`http://localhost/api/tenants/${id}/region`, {
        method: "POST",
        body,
        headers: { host: "localhost:3000", origin: "http://localhost:3000", "content-type": "application/json", ...headers },
      }),
      {
        params: Promise.resolve({ id }),
      },
    );

  it("answers 403 to an overseer and 400 to malformed JSON from an admin", async () => {
    signedIn = h.actors.overseer;
    const r1 = await post("klinik-sibu", JSON.stringify({ targetRegionId: "cyberjaya_1", expectedVersion: 1 }));
    expect(r1.status).toBe(403);
    signedIn = h.actors.admin;
    const r2 = await post("klinik-sibu", "{not json");
    expect(r2.status).toBe(400);
    expect((await r2.json()).error.message).toBe("Request body is not valid JSON.");
  });

  it("refuses a cross-site POST even from a signed-in admin: any origin but the console's, forwarded host or not", async () => {
    signedIn = h.actors.admin;
    const t = await tenant("klinik-sibu");
    const body = JSON.stringify({ targetRegionId: "cyberjaya_1", expectedVersion: t.version });
    const attempts: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "http://evil.example", "x-forwarded-host": "evil.example" },
      { origin: "https://localhost:3000" },
      { origin: "http://LOCALHOST:3000" },
      { origin: "http://localhost:3000.evil.example" },
      { origin: "null" },
      { origin: "x" },
    ];
    for (const headers of attempts) {
      const r = await post("klinik-sibu", body, headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect((await r.json()).error.message).toMatch(/^Cross-site request refused/);
    }
    // No Origin at all: only a browser's own same-origin fetch may omit it.
    const bare = await switchRoute(
      new Request("http://localhost/api/tenants/klinik-sibu/region", {
        method: "POST",
        body,
        headers: { host: "localhost:3000", "content-type": "application/json" },
      }),
      {
        params: Promise.resolve({ id: "klinik-sibu" }),
      },
    );
    expect(bare.status).toBe(403);
    expect(await tenant("klinik-sibu")).toEqual(t);
  });

  it("accepts the console's loopback spellings and a same-origin fetch without Origin", async () => {
    signedIn = h.actors.admin;
    const t = await tenant("klinik-alor-setar");
    const ok = await post("klinik-alor-setar", JSON.stringify({ targetRegionId: "cyberjaya_1", expectedVersion: t.version }), {
      origin: "http://127.0.0.1:3000",
    });
    expect(ok.status).toBe(200);
    const back = await switchRoute(
      new Request("http://localhost/api/tenants/klinik-alor-setar/region", {
        method: "POST",
        body: JSON.stringify({ targetRegionId: "kl_dc_1", expectedVersion: t.version + 1 }),
        headers: { "sec-fetch-site": "same-origin", "content-type": "application/json" },
      }),
      { params: Promise.resolve({ id: "klinik-alor-setar" }) },
    );
    expect(back.status).toBe(200);
  });

  it("generates request ids itself; a caller's id comes back only as a labelled, sanitised echo", async () => {
    signedIn = h.actors.compliance;
    const r = await post("klinik-sibu", JSON.stringify({ targetRegionId: "cyberjaya_1", expectedVersion: 1 }), {
      "x-request-id": "FORGED-admin-approved-0001",
    });
    const body = await r.json();
    expect(body.requestId).not.toBe("FORGED-admin-approved-0001");
    expect(r.headers.get("x-request-id")).toBe(body.requestId);
    expect(r.headers.get("x-client-request-id")).toBe("FORGED-admin-approved-0001");
    const [entry] = await listAudit(h.database.prisma, { limit: 1 });
    expect(entry.requestId).toBe(body.requestId);
  });

  it("answers 409 with who changed it first for a stale version", async () => {
    signedIn = h.actors.admin;
    const t = await tenant("klinik-kuching");
    expect((await post("klinik-kuching", JSON.stringify({ targetRegionId: "cyberjaya_1", expectedVersion: t.version }))).status).toBe(200);
    signedIn = h.actors.admin2;
    const r = await post("klinik-kuching", JSON.stringify({ targetRegionId: "kl_dc_1", expectedVersion: t.version }));
    expect(r.status).toBe(409);
    expect((await r.json()).error).toMatchObject({ code: "stale_version", message: expect.stringContaining("changed by admin@federation.local") });
  });
});
