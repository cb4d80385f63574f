import { describe, test } from 'vitest';
import { runConformance } from 'faasport/conformance';
import { expectedFailures } from './expected-failures.js';
import { conformanceHarness } from './harness.js';

runConformance({ test, describe, harness: conformanceHarness(), expectedFailures });
