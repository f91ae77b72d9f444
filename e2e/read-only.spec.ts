import { expect, test } from "@playwright/test";
import { sameOrigin, shot, signIn } from "./helpers";

test("overseer: no switch or region controls, and a direct POST is refused with 403, nothing changed", async ({ page }) => {
  await signIn(page, "overseer");
  await expect(page.getByTestId("role")).toHaveText("Clinical overseer");
  await expect(page.getByTestId("mark-kl_dc_1")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Audit" })).toHaveCount(0);
  await shot(page, "10-overseer-overview");

  await page.getByRole("link", { name: "Tenants" }).click();
  await expect(page.getByTestId("tenant-count")).toHaveText("35 shown");
  await expect(page.getByRole("button", { name: /to another region/ })).toHaveCount(0);
  const before = (await page.getByTestId("tenant-klinik-miri").getByTestId("serving").locator("span").first().textContent())!;

  const res = await page.request.post("/api/tenants/klinik-miri/region", {
    headers: sameOrigin(page),
    data: { targetRegionId: "cyberjaya_1", expectedVersion: 1 },
  });
  expect(res.status()).toBe(403);
  expect((await res.json()).error.message).toMatch(/Clinical overseer\) may not do this/);
  const mark = await page.request.post("/api/regions/kl_dc_1/mark", { headers: sameOrigin(page), data: { down: true } });
  expect(mark.status()).toBe(403);

  await page.reload();
  await expect(page.getByTestId("tenant-klinik-miri").getByTestId("serving").locator("span").first()).toHaveText(before);
  await shot(page, "11-overseer-tenants");
});

test("compliance: reads tenants and the audit log, cannot switch; its own refused attempt is in the log", async ({ page }) => {
  await signIn(page, "compliance");
  // Stands alone: it makes the refused attempt it then looks for.
  const res = await page.request.post("/api/tenants/klinik-miri/region", {
    headers: sameOrigin(page),
    data: { targetRegionId: "cyberjaya_1", expectedVersion: 1 },
  });
  expect(res.status()).toBe(403);
  const receipt = (await res.json()).error.details.receipt;
  expect(receipt).toMatchObject({ auditSeq: expect.stringMatching(/^\d+$/), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByTestId("chain-ok")).toBeVisible();
  await expect(page.getByRole("row", { name: /compliance@federation.local.*refused/ }).first()).toBeVisible();
  await page.getByRole("link", { name: "Tenants" }).click();
  await expect(page.getByRole("button", { name: /to another region/ })).toHaveCount(0);
  await shot(page, "12-compliance-audit");
});

test("signed out: pages redirect to sign-in and the API answers 401", async ({ page }) => {
  await page.goto("/tenants");
  await expect(page).toHaveURL(/\/signin/);
  const res = await page.request.get("/api/tenants");
  expect(res.status()).toBe(401);
  const bad = await page.request.post("/api/auth/callback/credentials", { form: { email: "admin@federation.local", password: "wrong" } });
  expect(bad.status()).toBeLessThan(500);
  await shot(page, "13-signin");
});

test("sign-out ends the session on the server: a copy of the cookie taken before stops working", async ({ page, request }) => {
  await signIn(page, "overseer");
  const session = (await page.context().cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
  expect(session).toBeDefined();
  const copy = { cookie: `${session!.name}=${session!.value}` };
  expect((await request.get("/api/tenants", { headers: copy })).status()).toBe(200);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/signin**");
  expect((await request.get("/api/tenants", { headers: copy })).status()).toBe(401);
});
