import { AppError } from "@/lib/errors";
import { branded } from "@/lib/brand";

// A state machine over a typed state column: the states, the ones a row may be created in, and
// the allowed transitions, written once as a table. Each machine's module (lib/moves/state-machine.ts,
// lib/approvals/state-machine.ts) adds the one guarded database update that every change of its
// state goes through. Pure: no database here, so the tables may be read anywhere.

export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

export interface Machine<S extends string> {
  /** What the machine's rows are called in messages ("move", "approval"). */
  readonly name: string;
  readonly states: readonly S[];
  /** The states a row may be created in. */
  readonly initial: readonly S[];
  readonly transitions: TransitionTable<S>;
  isState(s: string): s is S;
  can(from: S, to: S): boolean;
  /** States with no way out. */
  isFinal(s: S): boolean;
  /** Throws IllegalTransitionError unless `from → to` is in the table. */
  assert(from: S, to: S, subject?: string): void;
  /** Throws IllegalTransitionError unless a row may be created in `s`. */
  assertInitial(s: S, subject?: string): void;
}

/** A change of state the machine does not allow: a bug in the caller, never an expected refusal. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly machine: string,
    readonly from: string | null,
    readonly to: string,
    message: string,
  ) {
    super(message);
    this.name = "IllegalTransitionError";
  }
}

/**
 * The row was not in the state the change was made from: someone changed it meanwhile (or it is
 * gone). Nothing was written. A 409 when it reaches a person.
 */
export class StaleTransitionError extends AppError {
  constructor(
    readonly machine: string,
    readonly subject: string,
    readonly from: string,
    readonly to: string,
    readonly actual: string | null,
  ) {
    super(
      409,
      "conflict",
      actual === null
        ? `${machine} ${subject} no longer exists: ${from} → ${to} not applied.`
        : `${machine} ${subject} is ${actual}, not ${from}: it changed meanwhile; ${from} → ${to} not applied.`,
      { [`${machine}Id`]: subject, from, to, actual },
    );
    this.name = "StaleTransitionError";
  }
}
branded(StaleTransitionError, "StaleTransitionError");

export function defineMachine<S extends string>(name: string, def: { initial: readonly S[]; transitions: TransitionTable<S> }): Machine<S> {
  const states = Object.keys(def.transitions) as S[];
  const isState = (s: string): s is S => Object.hasOwn(def.transitions, s);
  const label = (subject?: string) => (subject ? `${name} ${subject}` : name);
  const can = (from: S, to: S) => isState(from) && isState(to) && def.transitions[from].includes(to);
  return {
    name,
    states,
    initial: def.initial,
    transitions: def.transitions,
    isState,
    can,
    isFinal: (s) => isState(s) && def.transitions[s].length === 0,
    assert(from, to, subject) {
      if (can(from, to)) return;
      const where = `Illegal ${name} transition ${from} → ${to} (${label(subject)})`;
      if (!isState(from)) throw new IllegalTransitionError(name, from, to, `${where}: ${from} is not a ${name} state.`);
      if (!isState(to)) throw new IllegalTransitionError(name, from, to, `${where}: ${to} is not a ${name} state.`);
      const next = def.transitions[from];
      throw new IllegalTransitionError(
        name,
        from,
        to,
        next.length === 0 ? `${where}: ${from} is final.` : `${where}: from ${from} a ${name} may only go to ${next.join(", ")}.`,
      );
    },
    assertInitial(s, subject) {
      if (isState(s) && def.initial.includes(s)) return;
      throw new IllegalTransitionError(
        name,
        null,
        s,
        `Illegal initial ${name} state ${s} (${label(subject)}): a ${name} starts as ${def.initial.join(" or ")}.`,
      );
    },
  };
}
