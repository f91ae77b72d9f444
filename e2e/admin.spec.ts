import { expect, test } from "@playwright/test";
import { newSignedInPage, shot, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

test("admin: the overview is live — figures change and their age stays fresh", async ({ page }) => {
  await signIn(page, "admin");
  const kl = page.getByTestId("region-kl_dc_1");
  await expect(kl.getByRole("heading", { name: "KL DC" })).toBeVisible();
  await expect(page.getByTestId("region-cyberjaya_1")).toBeVisible();
  await expect(kl).toHaveAttribute("data-status", "healthy");
  for (const kind of ["router", "galera", "postgres", "object_store", "inference"]) await expect(kl.getByTestId(`component-${kind}`)).toBeVisible();

  const read = async () => [await kl.getByTestId("lag").innerText(), await kl.getByTestId("gpu").innerText(), await kl.getByTestId("rps").innerText()].join("|");
  const first = await read();
  expect(first).toMatch(/ms\|[\d.]+ %\|[\d,.]+ req\/s/);
  await expect.poll(read, { timeout: 8000, intervals: [1000] }).not.toBe(first);
  // The figures are measured within the last couple of seconds, not frozen.
  await expect(kl.getByTestId("age")).toHaveText(/^[0-2]\.\d s ago$/);
  await shot(page, "01-admin-overview-light");
});

test("admin: switch a tenant; another open browser sees it live; residency refusal is shown", async ({ page, browser }) => {
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
  await row.getByRole("button", { name: /Switch region of Klinik Kuching/ }).click();
  const dialog = page.getByTestId("switch-dialog");
  await expect(dialog.getByRole("heading", { name: "Switch Klinik Kuching" })).toBeVisible();
  await dialog.getByRole("radio", { name: /Cyberjaya/ }).check();
  await dialog.getByLabel(/Reason/).fill("closer to East Malaysia");
  await shot(page, "02-admin-switch-dialog");
  await dialog.getByRole("button", { name: "Switch to Cyberjaya" }).click();
  await expect(page.getByTestId("toast")).toHaveText("Klinik Kuching is now served by Cyberjaya.");
  await expect(row.getByTestId("serving")).toContainText("Cyberjaya");
  await expect(row.getByTestId("serving")).toContainText("away from primary");
  await shot(page, "03-admin-switched");

  // The overseer's page changed without a reload.
  await expect(watchedRow.getByTestId("serving")).toContainText("Cyberjaya", { timeout: 5000 });
  await shot(watcher, "04-overseer-sees-switch-live");

  // Residency: Shah Alam is locked to KL DC.
  await page.getByLabel("Search tenants").fill("Shah Alam");
  const locked = page.getByTestId("tenant-klinik-shah-alam");
  await locked.getByRole("button", { name: /Switch region/ }).click();
  await expect(dialog.getByText(/residency: NOT allowed/)).toBeVisible();
  await dialog.getByRole("button", { name: "Switch to Cyberjaya" }).click();
  await expect(dialog.getByTestId("switch-error")).toContainText("Residency lock: Klinik Kesihatan Shah Alam may only be served from KL DC");
  await shot(page, "05-admin-residency-refused");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(locked.getByTestId("serving")).toContainText("KL DC");

  // Both attempts are in the audit log, and the refusal is counted.
  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByTestId("chain-ok")).toBeVisible();
  await expect(page.getByTestId("violations")).toHaveText("Residency violations prevented: 1");
  await expect(page.getByRole("row", { name: /tenant\.switch.*succeeded.*tenant:klinik-kuching/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /tenant\.switch.*refused.*tenant:klinik-shah-alam/ })).toBeVisible();
  await shot(page, "06-admin-audit");
  await watcher.context().close();
});

test("admin: mark a region down and up; the overview says so within two seconds", async ({ browser }) => {
  const page = await newSignedInPage(browser, "admin", "dark");
  const cyb = page.getByTestId("region-cyberjaya_1");
  await cyb.getByTestId("mark-cyberjaya_1").click();
  await page.getByRole("dialog").getByLabel(/Reason/).fill("drill: Cyberjaya power loss");
  await page.getByRole("dialog").getByRole("button", { name: "Mark down" }).click();
  await expect(cyb).toHaveAttribute("data-status", "down", { timeout: 2000 });
  // The alert is confirmed by a second sample (one second later), so it may trail the card slightly.
  await expect(page.getByTestId("alert-banner")).toContainText("Region down — Cyberjaya is down", { timeout: 3000 });
  await expect(cyb.getByTestId("reasons")).toContainText("marked down by an admin");
  await expect(page.getByTestId("region-kl_dc_1").getByTestId("reasons")).toContainText("source region down");
  await shot(page, "07-admin-region-down-dark");

  await cyb.getByTestId("mark-cyberjaya_1").click();
  await page.getByRole("dialog").getByRole("button", { name: "Mark up" }).click();
  await expect(cyb).not.toHaveAttribute("data-status", "down", { timeout: 2000 });
  await expect(page.getByTestId("alert-banner")).toHaveCount(0, { timeout: 3000 });
  await page.context().close();
});
