// Makes `import "server-only"` a no-op in the processes we start ourselves with Node/tsx:
// the custom server (server.ts: workers, composition root), the bench scripts, the tools.
// Load it with `tsx --import ./scripts/server-only-hook.mjs …` or `node --import …`, or put it
// in NODE_OPTIONS (`--import=./scripts/server-only-hook.mjs`) so child processes get it too.
//
// The `server-only` package throws unless resolved under the `react-server` export condition,
// which only Next.js's server bundles set; plain Node never does. Passing
// --conditions=react-server to the whole process would also switch React (and anything else
// with that condition) to its server build, so this adds the condition for this one package:
// `server-only` then resolves to its own empty.js. Next.js's bundling is untouched: a client
// component that imports a server-only module still fails `next build`.
import Module, { createRequire, register } from "node:module";
import { dirname, join } from "node:path";

// ESM (`import "server-only"`, what our TypeScript compiles to): a resolve hook.
register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier !== "server-only") return next(specifier, context);
      return next(specifier, { ...context, conditions: [...context.conditions, "react-server"] });
    }
  `)}`,
);

// CJS (`require("server-only")`, should any CommonJS path load such a module): Node 20's
// module.register hooks do not see require(), so point the resolver at the same empty.js.
const empty = join(dirname(createRequire(import.meta.url).resolve("server-only")), "empty.js");
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === "server-only" ? empty : resolveFilename.call(this, request, ...rest);
};
