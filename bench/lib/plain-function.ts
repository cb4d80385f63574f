import { writeFileSync } from 'node:fs';
import { workDir } from './paths.js';

/**
 * The peer of the dev and gcp rows: the same hello written for the Functions Framework by
 * hand, `res.json({ hello: 'world' })`, in a folder the framework serves with --source.
 */
export function plainFunctionsFrameworkHello(): string {
  const dir = workDir('ff-plain');
  writeFileSync(`${dir}/package.json`, JSON.stringify({ name: 'ff-plain', private: true, main: 'index.cjs' }) + '\n');
  writeFileSync(`${dir}/index.cjs`, "exports.hello = (req, res) => { res.json({ hello: 'world' }); };\n");
  return dir;
}
