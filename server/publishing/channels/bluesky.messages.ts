/**
 * What Bluesky's refusals mean, for the officer, with the server's own words quoted (in English).
 * Merged into PUBLICATION_MESSAGES.
 */
export const BLUESKY_MESSAGES: Record<string, string> = {
  'bluesky.too_long': 'Bluesky refuse ce texte : il dépasse 300 caractères (message du réseau : « {detail} »). Raccourcissez-le, puis renvoyez la publication.',
  'bluesky.image_refused':
    'Bluesky refuse l’image de l’article (message du réseau : « {detail} »). Choisissez une image JPEG ou PNG plus légère, puis renvoyez la publication.',
  'bluesky.account_suspended': 'Bluesky a suspendu ou désactivé le compte : rien ne peut y être publié (message du réseau : « {detail} »).',
  'bluesky.refused': 'Bluesky a refusé la publication. Son message : « {detail} ».',
};
