// The harness contract lives in the core (src/conformance-harness.ts), so a target made with
// defineTarget() can carry its harness; the suite re-exports it where it always was.
export type { ConformanceHarness, ConformanceDriver, ExpectedFailure, NativeProducer, StoredObject } from 'faasport';
