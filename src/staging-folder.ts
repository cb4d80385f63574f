import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Runs `work` on a fresh staging folder beside `outDir` and, when it succeeds, puts the
 * staging folder in place of `outDir`; on failure the staging folder is removed and
 * `outDir` is left exactly as it was.
 */
export async function withStagingFolder<T>(outDir: string, work: (staging: string) => Promise<T>): Promise<T> {
  const staging = join(dirname(outDir), `.${basename(outDir)}.deploy-${randomUUID().slice(0, 8)}`);
  try {
    const result = await work(staging);
    const old = `${staging}.old`;
    const hadOld = existsSync(outDir);
    if (hadOld) await rename(outDir, old);
    try {
      await rename(staging, outDir);
    } catch (err) {
      if (hadOld) await rename(old, outDir);
      throw err;
    }
    if (hadOld) await rm(old, { recursive: true, force: true });
    return result;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Runs `work`, which writes into `outDir` itself (a build prints paths in it), with the
 * folder's previous content set aside beside it: when `work` fails, `outDir` is put back
 * exactly as it was (absent, empty or the last good build); when it succeeds, the previous
 * content is removed, except the entries named in `keep` that `work` did not write
 * (`node_modules` from an `npm install` in a built folder).
 */
export async function replacingFolder<T>(outDir: string, keep: readonly string[], work: () => Promise<T>): Promise<T> {
  const existed = existsSync(outDir);
  const previous = existed && readdirSync(outDir).length > 0 ? join(dirname(outDir), `.${basename(outDir)}.previous-${randomUUID().slice(0, 8)}`) : undefined;
  if (previous) await rename(outDir, previous);
  await mkdir(outDir, { recursive: true });
  let result: T;
  try {
    result = await work();
  } catch (err) {
    await rm(outDir, { recursive: true, force: true });
    if (previous) await rename(previous, outDir);
    else if (existed) await mkdir(outDir);
    throw err;
  }
  if (previous) {
    for (const name of keep) {
      if (existsSync(join(previous, name)) && !existsSync(join(outDir, name))) await rename(join(previous, name), join(outDir, name));
    }
    await rm(previous, { recursive: true, force: true });
  }
  return result;
}
