/**
 * What Facebook's refusals mean, for the officer, with Facebook's own words quoted. Merged into
 * PUBLICATION_MESSAGES.
 */
export const FACEBOOK_MESSAGES: Record<string, string> = {
  'facebook.blocked':
    'Facebook a bloqué cette publication, qu’il juge contraire à ses règles (erreur {code}). Message de Facebook : « {detail} ». Modifiez le texte ou l’image, puis renvoyez-la.',
  'facebook.duplicate': 'Facebook refuse cette publication : la Page a publié le même texte il y a peu (erreur {code}). Modifiez le texte, puis renvoyez-la.',
  'facebook.invalid': 'Facebook a refusé un élément de la publication, le texte, le lien ou l’image (erreur {code}). Message de Facebook : « {detail} ».',
  'facebook.refused': 'Facebook a refusé la publication (erreur {code}). Message de Facebook : « {detail} ».',
};
