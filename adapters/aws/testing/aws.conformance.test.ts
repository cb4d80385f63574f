import { describe, test } from 'vitest';
import { runConformance } from '../../../conformance/index.js';
import { expectedFailures } from './expected-failures.js';
import { awsHarness } from './harness.js';

runConformance({ test, describe, harness: awsHarness(), expectedFailures });
