import { describe, test } from 'vitest';
import { runConformance } from '../../conformance/index.js';
import { expectedFailures } from './expected-failures.js';
import { containerHarness } from './testing/harness.js';

runConformance({ test, describe, harness: containerHarness(), expectedFailures });
