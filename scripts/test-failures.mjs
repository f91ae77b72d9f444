// Prints every failed test of a suite's JSON report, briefly: its name, the first lines of its
// error and its annotations (the figures a test records on the way). scripts/test.sh calls it
// when a suite fails, so that the end of the output — all a CI log may keep — names each failure.
// Usage: node scripts/test-failures.mjs vitest|playwright <report.json>
import { readFileSync } from "node:fs";

const [kind, file] = process.argv.slice(2);
const MAX_LINES = 8;
// biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal colours from messages
const plain = (s) => String(s ?? "").replace(/\u001b\[[0-9;]*m/g, "");
const brief = (s) =>
  plain(s)
    .split("\n")
    .filter((l) => l.trim())
    .slice(0, MAX_LINES)
    .map((l) => `      ${l.slice(0, 300)}`)
    .join("\n");

let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (e) {
  console.log(`(no ${kind} report at ${file}: ${e.message})`);
  process.exit(0);
}
const failures = [];
if (kind === "vitest") {
  for (const suite of report.testResults ?? [])
    for (const t of suite.assertionResults ?? [])
      if (t.status === "failed")
        failures.push({ title: `${suite.name.replace(process.cwd() + "/", "")} › ${t.fullName}`, error: (t.failureMessages ?? []).join("\n"), notes: [] });
} else {
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? []) {
        const last = t.results?.[t.results.length - 1];
        if (t.status === "unexpected" || t.status === "flaky")
          failures.push({
            title: `[${t.projectName}] ${[...path, spec.title].join(" › ")}${t.status === "flaky" ? " (flaky)" : ""}`,
            error: (last?.errors ?? []).map((e) => e.message).join("\n"),
            notes: (t.annotations ?? []).map((a) => `${a.type}: ${plain(a.description).slice(0, 600)}`),
          });
      }
    for (const s of suite.suites ?? []) walk(s, [...path, s.title]);
  };
  for (const s of report.suites ?? []) walk(s, [s.file ?? s.title]);
}
if (!failures.length) process.exit(0);
console.log(`\n${failures.length} failed ${kind === "vitest" ? "test(s)" : "e2e test(s)"}:`);
for (const f of failures) {
  console.log(`  ✗ ${f.title}`);
  if (f.error) console.log(brief(f.error));
  for (const n of f.notes) console.log(`      · ${n}`);
}
