// An app module that fails while loading with a secret of the environment in its error, as a
// config check may: what the CLI prints about it must not carry the secret.
import { createApp } from '../../src/index.js';
import { CANARY_ENV } from './canaries.js';

if (process.env[CANARY_ENV.token]) throw new Error(`config check failed: upstream refused token ${process.env[CANARY_ENV.token]}`);

export const app = createApp('crashes');
