import type { FunctionDefinition, HttpFunctionDefinition } from 'faasport';
import { invocationFacts, type ContextSettings, type InvocationFacts } from './create-context.js';
import type { AwsProducer } from './producer.js';
import type { LambdaContextLike } from './types.js';

/** What every generated Lambda handler shares within one `toLambda` call (one process). */
export interface HandlerDeps {
  readonly settings: ContextSettings;
  /** Hide unexpected error messages and stacks from HTTP clients. */
  readonly production: boolean;
  /** True the first time it is called in this process. */
  readonly coldStart: () => boolean;
  readonly producer: AwsProducer;
  /** The app's HTTP functions: a path one function's route does not match may be another's (405, not 404). */
  readonly routes?: readonly HttpFunctionDefinition[];
}

/** Per-invocation facts, read once; also lets the producer learn the account from the function ARN. */
export function beginInvocation(def: FunctionDefinition, deps: HandlerDeps, lambdaContext: LambdaContextLike | undefined): InvocationFacts {
  if (lambdaContext?.invokedFunctionArn) deps.producer.learnFromFunctionArn(lambdaContext.invokedFunctionArn);
  return invocationFacts(def, lambdaContext, deps.coldStart());
}
