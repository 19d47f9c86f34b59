/**
 * Crieur's visual editor, bundled by server/editor/editor-bundle.ts into public/build/ and loaded
 * by the admin layout on any page that holds a <textarea data-visual-editor> (docs/editor.md).
 * Without this script, or if it fails, the textarea works as before: the Markdown is the field.
 */
import { loadStrings } from './strings';
import { enhance } from './visual-editor';

function start(): void {
  const strings = loadStrings();
  for (const textarea of document.querySelectorAll<HTMLTextAreaElement>('textarea[data-visual-editor]')) {
    try {
      enhance(textarea, strings);
    } catch (err) {
      // The textarea is still there and still sent with the form: nothing is lost.
      console.error('Crieur: the visual editor could not start', err);
    }
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
