import { describe, test } from 'vitest';
import { runConformance } from '../../../conformance/index.js';
import { expectedFailures } from './expected-failures.js';
import { containerHarness } from './harness.js';

runConformance({ test, describe, harness: containerHarness(), expectedFailures });
