import { statSync } from 'node:fs';
import { helloBundles } from '../lib/hello-bundles.js';
import type { BenchRow } from '../row.js';

export const rows: BenchRow[] = [
  {
    id: 'aws-bundle-size',
    what: 'AWS hello bundle, minified (esbuild, the options of faasport build --target aws)',
    unit: 'KB',
    better: 'lower',
    subject: 'faasport',
    peer: 'hono',
    goal: { ratio: 0.8, absolute: 20, text: '≤ 20 KB (0.8 of hono)' },
    async measure() {
      const { faasport, hono } = await helloBundles(true);
      return { faasport: statSync(faasport).size / 1000, hono: statSync(hono).size / 1000 };
    },
  },
];
