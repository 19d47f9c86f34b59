/**
 * The sentences a person agrees to, each with a version. A consent proof stores the version, so
 * the exact words shown can always be found again (GDPR art. 7(1)): a wording is never edited
 * in place. To change one, add a new version and point CURRENT_* at it; old versions stay here.
 * The texts are i18n keys: the English page shows the translation of the same version.
 */
export const SUBSCRIBE_WORDINGS: Record<string, string> = {
  'lettre-2026-12':
    'J’accepte de recevoir par e-mail la lettre d’information de {commune} : un résumé des actualités des rubriques choisies, au plus une fois par semaine, et les alertes urgentes. Mon adresse ne sert qu’à cela, n’est jamais transmise ni vendue, et je peux me désabonner à tout moment par le lien présent dans chaque e-mail.',
};
export const CURRENT_SUBSCRIBE_WORDING = 'lettre-2026-12';

/** Per-person open and click tracking: a separate, optional consent (CNIL recommendation, 2025). */
export const TRACKING_WORDINGS: Record<string, string> = {
  'suivi-2026-12':
    'J’accepte que la commune sache si j’ouvre ses lettres et sur quels liens je clique, pour améliorer ses envois. Sans cet accord, seuls des chiffres anonymes et globaux sont comptés. Je peux retirer cet accord ici à tout moment.',
};
export const CURRENT_TRACKING_WORDING = 'suivi-2026-12';

/**
 * The version recorded when an import states, in its own words, what the people agreed to (a
 * paper form, an older list): the text itself is kept with the proof.
 */
export const IMPORT_OWN_WORDING = 'import-texte-propre';

/** The wording kept for a re-consent answer (the same promise as the subscription). */
export const RECONSENT_WORDING = CURRENT_SUBSCRIBE_WORDING;

/** Every wording key, for the i18n test (they are passed to t() through a variable). */
export const CONSENT_KEYS: string[] = [...Object.values(SUBSCRIBE_WORDINGS), ...Object.values(TRACKING_WORDINGS)];
