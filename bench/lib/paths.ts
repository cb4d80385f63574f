import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The faasport CLI, run from source the way `npm run faasport` does. */
export const CLI = `${ROOT}src/cli.ts`;
/** The functions-framework CLI as its `functions-framework` bin runs it. */
export const FUNCTIONS_FRAMEWORK = `${ROOT}node_modules/@google-cloud/functions-framework/build/src/main.js`;
/** The hello app of the bundle, import, dev and gcp rows. */
export const HELLO_APP = `${ROOT}bench/apps/hello.ts`;

/**
 * A scratch folder inside the repository (ignored by git), so built artifacts resolve their
 * packages from the repository's node_modules as an installed project would.
 */
export function workDir(name: string): string {
  const dir = `${ROOT}bench/.work/${name}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}
