// The runtime entry a aws container bundle imports (faasport/container/aws): the server and
// only this cloud's platform, so no other cloud's code reaches the bundle.
export { startContainer } from './runtime/start-container.js';
export { awsPlatform } from './runtime/aws-platform.js';
