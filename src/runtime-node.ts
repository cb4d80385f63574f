/**
 * The Node version policy. faasport itself (CLI, `faasport dev`, `faasport build`) runs on the
 * Node in package.json `engines` (>=20.19); everything `faasport build` writes targets the Node
 * runtime each cloud runs today, Node 22: Lambda `nodejs22.x`, Cloud Functions `nodejs22`,
 * Azure Functions Node 22. Every generated artifact reads its version from here.
 */
export const RUNTIME_NODE_MAJOR = 22 as const;
/** `engines.node` of every generated package.json. */
export const RUNTIME_NODE_ENGINES = `>=${RUNTIME_NODE_MAJOR}` as const;
/** esbuild `target` of every bundle a build writes. */
export const RUNTIME_ESBUILD_TARGET = `node${RUNTIME_NODE_MAJOR}` as const;
