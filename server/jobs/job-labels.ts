import type { Translate } from '../i18n/i18n';

/**
 * What the jobs of jobs/index.ts do, as an administrator says it. The technical name stays
 * visible beside the label: it is what `npm run crieur -- job:run <name>` takes.
 */
export const JOB_LABELS: Record<string, string> = {
  'dispatch-publications': 'Envoi des publications',
  'deliver-outbox': 'Envoi des e-mails',
  'newsletter-digest': 'Préparation de la lettre d’information',
  'send-campaigns': 'Envoi des lettres d’information',
  'fetch-metrics': 'Relevé des chiffres des réseaux',
  'purge-expired': 'Nettoyage des données expirées',
  'purge-audience': 'Nettoyage de la mesure d’audience',
  'purge-subscribers': 'Nettoyage des inscriptions non confirmées',
  'newsletter-reconsent': 'Renouvellement du consentement des abonnés',
  'engagement-rollup': 'Totaux quotidiens des statistiques',
  'engagement-purge': 'Nettoyage du détail des statistiques',
  'stats-monthly-report': 'Envoi du rapport mensuel des chiffres aux élus',
};

/** A count in words: the singular key, then the plural one. */
type Count = readonly [one: string, many: string];

/** The counts each job returns as an object (see jobs/*.ts), in reading order. */
const COUNTS: Record<string, Record<string, Count>> = {
  'dispatch-publications': {
    sent: ['{n} envoyée', '{n} envoyées'],
    queued: ['{n} confiée au canal', '{n} confiées au canal'],
    failed: ['{n} en échec', '{n} en échec'],
    retrying: ['{n} à réessayer plus tard', '{n} à réessayer plus tard'],
    waiting: ['{n} en attente (page du site ou compte à reconnecter)', '{n} en attente (page du site ou compte à reconnecter)'],
    held: ['{n} en attente de confirmation', '{n} en attente de confirmation'],
    skipped: ['{n} ignorée', '{n} ignorées'],
    uncertain: ['{n} incertaine', '{n} incertaines'],
    resumed: ['{n} reprise après un arrêt du serveur', '{n} reprises après un arrêt du serveur'],
    lost: ['{n} déjà prise par une autre instance', '{n} déjà prises par une autre instance'],
  },
  'newsletter-digest': {
    digests: ['{n} lettre régulière préparée', '{n} lettres régulières préparées'],
    started: ['{n} lettre mise en envoi', '{n} lettres mises en envoi'],
    forgotten: ['{n} mesure individuelle d’un désabonné effacée', '{n} mesures individuelles de désabonnés effacées'],
  },
  'send-campaigns': {
    sent: ['{n} message envoyé', '{n} messages envoyés'],
    skipped: ['{n} abonné parti entre-temps', '{n} abonnés partis entre-temps'],
    retrying: ['{n} à réessayer plus tard', '{n} à réessayer plus tard'],
    failed: ['{n} en échec', '{n} en échec'],
    bounced: ['{n} adresse refusée définitivement', '{n} adresses refusées définitivement'],
    unknown: ['{n} envoi interrompu par un arrêt du serveur', '{n} envois interrompus par un arrêt du serveur'],
    waiting: ['{n} lettre en attente (plage d’envoi ou plafond horaire)', '{n} lettres en attente (plage d’envoi ou plafond horaire)'],
    paused: ['{n} lettre mise en pause après trop d’erreurs', '{n} lettres mises en pause après trop d’erreurs'],
    done: ['{n} lettre entièrement envoyée', '{n} lettres entièrement envoyées'],
  },
  'fetch-metrics': {
    fetched: ['{n} publication relevée', '{n} publications relevées'],
    failed: ['{n} relevé en échec', '{n} relevés en échec'],
  },
  'purge-expired': {
    sessions: ['{n} session expirée effacée', '{n} sessions expirées effacées'],
    tokens: ['{n} lien expiré ou utilisé effacé', '{n} liens expirés ou utilisés effacés'],
    throttle: ['{n} compteur de tentatives de connexion effacé', '{n} compteurs de tentatives de connexion effacés'],
    outbox: ['{n} e-mail déjà envoyé effacé', '{n} e-mails déjà envoyés effacés'],
    jobRuns: ['{n} ancienne exécution de tâche effacée', '{n} anciennes exécutions de tâches effacées'],
  },
  'purge-subscribers': {
    unconfirmed: ['{n} inscription non confirmée effacée', '{n} inscriptions non confirmées effacées'],
  },
  'newsletter-reconsent': {
    asked: ['{n} abonné sollicité après 3 ans sans activité', '{n} abonnés sollicités après 3 ans sans activité'],
    deleted: ['{n} abonné effacé faute de réponse', '{n} abonnés effacés faute de réponse'],
  },
  'stats-monthly-report': {
    sent: ['{n} rapport mensuel envoyé', '{n} rapports mensuels envoyés'],
  },
  'purge-audience': {
    visitorHashes: ['{n} empreinte de visiteur effacée', '{n} empreintes de visiteurs effacées'],
    salts: ['{n} clé du jour effacée', '{n} clés du jour effacées'],
    expiredRows: ['{n} mesure de plus de 25 mois effacée', '{n} mesures de plus de 25 mois effacées'],
  },
  'engagement-rollup': {
    days: ['{n} jour totalisé', '{n} jours totalisés'],
    rows: ['{n} total enregistré', '{n} totaux enregistrés'],
  },
  'engagement-purge': {
    rolledUp: ['{n} jour totalisé avant effacement', '{n} jours totalisés avant effacement'],
    events: ['{n} événement ancien effacé', '{n} événements anciens effacés'],
  },
};

/** The jobs that return a single number. */
const SINGLE_COUNT: Record<string, Count> = {
  'deliver-outbox': ['{n} e-mail envoyé', '{n} e-mails envoyés'],
};

const NOTHING = 'Rien à faire';

export function jobLabel(name: string, t: Translate): string {
  return JOB_LABELS[name] ? t(JOB_LABELS[name]) : name;
}

/**
 * A successful run's summary (the JSON the job returned) as a sentence: "3 envoyées, 1 en
 * échec", only the counts that are not zero, "Rien à faire" when all are. Anything of another
 * shape is shown as recorded.
 */
export function describeRunDetail(name: string, detail: string | null, t: Translate): string {
  if (!detail) return '';
  let value: unknown;
  try {
    value = JSON.parse(detail);
  } catch {
    return detail;
  }
  const count = (words: Count, n: number) => t(n === 1 ? words[0] : words[1], { n });
  const single = SINGLE_COUNT[name];
  if (single && isCount(value)) return value === 0 ? t(NOTHING) : count(single, value);
  const counts = COUNTS[name];
  if (!counts || value === null || typeof value !== 'object' || Array.isArray(value)) return detail;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.every(([k, n]) => counts[k] && isCount(n))) return detail;
  const found = value as Record<string, number>;
  const parts = Object.entries(counts)
    .filter(([k]) => (found[k] ?? 0) > 0)
    .map(([k, words]) => count(words, found[k] as number));
  return parts.length ? parts.join(', ') : t(NOTHING);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Every key used through a variable here (the i18n test checks them). */
export const JOB_LABEL_KEYS: string[] = [
  ...Object.values(JOB_LABELS),
  ...Object.values(COUNTS).flatMap((m) => Object.values(m).flat()),
  ...Object.values(SINGLE_COUNT).flat(),
  NOTHING,
];
