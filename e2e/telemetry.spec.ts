import { expect, test } from "@playwright/test";
import { shot, signIn } from "./helpers";

test("telemetry: live panels draw real samples; a frozen stream turns the panel stale, then it resumes", async ({ page }) => {
  // two waits of up to 10 s each and full-page screenshots of chart-heavy pages, while the suite's
  // lab console runs beside it on the same 2 cores: more than the default 60 s can be needed
  test.setTimeout(120_000);
  // Sits between the browser and the server's socket: lets us freeze what the server sends.
  let frozen = false;
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => {
      if (!frozen) ws.send(m);
    });
    ws.onMessage((m) => server.send(m));
  });
  // On a loaded machine socket.io may fall back to HTTP long-polling: freeze that path too.
  await page.route(/\/socket\.io\/.*transport=polling/, (route) => (frozen ? route.abort() : route.continue()));
  await signIn(page, "overseer");
  await page.getByRole("link", { name: "Telemetry" }).click();
  const panel = page.getByTestId("panel-replication");
  await expect(panel).toHaveAttribute("data-stale", "false");
  const lagChart = panel.getByTestId("chart-mariadb-lag");
  await expect(lagChart.locator("path.recharts-line-curve").first()).toBeVisible();
  await expect(lagChart).toContainText(/KL DC p95 [\d.]+ (ms|s)/);
  // Live: the newest sample's age is shown (under 5 s, or the panel would say Stale instead).
  await expect(page.getByTestId("panel-age")).toHaveText(/^live · last sample \d\.\d s ago$/);
  await shot(page, "20-telemetry-replication-live");

  await page.getByRole("tab", { name: "GPUs & inference" }).click();
  const gpu = page.getByTestId("panel-inference");
  await expect(gpu.getByTestId("chart-gpu-util").locator("path.recharts-line-curve")).toHaveCount(8);
  await shot(page, "21-telemetry-gpus-live");

  frozen = true;
  const frozenAt = Date.now();
  // What the page believed at each second of the freeze (in the report when the assertion fails).
  const seen: string[] = [];
  const watch = setInterval(() => {
    void gpu
      .getAttribute("data-age-ms", { timeout: 500 })
      .then((age) => seen.push(`${((Date.now() - frozenAt) / 1000).toFixed(1)} s frozen: page says newest sample ${age} ms old`))
      .catch(() => undefined);
  }, 1000);
  try {
    await expect(gpu).toHaveAttribute("data-stale", "true", { timeout: 9000 });
  } finally {
    clearInterval(watch);
    test.info().annotations.push({ type: "freeze", description: seen.join("; ") });
  }
  await expect(gpu).toContainText(/Stale — last update \d+(\.\d)? s ago/);
  await shot(page, "22-telemetry-stale");
  frozen = false;
  await expect(gpu).toHaveAttribute("data-stale", "false", { timeout: 10_000 });
});

test("telemetry: a range change loads history from the database", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/telemetry");
  const history = page.waitForResponse((r) => r.url().includes("/api/telemetry?panel=replication&range=15m") && r.status() === 200);
  await page.getByRole("button", { name: "15 min" }).click();
  const body = await (await history).json();
  expect(body.data.bucketMs).toBe(3000);
  expect(body.data.series["kl_dc_1:galera:cross_region_lag_peak_ms"].length).toBeGreaterThan(3);
  await expect(page.getByText(/3\.00 s buckets from raw samples/)).toBeVisible();
  await expect(page.getByTestId("chart-mariadb-lag").locator("path.recharts-line-curve").first()).toBeVisible();
  await shot(page, "23-telemetry-history-15m");

  await page.getByRole("tab", { name: "Tenants: RPO & latency" }).click();
  await expect(page.getByTestId("rpo-klinik-kuantan")).toContainText(/0\.\d{3} s/);
  // M4: a synthetic request through the router for every tenant, with the region that answered.
  await expect(page.getByTestId("rpo-klinik-kuantan").getByTestId("probe")).toContainText(/[\d.]+ ms via KL DC/, { timeout: 12_000 });
  await shot(page, "24-telemetry-tenants");

  // Bad input answers 400 with a message, not a crash.
  const bad = await page.request.get("/api/telemetry?panel=replication&range=90d");
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.message).toMatch(/range must be one of 15m, 1h, 24h, 7d/);
  const metrics = await page.request.get("/api/metrics");
  expect(metrics.status()).toBe(200);
  expect(await metrics.text()).toContain('federation_region_status{region="kl_dc_1"');
});
