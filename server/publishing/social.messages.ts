/** The engine's messages about a post's text, picture, hand-off and retraction (see publishing.messages.ts). */
export const SOCIAL_MESSAGES: Record<string, string> = {
  'publication.image_without_alt':
    'L’image de l’article n’a pas de texte alternatif : ajoutez-le dans l’article (il décrit l’image aux personnes qui ne la voient pas) avant de programmer une publication sur {network}.',
  'publication.image_alt_removed':
    'L’image de l’article n’a plus de texte alternatif : la publication sur {network} attend. Ajoutez le texte alternatif de l’image dans l’article, puis cliquez sur « Confirmer l’envoi ».',
  'publication.timeout_uncertain':
    'Le réseau n’a pas répondu à temps et ne permet pas de vérifier si la publication est partie. Vérifiez sur le réseau, puis marquez-la comme envoyée ou renvoyez-la.',
  'publication.lookup_pending':
    'Le réseau n’a pas répondu quand Crieur lui a demandé si la publication était partie : Crieur lui reposera la question dans quelques minutes, sans la renvoyer d’ici là.',
  'publication.thread_too_long': 'Le texte est trop long, même en fil, pour {network} : raccourcissez-le (25 messages au plus).',
  'handoff.waiting': 'À publier à la main sur {network} : copiez le texte, téléchargez l’image, puis indiquez l’adresse de la publication.',
  'retract.failed': '{network} n’a pas pu retirer la publication : retirez-la à la main depuis le réseau.',
};

/** A network refused to delete a post (written beside it by RetractService). */
export const RETRACT_FAILED = 'retract.failed';

/** A send timed out and the network could not say whether it went out: a person decides. */
export const TIMEOUT_UNCERTAIN = 'publication.timeout_uncertain';

/** A look-up went unanswered: asked again after the sending timeout, never sent blindly meanwhile. */
export const LOOKUP_PENDING = 'publication.lookup_pending';

/** At dispatch, the article's picture has no alt text (removed after the post was planned): held for the officer. */
export const IMAGE_WITHOUT_ALT_HELD = 'publication.image_alt_removed';
