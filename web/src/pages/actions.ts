import { api, ApiError, getActor } from '../api';
import { go } from '../router';
import type { Case } from '../types';

/** The actor every case action records; refused early when the reviewer has not said who they are. */
export function actorOrThrow(): string {
  const a = getActor();
  if (!a) throw new ApiError(400, 'BAD_REQUEST', 'type your name in "acting as" (bottom left) first: every case action records who took it', 'actor');
  return a;
}

/** Open (or add to) the case of a campaign or an account, then show it. */
export async function openCase(subject: { campaign_id: string } | { account_id: string }, alert_ids: string[]): Promise<void> {
  const c = await api<Case>('/v1/cases', { method: 'POST', body: { ...subject, alert_ids, actor: actorOrThrow() } });
  go(`cases/${c.case_id}`);
}
