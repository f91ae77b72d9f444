import { expect, test } from "@playwright/test";
import { newSignedInPage, sameOrigin, shot, signIn } from "./helpers";

// T4 + T5 and seed 000's "East Malaysia tenants migrated to Cyberjaya as primary": an admin
// bulk-moves the East Malaysia clinics to Cyberjaya and re-homes them there; a second admin
// approves; both watch the batch complete and the clinics' primary become Cyberjaya. (admin.spec
// moved Klinik Kuching already: it is refused here.)
test("bulk re-home of the East Malaysia clinics, approved by a second admin, watched to completion", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signIn(page, "admin");
  await page.getByRole("link", { name: "Tenants" }).click();
  await expect(page.getByTestId("tenant-count")).toHaveText("35 shown");
  for (const state of ["Sabah", "Sarawak"]) {
    await page.getByLabel("Filter by state").selectOption(state);
    await expect(page.getByTestId("tenant-count")).toHaveText(state === "Sabah" ? "2 shown" : "3 shown");
    for (const row of await page.getByRole("checkbox", { name: /^Select Klinik/ }).all()) await row.check();
  }
  await page.getByLabel("Filter by state").selectOption("");
  await expect(page.getByTestId("bulk-move")).toHaveText(/Move selected \(5\)/);
  await page.getByTestId("bulk-move").click();
  const dialog = page.getByTestId("bulk-dialog");
  await dialog.getByLabel("Target region").selectOption("cyberjaya_1");
  await dialog.getByLabel(/Reason/).fill("East Malaysia clinics to Cyberjaya");
  await dialog.getByTestId("bulk-rehome").getByRole("checkbox").check();
  await dialog.getByRole("button", { name: /Move 5 to Cyberjaya/ }).click();
  // When admin.spec ran first, Klinik Kuching is in Cyberjaya already and is refused with that reason.
  await expect(dialog.getByTestId("bulk-result")).toContainText(
    /^[45] moves to Cyberjaya \(re-home: Cyberjaya becomes their primary\) wait for a second admin's approval/,
  );
  const n = Number((await dialog.getByTestId("bulk-result").innerText()).slice(0, 1));
  if (n === 4) await expect(dialog.getByTestId("bulk-result")).toContainText(/klinik-kuching: .*already served by Cyberjaya/);
  await dialog.getByRole("button", { name: "Close" }).click();

  // The requester cannot approve their own request.
  const panel = page.getByTestId("approvals-panel");
  await expect(panel).toContainText(`Bulk move of ${n} tenants to cyberjaya_1 as their new primary region (re-home)`);
  await expect(panel.getByRole("button", { name: "Approve" })).toBeDisabled();
  await shot(page, "40-bulk-waiting-for-approval");

  // A second admin approves from another browser.
  const second = await newSignedInPage(browser, "admin2");
  await second.getByRole("link", { name: "Tenants" }).click();
  await second.getByTestId("approvals-panel").getByRole("button", { name: "Approve" }).click();
  await expect(second.getByTestId("approvals-panel")).toHaveCount(0, { timeout: 15_000 });

  const batch = page.locator("[data-testid^=batch-mb_]").first();
  await expect(batch).toContainText(`${n} of ${n} completed`, { timeout: 60_000 });
  for (const id of ["klinik-kota-kinabalu", "klinik-sandakan", "klinik-miri", "klinik-sibu"]) {
    await expect(batch.getByTestId(`move-row-${id}`)).toHaveAttribute("data-state", "completed");
    await expect(page.getByTestId(`tenant-${id}`).getByTestId("serving")).toContainText("Cyberjaya");
    // Re-homed: Cyberjaya is the primary now, so the clinic is not "away from primary".
    await expect(page.getByTestId(`tenant-${id}`).getByTestId("primary")).toHaveText("Cyberjaya");
    await expect(page.getByTestId(`tenant-${id}`).getByTestId("serving")).not.toContainText("away from primary");
  }
  await expect(second.locator("[data-testid^=batch-mb_]").first()).toContainText(`${n} of ${n} completed`);
  await shot(page, "41-bulk-completed");
  await second.context().close();
});

test("break-glass needs a reason and an expiry, and shows a banner to everyone while it lasts", async ({ page, browser }) => {
  await signIn(page, "admin2");
  await page.getByRole("button", { name: /Break glass/ }).click();
  await page
    .getByRole("dialog")
    .getByLabel(/Reason/)
    .fill("Cyberjaya evacuation drill, no second admin on shift");
  await page
    .getByRole("dialog")
    .getByLabel(/Expires after/)
    .fill("5");
  // A1: it needs the password again; a wrong one is refused and nothing starts.
  await page
    .getByRole("dialog")
    .getByLabel(/Your password/)
    .fill("not-the-password");
  await page.getByRole("dialog").getByRole("button", { name: "Break glass" }).click();
  await expect(page.getByRole("dialog").getByRole("alert")).toContainText("That is not your password");
  await page
    .getByRole("dialog")
    .getByLabel(/Your password/)
    .fill("federation-demo");
  await page.getByRole("dialog").getByRole("button", { name: "Break glass" }).click();
  await expect(page.getByTestId("break-glass-banner")).toContainText("admin2@federation.local acts without a second admin");
  const watcher = await newSignedInPage(browser, "overseer");
  await expect(watcher.getByTestId("break-glass-banner")).toContainText("Cyberjaya evacuation drill");
  await shot(watcher, "42-break-glass-banner-overseer");

  // One at a time per admin.
  const twice = await page.request.post("/api/break-glass", { headers: sameOrigin(page), data: { reason: "a second window on top", minutes: 5 } });
  expect(twice.status()).toBe(409);
  expect((await twice.json()).error.message).toBe("You already have break-glass active; end it first.");
  await page.getByRole("button", { name: "End break-glass" }).click();
  await expect(page.getByTestId("break-glass-banner")).toHaveCount(0);
  // A too-short reason is refused with a clear message.
  const short = await page.request.post("/api/break-glass", { headers: sameOrigin(page), data: { reason: "now", minutes: 5 } });
  expect(short.status()).toBe(400);
  expect((await short.json()).error.message).toMatch(/say why in at least 10 characters/);
  await watcher.context().close();
});
