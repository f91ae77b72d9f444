import { expect, test } from "@playwright/test";
import { newSignedInPage, sameOrigin, shot, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

test("admin: the overview is live — figures change and their age stays fresh", async ({ page }) => {
  await signIn(page, "admin");
  const kl = page.getByTestId("region-kl_dc_1");
  await expect(kl.getByRole("heading", { name: "KL DC" })).toBeVisible();
  await expect(page.getByTestId("region-cyberjaya_1")).toBeVisible();
  await expect(kl).toHaveAttribute("data-status", "healthy");
  for (const kind of ["router", "galera", "postgres", "object_store", "inference"]) await expect(kl.getByTestId(`component-${kind}`)).toBeVisible();

  const read = async () =>
    [await kl.getByTestId("lag").innerText(), await kl.getByTestId("gpu").innerText(), await kl.getByTestId("rps").innerText()].join("|");
  const first = await read();
  expect(first).toMatch(/ms\|[\d.]+ %\|[\d,.]+ req\/s/);
  await expect.poll(read, { timeout: 8000, intervals: [1000] }).not.toBe(first);
  // The figures are measured within the last couple of seconds, not frozen.
  await expect(kl.getByTestId("age")).toHaveText(/^[0-2]\.\d s ago$/);
  await shot(page, "01-admin-overview-light");
});

test("admin: move a tenant with pre-flight and live steps; another open browser sees it; residency refusal is shown", async ({ page, browser }) => {
  const watcher = await newSignedInPage(browser, "overseer");
  await watcher.goto("/tenants");
  const watchedRow = watcher.getByTestId("tenant-klinik-kuching");
  await expect(watchedRow.getByTestId("serving")).toContainText("KL DC");

  await signIn(page, "admin");
  await page.getByRole("link", { name: "Tenants" }).click();
  await expect(page.getByTestId("tenant-count")).toHaveText("35 shown");
  await page.getByLabel("Search tenants").fill("Kuching");
  await expect(page.getByTestId("tenant-count")).toHaveText("1 shown");
  const row = page.getByTestId("tenant-klinik-kuching");
  await row.getByRole("button", { name: /Move Klinik Kuching to another region/ }).click();
  const dialog = page.getByTestId("move-dialog");
  await expect(dialog.getByRole("heading", { name: "Move Klinik Kuching" })).toBeVisible();
  await dialog.getByRole("radio", { name: /Cyberjaya/ }).check();
  const checks = dialog.getByTestId("preflight");
  for (const key of ["residency", "target_health", "gpu_capacity", "kv_capacity", "replication_lag"])
    await expect(checks.locator(`[data-check="${key}"]`)).toHaveAttribute("data-ok", "true");
  await expect(dialog.getByText(/Expected write pause: ≈ \d+ ms/)).toBeVisible();
  await dialog.getByLabel(/Reason/).fill("closer to East Malaysia");
  await shot(page, "02-admin-move-preflight");
  await dialog.getByRole("button", { name: "Move to Cyberjaya" }).click();
  // The steps run live in the dialog: pre-flight, fence, catch-up, flip, verify, unfence.
  const stepper = dialog.locator("[data-testid^=move-mv_]");
  await expect(stepper).toHaveAttribute("data-state", "completed", { timeout: 15_000 });
  for (const step of ["preflight", "fence", "catch_up", "flip", "verify", "unfence"])
    await expect(stepper.locator(`[data-step="${step}"]`)).toHaveAttribute("data-status", "done");
  await expect(stepper.getByTestId("write-pause")).toHaveText(/write pause \d+ ms/);
  await shot(page, "03-admin-move-completed");
  await dialog.getByRole("button", { name: /Close/ }).click();
  await expect(row.getByTestId("serving")).toContainText("Cyberjaya");
  await expect(row.getByTestId("serving")).toContainText("away from primary");

  // The overseer's page changed without a reload, and shows the finished move.
  await expect(watchedRow.getByTestId("serving")).toContainText("Cyberjaya", { timeout: 5000 });
  await expect(watcher.getByTestId("moves-panel")).toContainText("Klinik Kuching");
  await shot(watcher, "04-overseer-sees-move-live");

  // Residency: Shah Alam is locked to KL DC. Pre-flight says so; the server refuses and audits.
  await page.getByLabel("Search tenants").fill("Shah Alam");
  const locked = page.getByTestId("tenant-klinik-shah-alam");
  await locked.getByRole("button", { name: /Move .* to another region/ }).click();
  await expect(dialog.getByTestId("preflight").locator('[data-check="residency"]')).toHaveAttribute("data-ok", "false");
  await expect(dialog.getByTestId("preflight")).toContainText("may only be served from KL DC");
  await dialog.getByRole("button", { name: "Move to Cyberjaya" }).click();
  await expect(dialog.getByTestId("move-error")).toContainText("Residency lock: Klinik Kesihatan Shah Alam may only be served from KL DC");
  await shot(page, "05-admin-residency-refused");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(locked.getByTestId("serving")).toContainText("KL DC");

  // Both attempts are in the audit log, and the refusal is counted.
  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByTestId("chain-ok")).toBeVisible();
  await expect(page.getByTestId("violations")).toHaveText("Residency violations prevented: 1");
  await expect(page.getByRole("row", { name: /tenant\.switch.*succeeded.*tenant:klinik-kuching/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /tenant\.move.*refused.*tenant:klinik-shah-alam/ })).toBeVisible();
  await shot(page, "06-admin-audit");
  await watcher.context().close();
});

test("admin: mark a region down and up; the overview says so within two seconds", async ({ browser }) => {
  const page = await newSignedInPage(browser, "admin", "dark");
  // This test is about what the overview says; the failover a lost region gets is e2e/failover.spec.ts.
  const off = await page.request.post("/api/failover/mode", {
    headers: sameOrigin(page),
    data: { mode: "off", reason: "overview test: no automatic failover" },
  });
  expect(off.status()).toBe(200);
  const cyb = page.getByTestId("region-cyberjaya_1");
  await cyb.getByTestId("mark-cyberjaya_1").click();
  await page
    .getByRole("dialog")
    .getByLabel(/Reason/)
    .fill("drill: Cyberjaya power loss");
  await page.getByRole("dialog").getByRole("button", { name: "Mark down" }).click();
  await expect(cyb).toHaveAttribute("data-status", "down", { timeout: 2000 });
  // The alert is confirmed by a second sample (one second later), so it may trail the card slightly.
  await expect(page.getByTestId("alert-banner")).toContainText("Region down — Cyberjaya is down", { timeout: 3000 });
  await expect(cyb.getByTestId("reasons")).toContainText("marked down by an admin");
  await expect(page.getByTestId("region-kl_dc_1").getByTestId("reasons")).toContainText("source region down");
  await shot(page, "07-admin-region-down-dark");
  // every signal agrees for the confirmation window: lost, but automatic action is off
  await expect(page.getByTestId("detection-cyberjaya_1")).toHaveAttribute("data-state", "lost", { timeout: 10_000 });

  await cyb.getByTestId("mark-cyberjaya_1").click();
  await page.getByRole("dialog").getByRole("button", { name: "Mark up" }).click();
  await expect(cyb).not.toHaveAttribute("data-status", "down", { timeout: 2000 });
  // The region-down alert ends (a lag SLO alert may follow while replication catches up: that is true).
  await expect(page.getByText(/Region down — Cyberjaya is down/)).toHaveCount(0, { timeout: 3000 });
  // automatic action was off: the console recorded that it would not act, and why
  await expect(page.getByTestId("decisions")).toContainText("Cyberjaya is lost; automatic action is off: an admin decides");
  const auto = await page.request.post("/api/failover/mode", { headers: sameOrigin(page), data: { mode: "auto", reason: "overview test done" } });
  expect(auto.status()).toBe(200);
  await page.context().close();
});
