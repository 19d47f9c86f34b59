/**
 * What a Mastodon instance's refusals mean, for the officer, with the instance's own words quoted
 * (they are in the instance's language, often English). Merged into PUBLICATION_MESSAGES.
 */
export const MASTODON_MESSAGES: Record<string, string> = {
  'mastodon.too_long':
    'L’instance Mastodon refuse ce texte : il dépasse le nombre de caractères qu’elle accepte (message de l’instance : « {detail} »). Raccourcissez-le, puis renvoyez la publication.',
  'mastodon.media_refused':
    'L’instance Mastodon refuse l’image de l’article (message de l’instance : « {detail} »). Choisissez une image JPEG ou PNG plus légère, puis renvoyez la publication.',
  'mastodon.refused': 'L’instance Mastodon a refusé la publication. Son message : « {detail} ».',
  'mastodon.media_processing': 'L’instance Mastodon n’a pas fini de préparer l’image : la publication repartira un peu plus tard.',
  'mastodon.no_alt': 'L’image de l’article n’a pas de texte alternatif : ajoutez-le dans l’article, puis renvoyez la publication.',
};

/** The instance's message, kept short and on one line: it is quoted inside a sentence. */
export function detailOf(text: unknown): string {
  return String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** The code for a 422 answer, from the instance's (English) validation message. */
export function refusalCode(detail: string, forMedia: boolean): string {
  if (forMedia) return 'mastodon.media_refused';
  if (/character limit|too long/i.test(detail)) return 'mastodon.too_long';
  if (/media|file|attachment/i.test(detail)) return 'mastodon.media_refused';
  return 'mastodon.refused';
}
