/** The demo CAAS platform (issue "Crawler and search", demo source): generator and server. */
export { startDemoPlatform, DEMO_PLATFORM_BASE_PATH, type DemoPlatform, type DemoPlatformOptions, type Faults } from './server.js';
export { generatePlatform, tick, type PlatformData, type PlatformOptions, type TenantData, type TickResult } from './generate.js';
