export interface LambdaInvokeApiOptions {}
export function createLambdaInvokeApi(): void {}
