import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
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
