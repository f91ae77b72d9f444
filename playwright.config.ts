import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const LAB_PORT = Number(process.env.E2E_LAB_PORT ?? 3101);
// The lab project runs only when the lab is up (scripts/test.sh starts it); E2E_LAB=1 says so.
const withLab = process.env.E2E_LAB === "1";

// Debian's chromium (browser downloads fail here). The console runs as the README runs it,
// production build, embedded database in a fresh temporary directory, simulated federation.
export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  projects: [
    { name: "sim", testIgnore: /lab\//, use: { baseURL: `http://localhost:${PORT}` } },
    ...(withLab ? [{ name: "lab", testMatch: /lab\/.*\.spec\.ts/, use: { baseURL: `http://localhost:${LAB_PORT}` } }] : []),
  ],
  use: {
    viewport: { width: 1440, height: 900 },
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: [
    {
      command: `bash scripts/e2e-server.sh ${PORT} sim`,
      url: `http://localhost:${PORT}/api/health`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
    },
    ...(withLab
      ? [
          {
            command: `bash scripts/e2e-server.sh ${LAB_PORT} lab`,
            url: `http://localhost:${LAB_PORT}/api/health`,
            timeout: 180_000,
            reuseExistingServer: false,
            stdout: "pipe" as const,
            stderr: "pipe" as const,
          },
        ]
      : []),
  ],
});
