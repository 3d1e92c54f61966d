import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { timestamp } from '../../events/schema.js';
import type { CampaignSummary } from '../../detect/campaign/summarizeCampaign.js';
import type { ServiceStore } from '../../store/types.js';
import type { DecisionService } from '../DecisionService.js';
import { parseQuery } from '../parseQuery.js';
import { ServiceError } from '../ServiceError.js';
import { storeQuery } from '../storeQuery.js';

export interface ConsoleQueryRoutesOptions {
  store: ServiceStore;
  service: DecisionService;
}

const BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const;

const summaryQuerySchema = z.strictObject({
  bucket: z.enum(['hour', 'day']).optional(),
  since: timestamp.optional(),
  until: timestamp.optional(),
});

const campaignQuerySchema = z.strictObject({
  limit: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000').optional(),
  /** Only campaigns with at least this many accounts (a lone stuffing source is a campaign of none). */
  min_accounts: z.coerce.number().int('must be an integer').min(0, 'must be at least 0').optional(),
});

/** What a desk looks at first: the campaigns that moved the most yen, then the widest. */
function byImpact(a: CampaignSummary, b: CampaignSummary): number {
  return (
    b.yen_moved + b.yen_protected - (a.yen_moved + a.yen_protected) ||
    b.hijacked_accounts.length - a.hijacked_accounts.length ||
    b.accounts.length - a.accounts.length ||
    b.alerts - a.alerts ||
    a.campaign_id.localeCompare(b.campaign_id)
  );
}

/**
 * Read endpoints of the web console: `GET /v1/summary` (overview counts and alerts per time bucket),
 * `GET /v1/alerts/:id` (an alert with its evidence events and their decisions), `GET /v1/campaigns`
 * and `GET /v1/campaigns/:id` (the campaign linker's summaries: accounts, symbols, networks, yen).
 */
export async function consoleQueryRoutes(app: FastifyInstance, opts: ConsoleQueryRoutesOptions): Promise<void> {
  const { store, service } = opts;

  app.get('/v1/summary', async (req) => {
    const q = parseQuery(summaryQuerySchema, req.query);
    return await storeQuery(() => store.summarize({ bucketMs: BUCKETS[q.bucket ?? 'hour'], since: q.since, until: q.until }));
  });

  app.get('/v1/alerts/:id', async (req) => {
    const { id } = req.params as { id: string };
    const alert = await store.getAlert(id);
    if (!alert) throw new ServiceError('NOT_FOUND', `no alert ${id.slice(0, 220)}; list the alerts with GET /v1/alerts`);
    const evidence = await storeQuery(() => store.getEvidence(alert.event_ids.slice(0, 1000)));
    // An alert keeps the campaign id it was raised with; later evidence may have merged that campaign into an older one.
    const campaign = alert.campaign_id ? service.campaigns?.resolve(alert.campaign_id) : undefined;
    return { alert, evidence, evidence_missing: alert.event_ids.length - evidence.length, campaign_id_now: campaign };
  });

  app.get('/v1/campaigns', async (req) => {
    const q = parseQuery(campaignQuerySchema, req.query);
    const linker = service.campaigns;
    if (!linker) return { campaigns: [], total: 0 };
    const all = linker.campaigns().filter((c) => c.accounts.length >= (q.min_accounts ?? 0));
    all.sort(byImpact);
    return { campaigns: all.slice(0, q.limit ?? 100), total: all.length };
  });

  app.get('/v1/campaigns/:id', async (req) => {
    const { id } = req.params as { id: string };
    const summary = service.campaigns?.summarize(id);
    if (!summary) throw new ServiceError('NOT_FOUND', `no campaign ${id.slice(0, 220)}; list the campaigns with GET /v1/campaigns`);
    return summary;
  });
}
