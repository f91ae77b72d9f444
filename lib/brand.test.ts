import { describe, expect, it } from "vitest";
import { AppError, conflict } from "./errors";
import { FederationError } from "./federation/types";
import { StaleTransitionError } from "./state-machine";

// The custom server (tsx) and Next's bundle load separate copies of a module: an error made by
// the copy the composition root used must still be `instanceof` the class a route imported.
describe("branded errors", () => {
  it("are recognised by their brand, whichever copy of the module made them", () => {
    const foreign = Object.assign(new Error("from the other copy"), { [Symbol.for("federation-console.AppError")]: true });
    expect(foreign instanceof AppError).toBe(true);
    expect(new Error("plain") instanceof AppError).toBe(false);
  });

  it("keep subclasses apart from their parent", () => {
    const stale = new StaleTransitionError("move", "mv_1", "queued", "running", "completed");
    expect(stale instanceof StaleTransitionError).toBe(true);
    expect(stale instanceof AppError).toBe(true);
    expect(conflict("conflict", "x") instanceof StaleTransitionError).toBe(false);
    expect(new FederationError("x", "timeout", true) instanceof AppError).toBe(false);
    expect(new FederationError("x", "timeout", true) instanceof FederationError).toBe(true);
  });
});
