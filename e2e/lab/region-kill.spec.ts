import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { newSignedInPage, resolveRouteDriftForTest, shot, waitUntilNoActiveMoves } from "../helpers";

// F1/F2 on the lab's real servers: every process of Cyberjaya is killed at once (a power cut). The
// overview shows the loss signal by signal, the failover once Cyberjaya's last write lease ran out,
// and its tenants served by KL DC (a tenant locked to Cyberjaya held in place). Then the region is
// restarted and brought back by an admin (its errant writes re-applied), and its tenants return by
// re-pin after recovery, leaving the lab as it was found. Named to run after the other lab tests.

const net = (...args: string[]) => execFileSync("lab/ctl", args, { stdio: "pipe", timeout: 60_000 });

test("lab: Cyberjaya killed — detected by every signal, failed over, its tenants served by KL DC; brought back and re-pinned", async ({ browser }) => {
  test.setTimeout(300_000);
  const admin = await newSignedInPage(browser, "admin");
  await resolveRouteDriftForTest(admin, "the lab's router held a table other than this fresh console's");
  const overseer = await newSignedInPage(browser, "overseer");
  const detection = overseer.getByTestId("detection-cyberjaya_1");
  await expect(detection).toHaveAttribute("data-state", "healthy", { timeout: 30_000 });

  const killedAt = Date.now();
  net("kill-region", "cyberjaya_1");
  try {
    const failover = overseer.locator("[data-testid^='failover-fo_']").first();
    await expect(failover).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
    test.info().annotations.push({ type: "kill → failover completed on screen", description: `${Date.now() - killedAt} ms` });
    await expect(detection).toHaveAttribute("data-state", "failed_over");
    await expect(failover).toContainText("Cyberjaya → KL DC");
    await expect(failover).toContainText("Klinik Putrajaya Presint 9: unavailable, data held in place in Cyberjaya: residency lock allows only Cyberjaya");
    await expect(failover.locator("[data-step='route'][data-status='done']")).toContainText(/re-routed in one commit/);
    await expect(overseer.getByTestId("decisions")).toContainText(
      /acted \(auto\) — Cyberjaya is lost: no answer to the console for [\d.]+ s, KL DC no longer hears it, HAProxy marks it down/,
    );
    await shot(overseer, "72-lab-region-killed-failed-over");
    await overseer.goto("/tenants");
    await expect(overseer.getByTestId("tenant-klinik-seremban-2").getByTestId("serving")).toContainText("KL DC");
    await expect(overseer.getByTestId("tenant-klinik-seremban-2").getByTestId("observed")).toContainText("KL DC · ok", { timeout: 20_000 });
    await shot(overseer, "73-lab-tenants-after-failover");
    await overseer.goto("/overview");
  } finally {
    execFileSync("lab/up", [], { stdio: "pipe", timeout: 180_000 });
  }

  // Bring it back: check what it wrote that never crossed, re-apply it, watch the catch-up.
  const f = admin.locator("[data-testid^='failover-fo_']").first();
  await expect(async () => {
    await f.locator("[data-testid^='return-check-']").click();
    await expect(f.getByTestId("errant")).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout: 60_000 });
  await f.getByLabel("Reason for bringing it back").fill("power restored in Cyberjaya");
  await f.locator("[data-testid^='return-reapply-'], [data-testid^='return-go-']").first().click();
  await expect(overseer.locator("[data-testid^='return-'] .stepper").first()).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
  await expect(detection).toHaveAttribute("data-state", "healthy", { timeout: 30_000 });
  await shot(overseer, "74-lab-region-brought-back");

  // its tenants return by re-pin after recovery (the e2e console's hold-down is 10 s)
  await overseer.goto("/tenants");
  await expect(overseer.getByTestId("tenant-klinik-seremban-2").getByTestId("serving")).toHaveText(/^Cyberjaya/, { timeout: 180_000 });
  await waitUntilNoActiveMoves(admin);
  await admin.context().close();
  await overseer.context().close();
});
