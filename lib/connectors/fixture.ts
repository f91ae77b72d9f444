// Test helper: read a captured fixture beside a connector.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export function fixture(system: string, name: string): string {
  return readFileSync(path.join(here, system, "fixtures", name), "utf8");
}
export function jsonFixture<T = Record<string, unknown>[]>(system: string, name: string): T {
  return JSON.parse(fixture(system, name)) as T;
}
