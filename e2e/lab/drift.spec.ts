import { expect, test } from "@playwright/test";
import { newSignedInPage, resolveRouteDriftForTest, shot } from "../helpers";

// Runs before the other lab specs (files run in name order). The console under test started on a
// fresh database against the lab's router; if that router held a table other than this
// console's (the lab's seed routes on a fresh lab, or routes another console left), the console
// recorded a drift instead of overwriting the router. Everyone sees it; an admin resolves it here,
// in the UI, with a reason: never silently. Without a drift the overview shows no banner.
test("lab: a route drift found at start is shown to everyone and resolved by an admin", async ({ browser }) => {
  test.setTimeout(90_000);
  const overseer = await newSignedInPage(browser, "overseer");
  const rows = ((await (await overseer.request.get("/api/routes/drift")).json()).data as { rows: { tenant: string }[] }).rows;
  const banner = overseer.getByTestId("route-drift");
  if (rows.length === 0) {
    test.info().annotations.push({ type: "route drift", description: "none at start: the lab's router held this console's table" });
    await expect(banner).toHaveCount(0);
    await overseer.context().close();
    return;
  }
  test.info().annotations.push({ type: "route drift", description: `${rows.length} tenant(s) at start` });
  await expect(banner).toContainText(`Router table differs from the console's for ${rows.length} tenant`);
  await expect(banner.getByTestId(`drift-${rows[0].tenant}`)).toBeVisible();
  await expect(overseer.getByTestId("route-drift-read-only")).toBeVisible();
  await expect(banner.getByRole("button", { name: /Push the console's table/ })).toHaveCount(0);
  await shot(overseer, "34-lab-route-drift-overseer");

  const admin = await newSignedInPage(browser, "admin", "dark");
  const adminBanner = admin.getByTestId("route-drift");
  await expect(adminBanner).toBeVisible();
  await adminBanner.getByTestId("resolve-push_console").click();
  const dialog = admin.getByRole("dialog", { name: "Push the console's table into the router?" });
  await dialog.getByLabel(/Reason/).fill("e2e: this console's database is the one under test");
  await shot(admin, "35-lab-route-drift-admin-confirm");
  await dialog.getByRole("button", { name: "Push the console's table", exact: true }).click();
  await expect(admin.getByTestId("route-drift-resolved")).toContainText("Pushed the console's table into the router");
  await expect(adminBanner).toHaveCount(0);
  // Everyone's overview follows (routes:drift over the socket).
  await expect(banner).toHaveCount(0, { timeout: 10_000 });
  await shot(admin, "36-lab-route-drift-resolved");
  expect(await resolveRouteDriftForTest(admin, "nothing should be left")).toBe(0);
  await admin.context().close();
  await overseer.context().close();
});
