import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FaasportError } from 'faasport';

/** One entry of an npm lockfile's `packages` map (lockfile v2/v3). */
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface Lockfile {
  name: string;
  version: string;
  lockfileVersion: 3;
  requires: true;
  packages: Record<string, LockEntry>;
}

export interface RuntimeDependencies {
  /** package.json `dependencies`: exact versions, as installed where the build ran. */
  readonly dependencies: Record<string, string>;
  /** The matching `package-lock.json`, so the image runs `npm ci --omit=dev` on exactly these. */
  readonly lockfile: Lockfile;
}

/**
 * The runtime dependencies of a built server (the cloud SDKs it keeps external) pinned to
 * the versions installed beside the app, with a lockfile cut from the installed tree's own
 * (`node_modules/.package-lock.json`, else `package-lock.json`): the packages and every
 * package they need, at the same paths, versions and integrity hashes, with dev flags
 * cleared so `npm ci --omit=dev` installs them. `resolved` URLs are left out: npm fetches
 * by name and version from whatever registry the image build is configured for, and the
 * integrity hash still pins the bytes.
 */
export function runtimeDependencies(appName: string, packages: readonly string[], from: string): RuntimeDependencies {
  const operation = `container build: pinning ${packages.join(', ')}`;
  const root = installRoot(packages, from, operation);
  const source = readLock(root, operation);
  const picked: Record<string, LockEntry> = {};
  const dependencies: Record<string, string> = {};

  const visit = (fromPath: string, name: string, required: boolean, chain: string): void => {
    const found = resolveFrom(source, fromPath, name);
    if (!found) {
      if (required)
        throw new FaasportError(
          'CONFIG_INVALID',
          `${operation}: ${chain} needs "${name}", which the installed tree does not hold; run npm install and build again`,
        );
      return;
    }
    if (picked[found]) return;
    const entry = source[found]!;
    if (entry.link)
      throw new FaasportError('CONFIG_INVALID', `${operation}: "${name}" is a linked (workspace) package; install it from the registry to build a container`);
    const { dev: _dev, devOptional: _devOptional, peer: _peer, resolved: _resolved, ...kept } = entry;
    picked[found] = kept;
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(found, dep, true, `${chain} → ${name}`);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(found, dep, false, `${chain} → ${name}`);
    // npm installs peers too; a missing optional peer is fine.
    for (const dep of Object.keys(entry.peerDependencies ?? {})) visit(found, dep, false, `${chain} → ${name}`);
  };
  for (const name of packages) {
    const path = resolveFrom(source, '', name);
    const version = path ? source[path]!.version : undefined;
    if (!version) throw new FaasportError('CONFIG_INVALID', `${operation}: "${name}" is not installed; npm install ${name} and build again`);
    dependencies[name] = version;
    visit('', name, true, 'the server');
  }
  const sorted = Object.fromEntries(
    Object.keys(picked)
      .sort()
      .map((k) => [k, picked[k]!]),
  );
  return {
    dependencies,
    lockfile: {
      name: appName,
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: appName, version: '1.0.0', dependencies }, ...sorted },
    },
  };
}

/** Node's lookup, in lockfile paths: `<from>/node_modules/<name>`, then each parent's. */
function resolveFrom(packages: Record<string, LockEntry>, fromPath: string, name: string): string | undefined {
  let base = fromPath;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

function installRoot(packages: readonly string[], from: string, operation: string): string {
  let dir = from;
  for (;;) {
    if (packages.every((p) => existsSync(join(dir, 'node_modules', p, 'package.json')))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new FaasportError(
        'PACKAGE_MISSING',
        `${operation}: no node_modules above ${from} holds them all; npm install ${packages.join(' ')} and build again`,
        { details: { packages: packages.filter((p) => !existsSync(join(from, 'node_modules', p, 'package.json'))) } },
      );
    dir = parent;
  }
}

function readLock(root: string, operation: string): Record<string, LockEntry> {
  for (const file of [join(root, 'node_modules', '.package-lock.json'), join(root, 'package-lock.json')]) {
    if (!existsSync(file)) continue;
    const lock = JSON.parse(readFileSync(file, 'utf8')) as { lockfileVersion?: number; packages?: Record<string, LockEntry> };
    if (lock.packages && (lock.lockfileVersion ?? 0) >= 2) return lock.packages;
  }
  throw new FaasportError('CONFIG_INVALID', `${operation}: ${root} has no npm lockfile (v2 or v3); install with npm (npm install) and build again`);
}
