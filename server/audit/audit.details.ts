import { ROLE_LABELS } from '../auth/permissions';
import { STATUS_LABELS as ARTICLE_STATUS_LABELS } from '../articles/workflow';
import { DATE_LOCALE, type Locale, type Translate } from '../i18n/i18n';
import { STATUS_LABELS as PUBLICATION_STATUS_LABELS } from '../publishing/publishing.routes';
import type { AuditEntry } from './audit.repository';
import { ACTION_LABELS, DETAIL_LABELS, DETAIL_WORDS, FIELD_LABELS, PREVIOUS_STATUS, REASON_LABELS, SYSTEM_ACTORS, TARGET_LABELS } from './audit.labels';

export interface DetailLine {
  /** The translated key, or the raw key when it is not known. */
  label: string;
  value: string;
}

/** An entry's details as people read them: a change ("Brouillon → Publié") and labelled lines. */
export interface EntryDetails {
  change: string | null;
  lines: DetailLine[];
}

export interface DetailContext {
  t: Translate;
  locale: Locale;
  fmtDateTime: (d: Date) => string;
  /** The name of a channel account, by id, when it still exists. */
  accountLabel: (id: number) => string | undefined;
}

/** What `from` and `to` mean, per target type: an article's status, a person's role… */
const STATE_LABELS: Record<string, Record<string, string>> = {
  article: ARTICLE_STATUS_LABELS,
  user: ROLE_LABELS,
  publication: PUBLICATION_STATUS_LABELS,
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function describeDetails(e: Pick<AuditEntry, 'targetType' | 'details'>, x: DetailContext): EntryDetails {
  const details = { ...(e.details ?? {}) };
  const states = e.targetType ? STATE_LABELS[e.targetType] : undefined;
  const state = (v: unknown) => (typeof v === 'string' && states?.[v] ? x.t(states[v]) : raw(v));
  let change: string | null = null;
  if (states && 'from' in details && 'to' in details) {
    change = `${state(details.from)} → ${state(details.to)}`;
    delete details.from;
    delete details.to;
  }
  const lines: DetailLine[] = [];
  for (const [key, v] of Object.entries(details)) {
    if (key === 'from' && states) {
      lines.push({ label: x.t(PREVIOUS_STATUS), value: state(v) });
    } else if (DETAIL_LABELS[key]) {
      lines.push({ label: x.t(DETAIL_LABELS[key]), value: known(key, v, e.targetType, x) });
    } else {
      lines.push({ label: key, value: raw(v, x) });
    }
  }
  return { change, lines };
}

/** A value under a known key, in words. */
function known(key: string, v: unknown, targetType: string | null, x: DetailContext): string {
  const { t } = x;
  if (typeof v === 'boolean') return v ? t('Oui') : t('Non');
  if (key === 'status' && typeof v === 'string' && targetType && STATE_LABELS[targetType]?.[v]) return t(STATE_LABELS[targetType][v] as string);
  if (key === 'role' && typeof v === 'string' && v in ROLE_LABELS) return t(ROLE_LABELS[v as keyof typeof ROLE_LABELS]);
  if (key === 'reason' && typeof v === 'string' && REASON_LABELS[v]) return t(REASON_LABELS[v]);
  if ((key === 'fields' || key === 'changed') && Array.isArray(v)) {
    const names = FIELD_LABELS[targetType ?? ''] ?? {};
    return v.map((f) => (typeof f === 'string' && names[f] ? t(names[f]) : raw(f))).join(', ');
  }
  if (key === 'channels' && Array.isArray(v)) {
    return v.map((id) => (typeof id === 'number' ? (x.accountLabel(id) ?? t('n° {id}', { id })) : raw(id))).join(', ');
  }
  if (key === 'article' && typeof v === 'number') return t('n° {id}', { id: v });
  if (key === 'bytes' && typeof v === 'number') return size(v, x);
  if ((key === 'width' || key === 'height') && typeof v === 'number') return `${v} px`;
  return raw(v, x);
}

/** An unknown value stays readable: text as is (dates in local time), anything else as JSON. */
function raw(v: unknown, x?: DetailContext): string {
  if (typeof v === 'string') return x && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v)) ? x.fmtDateTime(new Date(v)) : v;
  return JSON.stringify(v) ?? String(v);
}

function size(bytes: number, x: DetailContext): string {
  const fmt = new Intl.NumberFormat(DATE_LOCALE[x.locale], { maximumFractionDigits: 1 });
  if (bytes < 1024 * 1024) return x.t('{n} Ko', { n: fmt.format(Math.max(1, Math.round(bytes / 1024))) });
  return x.t('{n} Mo', { n: fmt.format(bytes / (1024 * 1024)) });
}

/** Every key the audit page passes to t() through a variable (the i18n test checks them). */
export const AUDIT_LABEL_KEYS: string[] = [
  ...Object.values(ACTION_LABELS),
  ...Object.values(TARGET_LABELS),
  ...SYSTEM_ACTORS,
  ...Object.values(DETAIL_LABELS),
  ...Object.values(FIELD_LABELS).flatMap((m) => Object.values(m)),
  ...Object.values(REASON_LABELS),
  ...Object.values(STATE_LABELS).flatMap((m) => Object.values(m)),
  ...DETAIL_WORDS,
];
