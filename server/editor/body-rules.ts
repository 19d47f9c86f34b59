import { imagesIn } from '../articles/markdown';

/** The same rule as for an article's main image (server/articles/articles.rules.ts). */
const FILE_NAME = /^[^\s]+\.(jpe?g|png|gif|webp|avif|heic|tiff?)$/i;
const ALT_MAX = 500;

/**
 * What is wrong with the images placed in a text (an article's, a page's), as the message to
 * show on its field, or null. The visual editor asks for the description before inserting an
 * image; this holds whatever the way in (Markdown typed by hand, an API, an old version restored).
 */
export function bodyImagesProblem(bodyMd: string): string | null {
  const images = imagesIn(bodyMd);
  if (images.some((i) => i.alt === '')) {
    return 'Une image du texte n’a pas de texte alternatif : décrivez-la avec le bouton « Image » de l’éditeur (ou entre les crochets de ![…](…) en Markdown).';
  }
  if (images.some((i) => i.alt.length > ALT_MAX)) return 'Le texte alternatif d’une image du texte est trop long (500 caractères au plus).';
  if (images.some((i) => FILE_NAME.test(i.alt)))
    return 'Le texte alternatif d’une image du texte donne le nom de son fichier : décrivez plutôt ce qu’elle montre.';
  return null;
}
