import type { ApiResponseError } from 'twitter-api-v2';
import { isXRequestError, isXResponseError } from './lazy-libs';
import { outcome, type PublishOutcome } from './channel-adapter';

/**
 * What X's answers mean for a publication. X sends problems as JSON (`title`, `detail`, `type`,
 * sometimes `errors[]`); twitter-api-v2 raises them as ApiResponseError with the HTTP status in
 * `code` and the rate-limit headers parsed in `rateLimit`.
 */
export const X_MESSAGES: Record<string, string> = {
  'x.duplicate': 'X refuse ce texte : le compte a déjà publié exactement le même message. Modifiez le texte de la publication pour X, puis renvoyez-la.',
  'x.too_long': 'X refuse ce texte : il dépasse 280 caractères, chaque lien comptant pour 23 (message du réseau : « {detail} »). Raccourcissez-le.',
  'x.image_refused':
    'X refuse l’image de l’article (message du réseau : « {detail} »). Choisissez une image JPEG ou PNG de moins de 5 Mo, puis renvoyez la publication.',
  'x.refused': 'X a refusé la publication. Son message : « {detail} ».',
};

/** X's words, short and on one line: they are quoted inside a French sentence. */
export function detailOf(err: ApiResponseError): string {
  const data = (err.data ?? {}) as { detail?: string; title?: string; errors?: { message?: string }[] };
  return String(data.detail ?? data.errors?.[0]?.message ?? data.title ?? err.message)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** A 401, or a 403 about the app's rights rather than the text: only a new connection helps. */
export function isAccessRevoked(err: unknown): boolean {
  if (!isXResponseError(err)) return false;
  if (err.code === 401) return true;
  if (err.code !== 403) return false;
  const d = detailOf(err);
  return /oauth|permission|not permitted to use|client-not-enrolled|app.*(suspended|attached)|access level|Unauthorized/i.test(
    `${d} ${(err.data as { type?: string } | undefined)?.type ?? ''}`,
  );
}

export function outcomeOf(err: unknown, account: string, now: Date, forMedia = false): PublishOutcome {
  if (isXRequestError(err) || !isXResponseError(err)) {
    const name = (err as { name?: string } | null)?.name;
    return outcome.transient(name === 'AbortError' || name === 'TimeoutError' ? 'network.timeout' : 'network.unreachable');
  }
  if (err.rateLimitError || err.code === 429) {
    const reset = err.rateLimit?.reset;
    const at = reset && reset * 1000 > now.getTime() ? new Date(reset * 1000) : new Date(now.getTime() + 15 * 60_000);
    return outcome.rateLimited(at);
  }
  if (isAccessRevoked(err)) return outcome.reconnect('account.reconnect', { account });
  if (err.code >= 500) return outcome.transient('network.unavailable', { status: err.code });
  const detail = detailOf(err);
  if (/duplicate/i.test(detail)) return outcome.permanent('x.duplicate', { detail });
  if (forMedia || /media|image/i.test(detail)) return outcome.permanent('x.image_refused', { detail });
  if (/too long|length/i.test(detail)) return outcome.permanent('x.too_long', { detail });
  return outcome.permanent('x.refused', { detail });
}
