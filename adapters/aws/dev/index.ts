export { createLambdaInvokeApi } from './invoke-api.js';
export type { LambdaInvokeApiOptions } from './invoke-api.js';
export { createLambdaControlApi } from './control-api.js';
export type { LambdaControlApi, LambdaControlApiOptions } from './control-api.js';
export { createDevLambdaApi } from './dev-lambda-api.js';
export type { DevLambdaApi, DevLambdaApiOptions } from './dev-lambda-api.js';
