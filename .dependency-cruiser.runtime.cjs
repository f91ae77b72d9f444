// Second pass of `npm run deps`: import cycles among lib/ modules, on the runtime graph only.
// With tsPreCompilationDeps: false depcruise reads each file as TypeScript compiles it, so imports
// used only for types are gone (they cannot form a cycle at run time) and every cycle it finds is
// real. (The first pass keeps type-only imports because the client rules need them, and depcruise
// reports one cycle per import, which could run through a type-only import and hide a real one.)
const main = require("./.dependency-cruiser.cjs");

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-runtime-cycles-in-lib",
      severity: "error",
      comment: "A runtime import cycle among lib/ modules: module initialisation order then decides which side sees undefined.",
      from: { path: "^lib/" },
      to: { path: "^lib/", circular: true, viaOnly: { path: "^lib/" } },
    },
    // Also guards this pass's own alias set-up: unresolved imports would hide every cycle.
    ...main.forbidden.filter((rule) => rule.name === "not-to-unresolvable"),
  ],
  options: {
    ...main.options,
    tsPreCompilationDeps: false,
    // No tsConfig: with one, depcruise transpiles to its target (ES2022), newer than the ES2020 its
    // acorn parser reads, and falls back to a loose parse that can drop imports. Without one it
    // transpiles to ES2015; the @/ alias then comes from this small webpack-style resolve config.
    tsConfig: undefined,
    webpackConfig: { fileName: "scripts/depcruise/resolve-alias.cjs" },
  },
};
