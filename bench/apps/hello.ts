// The AWS hello app the bundle and import rows measure: one HTTP function answering JSON.
import { createApp } from 'faasport';

export const app = createApp('hello');
app.http('hello', { method: 'GET', route: '/hello' }, () => Response.json({ hello: 'world' }));
