import type { z } from "zod";

/** Turns a zod error into one sentence a person can act on. */
export function describeZodError(e: z.ZodError): string {
  return e.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}
