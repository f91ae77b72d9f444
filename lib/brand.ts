// Error classes whose instances cross module copies. The custom server (tsx) and Next.js's bundle
// each load their own copy of a module, so an error made by an object the composition root built
// (a limiter, the federation) is not `instanceof` the class a route imported. A global symbol
// brand makes `instanceof` mean "is this kind of error", whichever copy made it.

/** Adds a cross-copy `instanceof` to an error class, keyed by a global name. */
export function branded<T extends abstract new (...args: never[]) => Error>(cls: T, name: string): T {
  const brand = Symbol.for(`federation-console.${name}`);
  Object.defineProperty(cls.prototype, brand, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value: (v: unknown) => typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[brand] === true,
  });
  return cls;
}
