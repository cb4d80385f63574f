export async function build(): Promise<never> { throw new Error('todo'); }
