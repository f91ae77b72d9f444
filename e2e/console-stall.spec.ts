import { expect, test, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { shot, signIn } from "./helpers";

// The console process itself stops (SIGSTOP) for 8 s while a browser watches the overview: the
// connection indicator must stop saying "Live" ("No data for N s"), the region cards and
// component rows must stop saying a bare "Healthy"/"Up" ("Last known: healthy, 12 s ago"), and
// once it resumes (SIGCONT) "Live" returns, the shell says the console paused, and nothing is
// reported down because of the console's own pause. The console is our own process (the suite's
// web server's pid is not known here): the production build (bash scripts/build.sh), a fresh
// embedded database, a free loopback port; on the lab when the suite runs with it (E2E_LAB=1),
// else on the simulation.
const MODE = process.env.E2E_LAB === "1" ? "lab" : "sim";
const STOP_MS = 8000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Our console, in a process group of its own (npx → tsx → node): signals go to the whole group. */
function startConsole(port: number, dataDir: string): ChildProcess {
  const log = openSync(path.join(dataDir, "console.log"), "a");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    SIM_SEED: "7",
    NEXTAUTH_URL: `http://localhost:${port}`,
    FEDERATION_MODE: MODE,
  };
  delete env.DATABASE_URL;
  return spawn("npx", ["--no-install", "tsx", "--import", "./scripts/server-only-hook.mjs", "server.ts"], {
    env,
    detached: true,
    stdio: ["ignore", log, log],
  });
}

async function waitHealthy(base: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`the console exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the console did not become healthy in ${timeoutMs} ms`);
}

/** Every region's and component's status as the page shows it (data-status of each pill). */
function statusesOnScreen(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("[data-testid^='region-']")].flatMap((card) => [
      ...[...card.querySelectorAll<HTMLElement>("tr[data-testid^='component-']")].map((row) => ({
        key: `${card.dataset.testid}/${row.dataset.testid}`,
        status: row.querySelector<HTMLElement>(".pill[data-status]")?.dataset.status ?? "none",
        text: row.querySelector<HTMLElement>(".pill[data-status]")?.textContent ?? "",
      })),
    ]),
  );
}

test("a stopped console: the indicator says No data, cards say Last known; on resume Live returns and nothing is blamed", async ({ browser }) => {
  test.setTimeout(240_000);
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "fc-e2e-stall-"));
  const child = startConsole(port, dataDir);
  const group = child.pid!;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-group, s);
    } catch {
      // already gone
    }
  };
  try {
    await waitHealthy(base, child, 180_000);
    const ctx = await browser.newContext({ baseURL: base });
    const page = await ctx.newPage();
    await signIn(page, "overseer");
    const connection = page.getByTestId("connection");
    const kl = page.getByTestId("region-kl_dc_1");
    const cy = page.getByTestId("region-cyberjaya_1");
    for (const card of [kl, cy]) await expect(card).not.toHaveAttribute("data-status", "stale", { timeout: 30_000 });
    // What was up before the stop (in the lab, something may be down for reasons of its own).
    await page.waitForTimeout(1500);
    const before = await statusesOnScreen(page);
    const wasUp = new Set(before.filter((c) => c.status === "up").map((c) => c.key));
    expect(wasUp.size).toBeGreaterThanOrEqual(MODE === "sim" ? 10 : 6);

    // Stop the console. The socket stays connected; nothing arrives.
    const stoppedAt = Date.now();
    signal("SIGSTOP");
    // Said while the console is still stopped (the figure is recorded; bench/ measures speed).
    await expect(connection).toContainText(/No data for \d+ s/, { timeout: STOP_MS - 500 });
    const toNoData = Date.now() - stoppedAt;
    test.info().annotations.push({ type: 'SIGSTOP → "No data" in the browser', description: `${toNoData} ms` });
    await expect(connection).toHaveAttribute("data-state", "silent");
    await expect(page.getByText("Live", { exact: true })).toHaveCount(0);

    // The cards grey out, and no status word is shown bare: "Last known: healthy, 5.2 s ago".
    for (const card of [kl, cy]) {
      await expect(card).toHaveAttribute("data-status", "stale", { timeout: 8000 });
      await expect(card.locator(".card-head .pill[data-stale='true']")).toHaveText(/^Last known: (healthy|degraded|down|unknown), \d+(\.\d)? s ago$/);
      for (const word of ["Healthy", "Degraded", "Up", "Down", "Unknown"]) await expect(card.getByText(word, { exact: true })).toHaveCount(0);
    }
    await expect(kl.getByTestId("component-router").locator(".pill")).toHaveText(/^Last known: (up|degraded|down|unknown), \d+(\.\d)? s ago$/);
    if (MODE === "sim") await expect(kl.locator(".card-head .pill")).toHaveText(/^Last known: healthy, /);
    // The indicator counts up every second.
    const first = (await connection.textContent()) ?? "";
    await page.waitForTimeout(1100);
    expect((await connection.textContent()) ?? "").not.toBe(first);
    await page.waitForTimeout(Math.max(0, stoppedAt + STOP_MS - 600 - Date.now()));
    await shot(page, "60-console-stopped-no-data");
    await page.waitForTimeout(Math.max(0, stoppedAt + STOP_MS - Date.now()));

    // Resume it: data flows again, "Live" returns, and the console says it paused.
    signal("SIGCONT");
    const resumedAt = Date.now();
    await expect(connection).toHaveText("Live", { timeout: 15_000 });
    test.info().annotations.push({ type: 'SIGCONT → "Live"', description: `${Date.now() - resumedAt} ms` });
    const notice = page.getByTestId("stall-notice");
    await expect(notice).toContainText(
      /^The console itself paused for ([89]|1\d)\.\d s at \d\d:\d\d:\d\d; samples taken across the pause were discarded and re-taken\.$/,
      { timeout: 15_000 },
    );

    // For six seconds after resuming, nothing that was up before is shown down or unknown.
    const blamed: string[] = [];
    while (Date.now() - resumedAt < 6000) {
      for (const c of await statusesOnScreen(page))
        if (wasUp.has(c.key) && (c.status === "down" || c.status === "unknown"))
          blamed.push(`${((Date.now() - resumedAt) / 1000).toFixed(1)} s: ${c.key} ${c.text}`);
      await page.waitForTimeout(200);
    }
    expect(blamed).toEqual([]);
    for (const card of [kl, cy]) await expect(card).not.toHaveAttribute("data-status", "stale");
    await expect(kl.locator(".card-head .pill[data-stale='true']")).toHaveCount(0);
    await shot(page, "61-console-resumed-stall-notice");

    // Counted and shown by the console itself.
    const health = await (await page.request.get("/api/health")).json();
    expect(health.stalls.count).toBeGreaterThanOrEqual(1);
    expect(health.stalls.longestMs).toBeGreaterThanOrEqual(STOP_MS - 500);
    expect(health.stalls.lastDurationMs).toBeGreaterThanOrEqual(STOP_MS - 500);
    test.info().annotations.push({ type: "/api/health stalls", description: JSON.stringify(health.stalls) });
    await ctx.close();
  } catch (e) {
    test.info().annotations.push({ type: "console log (tail)", description: readLog(dataDir) });
    throw e;
  } finally {
    // Only our own process group: resumed (a stopped process cannot handle SIGTERM), then ended.
    signal("SIGCONT");
    signal("SIGTERM");
    const exited = await new Promise<boolean>((resolve) => {
      if (child.exitCode !== null) return resolve(true);
      const t = setTimeout(() => resolve(false), 15_000);
      child.once("exit", () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!exited) signal("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});

function readLog(dataDir: string): string {
  try {
    return readFileSync(path.join(dataDir, "console.log"), "utf8").slice(-4000);
  } catch {
    return "(no log)";
  }
}
