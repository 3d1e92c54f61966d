import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Sub-millisecond to a second: the engine decides in microseconds, HTTP adds the network and the store. */
const LATENCY_BUCKETS_S = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

export interface ServiceMetrics {
  registry: Registry;
  eventsTotal: Counter<'type'>;
  rejectsTotal: Counter<'route'>;
  duplicatesTotal: Counter;
  decisionsTotal: Counter<'type' | 'decision'>;
  alertsTotal: Counter<'kind'>;
  notificationsTotal: Counter;
  engineDecisionSeconds: Histogram<'type'>;
  httpRequestSeconds: Histogram<'route' | 'method' | 'status'>;
  storeSeconds: Histogram<'op'>;
  overloadTotal: Counter<'reason'>;
  inFlightRequests: Gauge;
  pendingCommits: Gauge;
  lastSeq: Gauge;
  snapshotBytes: Gauge;
}

export interface MetricsOptions {
  /** Also export Node process metrics (CPU, heap, event-loop lag). Default true. */
  processMetrics?: boolean;
}

/** A registry per server, so several servers in one process (tests) never share counters. */
export function createMetrics(opts: MetricsOptions = {}): ServiceMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'kabuguard_' });
  const registers = [registry];
  return {
    registry,
    eventsTotal: new Counter({ name: 'kabuguard_events_total', help: 'Events recorded, by event type', labelNames: ['type'], registers }),
    rejectsTotal: new Counter({
      name: 'kabuguard_events_rejected_total',
      help: 'Events refused as malformed (schema or JSON), by route',
      labelNames: ['route'],
      registers,
    }),
    duplicatesTotal: new Counter({ name: 'kabuguard_events_duplicate_total', help: 'Events whose id was already recorded (answered from the store, not re-applied)', registers }),
    decisionsTotal: new Counter({
      name: 'kabuguard_decisions_total',
      help: 'Decisions taken, by event type and outcome',
      labelNames: ['type', 'decision'],
      registers,
    }),
    alertsTotal: new Counter({ name: 'kabuguard_alerts_total', help: 'Alerts raised, by kind', labelNames: ['kind'], registers }),
    notificationsTotal: new Counter({ name: 'kabuguard_notifications_total', help: 'Customer notifications drafted', registers }),
    engineDecisionSeconds: new Histogram({
      name: 'kabuguard_engine_decision_seconds',
      help: 'Time the engine took to decide one event (all detectors, in-process)',
      labelNames: ['type'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    httpRequestSeconds: new Histogram({
      name: 'kabuguard_http_request_duration_seconds',
      help: 'HTTP request time from arrival to response sent, including the store commit',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    storeSeconds: new Histogram({
      name: 'kabuguard_store_operation_seconds',
      help: 'Store call time, by operation',
      labelNames: ['op'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    overloadTotal: new Counter({
      name: 'kabuguard_overload_refusals_total',
      help: 'Requests refused with 429/503 to shed load, by reason',
      labelNames: ['reason'],
      registers,
    }),
    inFlightRequests: new Gauge({ name: 'kabuguard_http_in_flight_requests', help: 'HTTP requests being served', registers }),
    pendingCommits: new Gauge({ name: 'kabuguard_pending_commits', help: 'Processed events waiting for their store commit', registers }),
    lastSeq: new Gauge({ name: 'kabuguard_store_last_seq', help: 'Sequence number of the last recorded event', registers }),
    snapshotBytes: new Gauge({ name: 'kabuguard_snapshot_bytes', help: 'Size of the last engine snapshot', registers }),
  };
}
