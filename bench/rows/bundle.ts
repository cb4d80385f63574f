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
    note: "toLambda links every trigger kind's handler (SQS, SNS, EventBridge, S3, streams, schedules) and the producer, since an app's functions are only known at run time; the core validates cron expressions with croner (about 18 KB minified) when a schedule is defined; the light Response adds about 4 KB. 20 KB needs a generated entry per function that imports only its trigger's handler (a build change).",
    async measure() {
      const { faasport, hono } = await helloBundles(true);
      return { faasport: statSync(faasport).size / 1000, hono: statSync(hono).size / 1000 };
    },
  },
];
