// The runtime entry a gcp container bundle imports (faasport/container/gcp): the server and
// only this cloud's platform, so no other cloud's code reaches the bundle.
export { startContainer } from './runtime/start-container.js';
export { gcpPlatform } from './runtime/gcp-platform.js';
