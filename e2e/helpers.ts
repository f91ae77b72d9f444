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
