export { runConformance, runCases, testId } from './run.js';
export type { RunConformanceOptions, CaseResult, CellStatus } from './run.js';
export { cases, observed } from './cases.js';
export type { ConformanceCase, CaseEnv, Group } from './cases.js';
export { createConformanceApp, OBSERVED } from './functions/app.js';
export type { ConformanceHarness, ConformanceDriver, ExpectedFailure } from './harness.js';
