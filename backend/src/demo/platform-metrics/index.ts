/** The demo CAAS platform's Prometheus metrics and fault switch (issue "Alert management", live demo platform). */
export { PlatformMetrics, type PlatformMetricsOptions } from './simulation.js';
export { FAULT_EFFECTS, FAULT_KINDS, FaultSwitch, MAX_FAULT_MINUTES, isFaultKind, type FaultKind, type FaultWindow } from './faults.js';
export { serveDemoMetrics, type DemoMetricsServer } from './server.js';
