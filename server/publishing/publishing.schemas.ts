import { z } from 'zod';
import { fromLocalInput, skippedLocalTime } from '../i18n/format';
import { SKIPPED_TIME } from '../i18n/skipped-time';
import type { ChannelPlanItem } from './publishing.service';

const TEXT_MAX = 5000;

/**
 * The channel panel posts, for each account id N: channel_N_enabled=on, channel_N_at=<local
 * datetime>, channel_N_text=<variant>, channel_N_thread=on (a long text goes as a thread). Returns the plan, or field errors keyed like the inputs.
 */
export function parseChannelPlan(body: unknown, accountIds: number[], timeZone: string): { items: ChannelPlanItem[]; errors: Record<string, string> } {
  const b = (body ?? {}) as Record<string, unknown>;
  const items: ChannelPlanItem[] = [];
  const errors: Record<string, string> = {};
  for (const id of accountIds) {
    const enabled = b[`channel_${id}_enabled`] === 'on';
    const atRaw = b[`channel_${id}_at`];
    const textRaw = b[`channel_${id}_text`];
    let scheduledAt: Date | null = null;
    if (typeof atRaw === 'string' && atRaw.trim() !== '') {
      scheduledAt = fromLocalInput(atRaw, timeZone);
      if (!scheduledAt) errors[`channel_${id}_at`] = 'Cette date n’est pas valide.';
      else if (skippedLocalTime(atRaw, timeZone)) errors[`channel_${id}_at`] = SKIPPED_TIME;
    } else if (atRaw !== undefined && typeof atRaw !== 'string') {
      errors[`channel_${id}_at`] = 'Cette date n’est pas valide.';
    }
    let textVariant: string | null = null;
    if (typeof textRaw === 'string' && textRaw.trim() !== '') {
      if (textRaw.length > TEXT_MAX) errors[`channel_${id}_text`] = 'Ce texte est trop long.';
      textVariant = textRaw.trim();
    }
    const asThread = b[`channel_${id}_thread`] === 'on';
    items.push({ accountId: id, enabled, scheduledAt, textVariant, asThread });
  }
  return { items, errors };
}

export const PublicationActionSchema = z.object({
  action: z.enum(['retry', 'cancel', 'confirm', 'mark-sent', 'retract'], 'Action inconnue.'),
});
