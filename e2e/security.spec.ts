import { expect, test, type Page } from "@playwright/test";
import { sameOrigin, shot, signIn } from "./helpers";

// The console under its Content-Security-Policy (proxy.ts): every page works with no violation,
// the headers are on documents, API answers and static files, and a script injected without the
// request's nonce does not run.

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
  url: string;
}

/** Every securitypolicyviolation of every document the page loads, and the console's messages. */
async function watch(page: Page) {
  const violations: Violation[] = [];
  const messages: string[] = [];
  await page.exposeBinding("__cspViolation", (_src, v: Violation) => void violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __cspViolation: (v: unknown) => void }).__cspViolation;
      report({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, url: e.documentURI });
    });
  });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") messages.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => messages.push(`pageerror: ${e.message}`));
  return { violations, messages };
}

const cspOf = (header: string | undefined) =>
  Object.fromEntries(
    (header ?? "")
      .split(/;\s*/)
      .filter(Boolean)
      .map((d) => [d.split(" ")[0], d.slice(d.indexOf(" ") + 1)]),
  );

test("the console runs under a strict CSP: no violations on any page, headers on every answer, an unnonced script is blocked", async ({ page }) => {
  // every page, each with its charts, on 2 cores shared with the suite's other console
  test.setTimeout(150_000);
  const { violations, messages } = await watch(page);
  await signIn(page, "admin");

  // The document: a per-request nonce, Next's scripts carry it, the theme script ran with it.
  const doc = await page.goto("/overview");
  expect(doc?.status()).toBe(200);
  const h = doc!.headers();
  const csp = cspOf(h["content-security-policy"]);
  const nonce = /'nonce-([^']+)'/.exec(csp["script-src"] ?? "")?.[1];
  expect(nonce).toBeTruthy();
  expect(csp["script-src"]).toBe(`'self' 'nonce-${nonce}' 'strict-dynamic'`);
  expect(csp["connect-src"]).toContain("'self' ws://localhost:");
  expect(csp).toMatchObject({
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "style-src-attr": "'unsafe-inline'",
  });
  expect(h).toMatchObject({
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  const scripts = await page.evaluate(() => [...document.scripts].map((s) => ({ nonce: s.nonce, src: s.src })));
  expect(scripts.length).toBeGreaterThan(1);
  for (const s of scripts) expect(s.nonce, s.src || "inline script").toBe(nonce);
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
  const again = await page.request.get("/overview");
  expect(again.headers()["content-security-policy"]).not.toContain(nonce!);

  // Live over the socket (connect-src), charts drawn (recharts' inline style attributes).
  const kl = page.getByTestId("region-kl_dc_1");
  await expect(kl.getByRole("heading", { name: "KL DC" })).toBeVisible();
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  await shot(page, "50-security-headers");

  // The main pages, by the console's own links (client-side navigation) and by loading them.
  await page.getByRole("link", { name: "Tenants" }).click();
  await expect(page.getByTestId("tenant-count")).toHaveText(/\d+ shown/);
  await page.getByRole("link", { name: "Telemetry" }).click();
  await expect(page.getByTestId("panel-replication").locator("path.recharts-line-curve").first()).toBeVisible();
  await page.getByRole("tab", { name: "GPUs & inference" }).click();
  await expect(page.getByTestId("panel-inference").locator("path.recharts-line-curve").first()).toBeVisible();
  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByTestId("chain-ok")).toBeVisible();
  for (const path of ["/tenants", "/telemetry", "/audit", "/overview"]) {
    const res = await page.goto(path);
    expect(res?.headers()["content-security-policy"], path).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    await expect(page.getByText("Live", { exact: true })).toBeVisible();
  }
  await page.waitForTimeout(500);
  expect(violations).toEqual([]);
  expect(messages.filter((m) => /Content Security Policy|Refused to|nonce|hydrat/i.test(m))).toEqual([]);

  // API answers: never stored, the same headers; malformed and unknown paths answer JSON.
  const api = await page.request.get("/api/audit?limit=1");
  expect(api.status()).toBe(200);
  expect(api.headers()).toMatchObject({ "cache-control": "no-store", "x-content-type-options": "nosniff", "cross-origin-resource-policy": "same-origin" });
  const bad = await page.request.get("/api/tenants/%C0%AE%C0%AE/region");
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({
    error: { code: "bad_request", message: expect.stringMatching(/^The path is not valid UTF-8/) },
    requestId: expect.any(String),
  });
  const unknown = await page.request.get("/api/no/such/thing");
  expect(unknown.status()).toBe(404);
  expect(await unknown.json()).toMatchObject({ error: { code: "not_found" } });
  // Static files skip the proxy but not nosniff.
  const asset = await page.request.get(scripts.find((s) => s.src.includes("/_next/static/"))!.src);
  expect(asset.headers()["x-content-type-options"]).toBe("nosniff");

  // Injected script without the nonce does not run, and is reported. (What CSP can stop is
  // markup injection: under 'strict-dynamic' a script element created by code already running,
  // such as Playwright's page.evaluate, is trusted by design, so that is not what is tried here.)
  // 1. An inline <script> in the served HTML (a stored XSS in a page). (A document Playwright
  // fulfils counts as from a public address, so Chrome keeps it off the loopback socket: only
  // the scripts are checked here, the nonce'd theme script ran and the injected one did not.)
  const isOverview = (u: URL) => u.pathname === "/overview";
  await page.route(isOverview, async (route) => {
    const res = await route.fetch();
    const html = (await res.text()).replace("</body>", "<script>window.__injected = 'ran'</script></body>");
    await route.fulfill({ response: res, body: html });
  });
  await page.goto("/overview");
  await expect.poll(() => violations.length).toBe(1);
  expect(await page.evaluate(() => [document.documentElement.dataset.theme, (window as unknown as { __injected?: string }).__injected])).toEqual([
    "light",
    undefined,
  ]);
  await page.unroute(isOverview);
  await page.goto("/overview");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  // 2. Markup with an inline event handler written into the DOM (a DOM XSS through innerHTML).
  const ran = await page.evaluate(async () => {
    document.body.insertAdjacentHTML("beforeend", `<img alt="" src="data:," onerror="window.__handler = 'ran'">`);
    await new Promise((r) => setTimeout(r, 300));
    const w = window as unknown as { __injected?: string; __handler?: string };
    return { injected: w.__injected, handler: w.__handler };
  });
  expect(ran).toEqual({ injected: undefined, handler: undefined });
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  await expect.poll(() => violations.length).toBe(2);
  expect(violations).toMatchObject([
    { directive: "script-src-elem", blocked: "inline" },
    { directive: "script-src-attr", blocked: "inline" },
  ]);
});

// Through the real server (not a test double): a flood of writes by one person is cut off with
// 429 and a retry time, and its refusals are audited as a few entries, not one per request.
test("a flood of refused writes answers 429 with Retry-After after the allowance, never 5xx", async ({ page }) => {
  await signIn(page, "compliance");
  // Stands alone: it compares the person's audit entries before and after its own flood.
  const entriesOfCompliance = async () => {
    const audit = await page.request.get("/api/audit?limit=500");
    return (await audit.json()).data.entries.filter((e: { actorEmail: string }) => e.actorEmail === "compliance@federation.local").length;
  };
  const before = await entriesOfCompliance();
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 40; i++) {
    const r = await page.request.post("/api/regions/kl_dc_1/mark", { headers: sameOrigin(page), data: { down: true } });
    statuses.push(r.status());
    const body = await r.json();
    expect(body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) }, requestId: expect.any(String) });
    if (r.status() === 429) retryAfter = r.headers()["retry-after"];
  }
  expect(statuses.every((s) => s === 403 || s === 429)).toBe(true);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  // 40 refusals: the first refused mark and the first throttled attempt are entries; the rest
  // are counted into one summary each when the minute ends.
  expect((await entriesOfCompliance()) - before).toBe(2);
});

// Next decodes a server action's body before our code runs and answers 500 to one it cannot; the
// proxy refuses those first. The action's id is read from the build's manifest.
test("malformed server-action requests get JSON 4xx from the proxy, never 500", async ({ page }) => {
  const { readFileSync } = await import("node:fs");
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as { node: Record<string, unknown> };
  const id = Object.keys(manifest.node)[0];
  await signIn(page, "admin");
  const post = (body: string, headers: Record<string, string> = {}) =>
    page.request.post("/overview", { headers: { ...sameOrigin(page), "next-action": id, "content-type": "text/plain;charset=UTF-8", ...headers }, data: body });
  const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
  const cases: [string, Record<string, string>, number][] = [
    ["", {}, 400],
    ["{not json", {}, 400],
    [deep(5000), {}, 400],
    [JSON.stringify(["x".repeat(1_100_000)]), {}, 413],
    ["[]", { origin: "null" }, 403],
    ["[]", { origin: "http://localhost:3100.evil.example" }, 403],
  ];
  for (const [body, headers, status] of cases) {
    const r = await post(body, headers);
    expect(r.status(), `${body.slice(0, 20)} ${JSON.stringify(headers)}`).toBe(status);
    expect(await r.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) }, requestId: expect.any(String) });
  }
});
