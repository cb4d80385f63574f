import { createRequire } from 'node:module';
import { FaasportError } from './errors.js';

/** What a built-in target needs installed beside faasport, per use. README "What to install" says the same. */
export interface TargetPackages {
  /** `faasport build --target <name>` (and loading `faasport/<name>`). */
  readonly build: readonly string[];
  /** `faasport conformance --adapter <name>`: the harness's SDKs and emulators. */
  readonly conformance: readonly string[];
  /** `faasport deploy --target <name>`, beside what build needs. */
  readonly deploy: readonly string[];
}

export const BUILTIN_TARGET_PACKAGES: Readonly<Record<string, TargetPackages>> = {
  local: { build: [], conformance: [], deploy: [] },
  aws: { build: [], conformance: ['@aws-sdk/client-sqs', '@aws-sdk/client-sns', 'fauxqs'], deploy: ['@aws-sdk/client-lambda'] },
  azure: { build: ['@azure/functions'], conformance: ['@azure/functions', '@azure/storage-queue', 'azurite'], deploy: [] },
  gcp: { build: [], conformance: ['@google-cloud/functions-framework'], deploy: [] },
};

/** True when `name` resolves from faasport's own location, as the import that needs it will. */
function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(`${name}/package.json`);
    return true;
  } catch (err) {
    // The package is there but does not export its package.json.
    return (err as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  }
}

/** The names in `names` that are not installed, in order. */
export function missingPackages(names: readonly string[]): string[] {
  return [...new Set(names)].filter((name) => !installed(name));
}

/** The one error for missing packages: it names what needs them and the line that installs them. */
export function packageMissing(operation: string, names: readonly string[]): FaasportError {
  const list = names.map((n) => `"${n}"`).join(', ');
  return new FaasportError(
    'PACKAGE_MISSING',
    `${operation} needs ${names.length === 1 ? 'the package' : 'the packages'} ${list}, not installed here; run: npm install ${names.join(' ')}`,
    { details: { packages: [...names] } },
  );
}

/** Throws PACKAGE_MISSING naming every package of `names` that is not installed. */
export function requirePackages(operation: string, names: readonly string[]): void {
  const missing = missingPackages(names);
  if (missing.length > 0) throw packageMissing(operation, missing);
}

/**
 * PACKAGE_MISSING for an import of an uninstalled package (ERR_MODULE_NOT_FOUND from `import`,
 * MODULE_NOT_FOUND from `require`), or undefined for any other error, including a missing
 * relative file.
 */
export function fromModuleNotFound(err: unknown, operation: string): FaasportError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const specifier = /Cannot find (?:package|module) '([^']+)'/.exec(String((err as Error).message))?.[1];
  if (!specifier || /^(?:[./]|[A-Za-z]:|file:|node:)/.test(specifier)) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return packageMissing(operation, [name]);
}
