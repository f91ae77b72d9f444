import { afterAll, beforeAll, describe, it } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import { pgliteRunner } from "./sql";
import { checkTypedStatesUpgrade } from "@/lib/testing/typed-states-upgrade";

let lite: PGlite;
beforeAll(async () => {
  lite = await PGlite.create();
});
afterAll(async () => lite?.close());

describe("migration 0006 on embedded PGlite", () => {
  it("turns the states and kinds of existing moves and approvals into enums, keeping every value, the default and the one-active index", async () => {
    await checkTypedStatesUpgrade(pgliteRunner(lite));
  });
});
