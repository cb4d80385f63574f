export { runConformance, runCases, testId } from './run.js';
export type { RunConformanceOptions, CaseResult, CellStatus } from './run.js';
export { cases, caseGroups, observed, requirement, GROUP_TRIGGERS } from './cases.js';
export { httpCases, queueCases, topicCases, scheduleCases, eventCases, contextCases, errorsCases } from './cases.js';
export type { ConformanceCase, CaseEnv, Group, Requirement, TriggerCapability } from './cases.js';
export { createConformanceApp, OBSERVED } from './functions/app.js';
export type { ConformanceAppOptions } from './functions/app.js';
export type { ConformanceHarness, ConformanceDriver, ExpectedFailure, NativeProducer } from './harness.js';
/** The `faasport conformance` command; the CLI loads it from this entry. */
export { conformanceCommand } from './cli.js';
