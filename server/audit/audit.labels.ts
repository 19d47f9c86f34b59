/**
 * What the audit log calls things, for the people who read it. Every value is an i18n key; an
 * action, key or value missing here is shown as recorded, so a new one is never hidden.
 */

/** One label per action the code writes (grep `action: '` and the audit.append calls). */
export const ACTION_LABELS: Record<string, string> = {
  'auth.login': 'Connexion',
  'auth.login_failed': 'Échec de connexion',
  'auth.logout': 'Déconnexion',
  'user.created': 'Compte créé',
  'user.invited': 'Personne invitée',
  'user.invitation_resent': 'Invitation renvoyée',
  'user.invitation_accepted': 'Invitation acceptée',
  'user.password_changed': 'Mot de passe changé',
  'user.password_reset_requested': 'Nouveau mot de passe demandé',
  'user.password_reset': 'Mot de passe remplacé',
  'user.role_changed': 'Rôle changé',
  'user.disabled': 'Compte désactivé',
  'user.enabled': 'Compte réactivé',
  'user.renamed': 'Nom changé',
  'user.email_change_requested': 'Changement d’adresse demandé',
  'user.email_changed': 'Adresse e-mail changée',
  'settings.updated': 'Paramètres modifiés',
  'article.created': 'Article créé',
  'article.updated': 'Article modifié',
  'article.restored': 'Ancienne version d’un article restaurée',
  'article.status_changed': 'Statut d’un article changé',
  'article.deleted': 'Article supprimé',
  'article.schedule_requested': 'Programmation d’un article demandée (en attente d’approbation)',
  'article.rescheduled': 'Date de publication d’un article déplacée',
  'article.change_proposed': 'Modification d’un article en ligne proposée',
  'article.change_approved': 'Modification proposée approuvée',
  'article.change_refused': 'Modification proposée refusée',
  'article.preview_created': 'Lien d’aperçu privé d’un article créé',
  'article.preview_revoked': 'Lien d’aperçu privé d’un article révoqué',
  'category.created': 'Catégorie ajoutée',
  'category.renamed': 'Catégorie renommée',
  'category.reordered': 'Ordre des catégories changé',
  'category.merged': 'Catégorie fusionnée dans une autre',
  'category.deleted': 'Catégorie supprimée',
  'media.uploaded': 'Image ajoutée',
  'media.updated': 'Image modifiée',
  'media.deleted': 'Image supprimée',
  'attachment.added': 'Document joint',
  'attachment.removed': 'Document retiré',
  'publications.planned': 'Canaux de diffusion choisis',
  'publications.withdrawn': 'Diffusion de l’article arrêtée',
  'publications.urgent': 'Alerte envoyée partout',
  'publication.retried': 'Publication relancée',
  'publication.cancelled': 'Publication annulée',
  'publication.late_confirmed': 'Envoi en retard confirmé',
  'publication.marked_sent': 'Publication marquée comme envoyée',
  'publication.retracted': 'Publication retirée',
  'publication.handoff_done': 'Publication faite à la main',
  'publication.retract_failed': 'Échec du retrait d’une publication',
  'publication.retracted_by_hand': 'Publication retirée à la main',
  'hashtags.updated': 'Mots-dièse modifiés',
  'account.connected': 'Compte de réseau connecté',
  'account.reconnected': 'Compte de réseau reconnecté',
  'account.tested': 'Connexion d’un compte de réseau testée',
  'account.removed': 'Compte de réseau retiré',
  'account.settings_changed': 'Réglages d’un compte de réseau modifiés',
  'subscribers.imported': 'Abonnés importés',
  'subscribers.exported': 'Liste des abonnés exportée',
  'subscriber.erased': 'Abonné effacé à sa demande',
  'subscriber.desk_registered': 'Abonné inscrit au guichet',
  'campaign.created': 'Lettre d’information composée',
  'campaign.updated': 'Lettre d’information modifiée',
  'campaign.scheduled': 'Envoi d’une lettre d’information programmé',
  'campaign.cancelled': 'Lettre d’information annulée',
  'campaign.test_sent': 'Lettre d’information envoyée en test',
  'newsletter.paused': 'Mise en pause de l’envoi d’une lettre',
  'newsletter.resumed': 'Reprise de l’envoi d’une lettre',
  'page.created': 'Page créée',
  'page.updated': 'Page modifiée',
  'page.deleted': 'Page supprimée',
  'menu.updated': 'Menu du site modifié',
};

/** What an entry is about (its target type), as people call it; unknown types are shown raw. */
export const TARGET_LABELS: Record<string, string> = {
  user: 'Compte',
  settings: 'Paramètres',
  article: 'Article',
  media: 'Image',
  publication: 'Publication',
  channel_account: 'Compte de réseau',
  subscriber: 'Abonné',
  subscribers: 'Abonnés à la lettre',
  campaign: 'Lettre d’information',
  page: 'Page du site',
  menu: 'Menu du site',
};

/** Actors recorded without an account; their labels are i18n keys. */
export const SYSTEM_ACTORS = ['système', 'ligne de commande', 'anonyme', 'inconnu'];

/** The keys found in entries' details. */
export const DETAIL_LABELS: Record<string, string> = {
  title: 'Titre',
  slug: 'Adresse',
  path: 'Adresse sur le site',
  status: 'Statut',
  fields: 'Champs modifiés',
  changed: 'Champs modifiés',
  publishAt: 'Date de publication',
  version: 'Version',
  name: 'Nom',
  role: 'Rôle',
  first: 'Premier compte',
  bytes: 'Taille',
  width: 'Largeur',
  height: 'Hauteur',
  channels: 'Canaux',
  article: 'Article',
  channel: 'Canal',
  from: 'Statut précédent',
  reason: 'Motif',
  label: 'Nom du compte',
  ok: 'Connexion réussie',
  count: 'Nombre',
  refused: 'Lignes refusées',
  mode: 'Mode',
  basis: 'Origine du consentement',
  kind: 'Type de fichier',
  order: 'Ordre',
};

/** Field names, per target type, in the `fields` and `changed` lists. */
export const FIELD_LABELS: Record<string, Record<string, string>> = {
  article: {
    title: 'Titre',
    slug: 'Adresse',
    summary: 'Résumé',
    bodyMd: 'Texte',
    categoryId: 'Catégorie',
    heroMediaId: 'Image principale',
    heroAlt: 'Texte alternatif de l’image',
    eventStart: 'Début de l’événement',
    eventEnd: 'Fin de l’événement',
    eventPlace: 'Lieu',
    urgent: 'Information urgente',
    publishAt: 'Date de publication',
  },
  settings: {
    name: 'Nom de la commune',
    address: 'Adresse de la mairie',
    postalCode: 'Code postal',
    city: 'Ville',
    phone: 'Téléphone',
    email: 'Adresse e-mail de la mairie',
    publicationDirector: 'Directeur ou directrice de la publication',
    dpoContact: 'Contact du délégué à la protection des données',
    host: 'Hébergeur du site',
    logoMediaId: 'Logo',
    colors: 'Couleurs',
    social: 'Réseaux sociaux',
    requireApproval: 'Approbation avant publication',
    accessibility: 'Déclaration d’accessibilité',
    statsRetentionMonths: 'Durée de conservation des statistiques',
  },
  page: {
    title: 'Titre',
    slug: 'Adresse',
    parentId: 'Page parente',
    summary: 'Résumé',
    bodyMd: 'Texte',
    status: 'État',
  },
  media: {
    alt: 'Texte alternatif',
    credit: 'Crédit',
  },
};

/** Why something happened on its own, in the `reason` detail. */
export const REASON_LABELS: Record<string, string> = {
  edited: 'Article modifié après son approbation : il repart en relecture',
  request: 'À la demande de la personne',
};

/** The label of a publication's `from`, the only state it records. */
export const PREVIOUS_STATUS = 'Statut précédent';

/** Other words the details use through variables. */
export const DETAIL_WORDS = ['Oui', 'Non', 'n° {id}', '{n} Ko', '{n} Mo', PREVIOUS_STATUS];
