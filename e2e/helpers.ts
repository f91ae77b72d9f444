import { expect, type Page, type Browser } from "@playwright/test";
import { mkdirSync } from "node:fs";

export const SHOTS = "e2e/screenshots";
mkdirSync(SHOTS, { recursive: true });

export type DemoUser = "admin" | "admin2" | "compliance" | "overseer";

export async function signIn(page: Page, user: DemoUser) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(`${user}@federation.local`);
  await page.getByLabel("Password").fill("federation-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/overview");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
}

export async function newSignedInPage(browser: Browser, user: DemoUser, colorScheme: "light" | "dark" = "light") {
  const ctx = await browser.newContext({ colorScheme });
  const page = await ctx.newPage();
  await signIn(page, user);
  return page;
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** What a script sends to write through the API: the console's own URL as its Origin. */
export function sameOrigin(page: Page): Record<string, string> {
  return { origin: new URL(page.url()).origin };
}

/**
 * Lab e2e setup: a console starting on a fresh database against the lab's router may find drift
 * (the router holds another console's table, or the lab's seed routes). Resolved explicitly,
 * through the API, as an admin, with a reason in the audit log: never silently. Returns how many
 * tenants were in drift (0: nothing to resolve).
 */
export async function resolveRouteDriftForTest(page: Page, why: string): Promise<number> {
  const res = await page.request.get("/api/routes/drift");
  expect(res.status()).toBe(200);
  const rows = ((await res.json()).data as { rows: unknown[] }).rows;
  if (rows.length === 0) return 0;
  const resolved = await page.request.post("/api/routes/drift/resolve", {
    headers: sameOrigin(page),
    data: { resolution: "push_console", reason: `e2e setup: ${why}` },
  });
  expect(resolved.status(), await resolved.text()).toBe(200);
  return rows.length;
}

/** Waits until no move is active (re-pins after a failover): a test leaves the console as it found it. */
export async function waitUntilNoActiveMoves(page: Page, timeoutMs = 120_000) {
  await expect(async () => {
    const moves = (await (await page.request.get("/api/moves?active=1&limit=100")).json()).data as unknown[];
    expect(moves).toEqual([]);
  }).toPass({ timeout: timeoutMs, intervals: [1000] });
}
