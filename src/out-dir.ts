import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaasportError } from './errors.js';

/** The file faasport leaves in every folder it writes, listing what it wrote there. */
export const OUT_MANIFEST = '.faasport-out.json';
/** What the printed hints make in a built folder (`npm install` there), never the user's own work. */
const BYPRODUCTS = new Set(['node_modules', 'package-lock.json', OUT_MANIFEST]);

/**
 * Refuses an output folder that holds anything faasport did not write there: builds replace
 * their folder's content, and `--out .` must never overwrite a project's own package.json.
 */
export function checkOutDir(outDir: string, operation: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory())
    throw new FaasportError('CONFIG_INVALID', `${operation}: --out ${outDir} is a file; pass a folder (default: dist/<target>)`);
  const written = new Set(readManifest(outDir));
  const foreign = readdirSync(outDir).filter((name) => !BYPRODUCTS.has(name) && !written.has(name));
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
  throw new FaasportError(
    'CONFIG_INVALID',
    `${operation}: --out ${outDir} holds files faasport did not write (${shown}) and a build replaces what is there; pass an empty or new folder, e.g. --out dist/<target>`,
    { details: { outDir, foreign } },
  );
}

/** Records the folder's top-level entries as faasport's own, for the next {@link checkOutDir}. */
export function writeOutManifest(outDir: string, target: string): void {
  if (!existsSync(outDir)) return;
  const files = readdirSync(outDir)
    .filter((name) => !BYPRODUCTS.has(name))
    .sort();
  writeFileSync(join(outDir, OUT_MANIFEST), JSON.stringify({ writtenBy: 'faasport', target, files }, null, 2) + '\n');
}

function readManifest(outDir: string): string[] {
  try {
    const parsed = JSON.parse(readFileSync(join(outDir, OUT_MANIFEST), 'utf8')) as { files?: unknown };
    return Array.isArray(parsed.files) ? parsed.files.filter((f): f is string => typeof f === 'string') : [];
  } catch {
    return [];
  }
}
