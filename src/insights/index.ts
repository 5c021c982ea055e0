/**
 * Insights: the console's figures computed from audit events held in memory. Pure: the server
 * feeds events in (`EventTable.add`) and asks; nothing here reads a file or a socket.
 */
export { EventTable, type IngestFacts } from './event-table.js';
export { overview, type OverviewQuery } from './overview.js';
export { residency, type ResidencyQuery, type TenantPolicyFacts } from './residency.js';
export { safetyCounts, type SafetyQuery } from './safety-counts.js';
export { listEvents, type EventListQuery } from './event-list.js';
export { latencyEdgesMs } from './latency-histogram.js';
export type { BucketName } from './time-window.js';
