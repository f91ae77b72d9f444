import { z } from "zod";

// One rule for every piece of input at the edge. Text from a person is valid Unicode (no lone
// UTF-16 surrogates), carries no control or bidirectional-override characters (newlines only
// where a field allows them), is NFC-normalised and trimmed, and has a length bound. Numbers are
// JSON numbers in bodies and plain digits in query strings: nothing else is coerced.

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_EXCEPT_NEWLINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Bidi embeddings, overrides and isolates: they make text read differently from what it is. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

export interface TextRule {
  max: number;
  min?: number;
  /** Allow line breaks (and tabs). */
  multiline?: boolean;
  /** Message when shorter than min. */
  minMessage?: string;
}

/** Free text from a person, under the one rule above. */
export function text(field: string, rule: TextRule) {
  const control = rule.multiline ? CONTROL_EXCEPT_NEWLINES : CONTROL;
  return z
    .string({ error: `${field} must be text` })
    .max(rule.max * 4, `${field} is longer than ${rule.max} characters`)
    .refine((s) => s.isWellFormed(), `${field} is not valid Unicode (it contains a lone surrogate)`)
    .refine((s) => !control.test(s), `${field} contains a control character${rule.multiline ? "" : " (line breaks are not allowed here)"}`)
    .refine((s) => !BIDI.test(s), `${field} contains a bidirectional-override character`)
    .transform((s) => s.normalize("NFC").trim())
    .pipe(
      z
        .string()
        .min(rule.min ?? 0, rule.minMessage ?? `${field} must be at least ${rule.min} characters`)
        .max(rule.max, `${field} is longer than ${rule.max} characters`),
    );
}

/** An identifier: matched whole by a pattern, so nothing but the allowed characters gets through. */
export function identifier(field: string, pattern: RegExp, describe: string, max = 64) {
  return z
    .string({ error: `${field} is required` })
    .max(max, `${field} is longer than ${max} characters`)
    .regex(pattern, `${field} ${describe}`);
}

/** An integer in a JSON body: a JSON number, never a string, boolean or array. */
export function jsonInt(field: string, min: number, max: number, minMessage?: string, maxMessage?: string) {
  return z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(min, minMessage ?? `${field} must be ${min} or more`)
    .max(max, maxMessage ?? `${field} must be at most ${max}`);
}

/** An integer in a query string: plain decimal digits only. */
export function queryInt(field: string, min: number, max: number) {
  return z
    .string({ error: `${field} must be a number` })
    .regex(/^[0-9]{1,9}$/, `${field} must be a whole number written in digits`)
    .transform(Number)
    .pipe(z.number().min(min, `${field} must be ${min} or more`).max(max, `${field} is at most ${max}`));
}

/** Turns a zod error into one sentence a person can act on. */
export function describeZodError(e: z.ZodError): string {
  return e.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

/** A value for LIKE/ILIKE that matches itself only: %, _ and \ lose their pattern meaning. */
export function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, "\\$&");
}
