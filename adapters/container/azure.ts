// The runtime entry a azure container bundle imports (faasport/container/azure): the server and
// only this cloud's platform, so no other cloud's code reaches the bundle.
export { startContainer } from './runtime/start-container.js';
export { azurePlatform } from './runtime/azure-platform.js';
