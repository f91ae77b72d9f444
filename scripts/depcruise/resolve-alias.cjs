// The @/ alias of tsconfig.json for depcruise's runtime pass, which reads no tsconfig (see .dependency-cruiser.runtime.cjs).
const { resolve } = require("node:path");
module.exports = { resolve: { alias: { "@": resolve(__dirname, "../..") } } };
