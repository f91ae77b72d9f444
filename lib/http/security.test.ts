import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { getSortedRoutes } from "next/dist/shared/lib/router/utils/sorted-routes";
import { config, proxy } from "@/proxy";
import { DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT } from "@/app/api/[...rest]/route";
import { contentSecurityPolicy, jsonMethodNotAllowed, malformedPath, refuseMalformedApiPath } from "./security";

// The edge: proxy.ts called as Next calls it, the /api catch-all route, and the HTTP server's
// raw-path guard over a real port (the only place that sees a path before it is normalised).
const BASE = "http://localhost:3000";
const req = (p: string, init?: ConstructorParameters<typeof NextRequest>[1]) =>
  new NextRequest(`${BASE}${p}`, { ...init, headers: { host: "localhost:3000", ...(init?.headers as Record<string, string>) } });

const SECURITY = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};
const expectSecurityHeaders = (h: Headers) => {
  for (const [k, v] of Object.entries(SECURITY)) expect(h.get(k), k).toBe(v);
};

describe("malformedPath", () => {
  it("refuses segments that are not valid UTF-8 once decoded, and dot segments however spelt", () => {
    for (const p of ["/api/tenants/%C0%AE%C0%AE/region", "/api/tenants/%FF/region", "/api/tenants/%ED%A0%80/region", "/api/x/%E0%80", "/api/x/%zz", "/api/x/%"])
      expect(malformedPath(p), p).toMatch(/^The path is not valid UTF-8/);
    for (const p of ["/api/tenants/../region", "/api/tenants/%2e%2e/region", "/api/%2E%2e/overview", "/api/./x", "/api/%2e/x"])
      expect(malformedPath(p), p).toMatch(/dot segment/);
  });
  it("accepts what the console's routes take, non-ASCII UTF-8 included", () => {
    for (const p of ["/api/tenants/t-042/region", "/api/moves/3f2c1e9a-0b7d-4c1e-9a55-2b1f0e6d7c8a", "/api/x/%E2%82%AC", "/api/x/a%20b", "/api/x/...", "/api"])
      expect(malformedPath(p), p).toBeNull();
  });
});

describe("contentSecurityPolicy", () => {
  it("is strict: nonce'd scripts only, no eval, nothing framed, plugins or foreign bases and forms; the console's own socket", () => {
    const csp = contentSecurityPolicy({ nonce: "abc", host: "localhost:3000" });
    const d = Object.fromEntries(csp.split("; ").map((x) => [x.split(" ")[0], x.slice(x.indexOf(" ") + 1)]));
    expect(d["script-src"]).toBe("'self' 'nonce-abc' 'strict-dynamic'");
    expect(d["style-src"]).toBe("'self' 'nonce-abc'");
    expect(d["style-src-attr"]).toBe("'unsafe-inline'");
    expect(d["connect-src"]).toBe("'self' ws://localhost:3000 wss://localhost:3000");
    expect(d["frame-ancestors"]).toBe("'none'");
    expect(d["object-src"]).toBe("'none'");
    expect(d["base-uri"]).toBe("'self'");
    expect(d["form-action"]).toBe("'self'");
    expect(csp).not.toMatch(/unsafe-eval|upgrade-insecure-requests/);
  });
  it("adds eval and unnonced styles in dev only, wss only over https, and ignores a Host that is not a host", () => {
    expect(contentSecurityPolicy({ nonce: "n", dev: true })).toMatch(
      /script-src 'self' 'nonce-n' 'strict-dynamic' 'unsafe-eval'; style-src 'self' 'unsafe-inline';/,
    );
    const tls = contentSecurityPolicy({ nonce: "n", host: "console.example:8443", https: true });
    expect(tls).toMatch(/connect-src 'self' wss:\/\/console\.example:8443;/);
    expect(tls).toMatch(/upgrade-insecure-requests$/);
    expect(contentSecurityPolicy({ nonce: "n", host: "evil; script-src *" })).toMatch(/connect-src 'self';/);
  });
});

describe("proxy", () => {
  it("answers a malformed API path with the API's JSON 400, for anonymous callers too", async () => {
    for (const p of ["/api/tenants/%C0%AE%C0%AE/region", "/api/tenants/%FF/region", "/api/tenants/%ED%A0%80/region"]) {
      const res = await proxy(req(p, { method: "POST" }));
      expect(res.status, p).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expectSecurityHeaders(res.headers);
      const body = await res.json();
      expect(body).toEqual({ error: { code: "bad_request", message: expect.stringMatching(/^The path is not valid UTF-8/) }, requestId: expect.any(String) });
      expect(res.headers.get("x-request-id")).toBe(body.requestId);
    }
  });

  it("gives a page a fresh nonce, in the CSP it answers and in the request headers Next renders with", async () => {
    const a = await proxy(req("/overview"));
    const b = await proxy(req("/overview"));
    const csp = a.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(b.headers.get("content-security-policy")).not.toContain(nonce);
    expect(a.headers.get("x-middleware-next")).toBe("1");
    // NextResponse.next({ request: { headers } }): what the page (and Next's script tags) will see.
    expect(a.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
    expect(a.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(csp).toContain("connect-src 'self' ws://localhost:3000 wss://localhost:3000");
    expectSecurityHeaders(a.headers);
    expect(a.headers.get("cache-control")).toBeNull();
  });

  it("passes API requests through with no-store and a CSP that loads nothing; next-auth's and server actions untouched", async () => {
    const api = await proxy(req("/api/audit"));
    expect(api.headers.get("x-middleware-next")).toBe("1");
    expect(api.headers.get("cache-control")).toBe("no-store");
    expect(api.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    expectSecurityHeaders(api.headers);

    const auth = await proxy(req("/api/auth/callback/credentials", { method: "POST", body: "x=1" }));
    expect(auth.headers.get("x-middleware-next")).toBe("1");
    expect(auth.status).toBe(200);
    expect(auth.headers.get("cache-control")).toBe("no-store");

    const action = await proxy(
      req("/tenants", { method: "POST", headers: { "next-action": "abc123", "content-type": "text/plain;charset=UTF-8" }, body: "[]" }),
    );
    expect(action.headers.get("x-middleware-next")).toBe("1");
    expect(action.headers.get("x-middleware-request-next-action")).toBe("abc123");
  });

  it("runs on pages, API and actions but not on the build's static files", () => {
    const runs = (url: string) => unstable_doesMiddlewareMatch({ config, url });
    for (const url of ["/", "/overview", "/signin", "/api/audit", "/api/auth/session", "/api/tenants/%FF/region", "/_next/data/x.json"])
      expect(runs(url), url).toBe(true);
    for (const url of ["/_next/static/chunks/app.js", "/_next/image?url=x", "/favicon.ico", "/icon.svg"]) expect(runs(url), url).toBe(false);
  });
});

describe("the /api catch-all", () => {
  it("answers every method with the API's JSON 404", async () => {
    const handlers = { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS };
    for (const [method, handler] of Object.entries(handlers)) {
      const res = await handler(new Request(`${BASE}/api/nope/deeper`, { method }));
      expect(res.status, method).toBe(404);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expectSecurityHeaders(res.headers);
      if (method === "HEAD") continue;
      const body = await res.json();
      expect(body).toEqual({
        error: { code: "not_found", message: expect.stringContaining('"/api/nope/deeper"') },
        requestId: res.headers.get("x-request-id"),
      });
    }
  });

  it("sorts after every real API route, next-auth's included, so it never shadows one", () => {
    const api = path.resolve("app/api");
    const routes = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = path.join(dir, n);
        return statSync(p).isDirectory() ? routes(p) : n === "route.ts" ? [`/${path.relative(path.resolve("app"), dir).split(path.sep).join("/")}`] : [];
      });
    const all = routes(api);
    expect(all).toContain("/api/[...rest]");
    expect(all).toContain("/api/auth/[...nextauth]");
    expect(getSortedRoutes(all).at(-1)).toBe("/api/[...rest]");
  });
});

describe("the HTTP server's raw-path guard", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((q, s) => {
      if (refuseMalformedApiPath(q, s)) return;
      jsonMethodNotAllowed(q, s);
      // Stands in for Next: a route without the method answers an empty 405.
      if (q.url?.startsWith("/api/only-get") && q.method !== "GET") {
        s.writeHead(405);
        return void s.end();
      }
      s.end("passed");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  // node:http sends the path as written: no client-side normalisation of dot segments.
  const get = (p: string) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const r = httpRequest({ host: "127.0.0.1", port, path: p }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      r.on("error", reject);
      r.end();
    });

  it("refuses dot segments and bad UTF-8 in a raw /api path before Next normalises it away", async () => {
    for (const p of [
      "/api/%2e%2e/overview",
      "/api/tenants/%2E%2E/region",
      "/api/tenants/../../overview",
      "/api\\..\\overview",
      "/api/tenants/%FF/region?x=1",
    ]) {
      const r = await get(p);
      expect(r.status, p).toBe(400);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["cache-control"]).toBe("no-store");
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: "bad_request" }, requestId: r.headers["x-request-id"] });
    }
  });

  it("lets everything else through: sound API paths, pages, and dot segments outside /api", async () => {
    for (const p of ["/api/tenants/t-1/region", "/api/x/%E2%82%AC", "/overview", "/a/../b", "/socket.io/?EIO=4&transport=polling", "/api/x?q=../%FF"]) {
      const r = await get(p);
      expect(r.status, p).toBe(200);
      expect(r.body).toBe("passed");
    }
  });

  it("turns the empty 405 of a method a route does not take into the API's JSON error", async () => {
    const r = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const q = httpRequest({ host: "127.0.0.1", port, path: "/api/only-get", method: "POST" }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      q.on("error", reject);
      q.end();
    });
    expect(r.status).toBe(405);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers["cache-control"]).toBe("no-store");
    expect(JSON.parse(r.body)).toMatchObject({
      error: { code: "method_not_allowed", message: "POST is not supported here." },
      requestId: r.headers["x-request-id"],
    });
    expect((await get("/api/only-get")).body).toBe("passed");
  });
});
