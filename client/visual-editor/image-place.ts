import type { Editor } from '@tiptap/core';
import type { NodeType } from '@tiptap/pm/model';
import { TextSelection, type Transaction } from '@tiptap/pm/state';

/**
 * Places a new image of the text on a line of its own, the way officers know it from WordPress:
 * written after a sentence, it goes below that sentence, and the cursor waits in an empty line
 * under the image. Images are inline nodes (as in Markdown), so a plain insertion would glue the
 * image to the sentence and whatever is typed next to the image ("phrase.![…](…)suite").
 * Inside a table cell or a list, where a line of its own would change the structure, the image
 * stays where the cursor is.
 */
export function insertImageOnItsOwnLine(editor: Editor, attrs: { src: string; alt: string }): void {
  editor
    .chain()
    .focus()
    .command(({ tr, state, dispatch }) => {
      const { schema } = state;
      const paragraph = schema.nodes.paragraph;
      const imageType = schema.nodes.image;
      if (!paragraph || !imageType) return false;
      if (!tr.selection.empty) tr.deleteSelection();
      const $from = tr.selection.$from;
      const block = $from.parent;
      const image = imageType.create(attrs);
      // Only a block of the text itself (not inside a cell, an item or a quote).
      if ($from.depth !== 1 || !block.isTextblock) {
        if (dispatch) tr.replaceSelectionWith(image, false);
        return true;
      }
      const imageLine = paragraph.create(null, image);
      const start = $from.before(1);
      const end = $from.after(1);
      if (!dispatch) return true;
      if (block.content.size === 0 && block.type === paragraph) {
        // An empty line becomes the image's line; the cursor goes to the line below.
        tr.replaceWith(start, end, imageLine);
        cursorInLineAfter(tr, start + imageLine.nodeSize, paragraph);
      } else if ($from.parentOffset === 0) {
        // At the start of a sentence: the image goes above it, the cursor stays before the sentence.
        tr.insert(start, imageLine);
      } else if ($from.parentOffset === block.content.size || block.type !== paragraph) {
        // At the end of a sentence (or anywhere in a heading): the image goes below it.
        tr.insert(end, imageLine);
        cursorInLineAfter(tr, end + imageLine.nodeSize, paragraph);
      } else {
        // Inside a sentence: the paragraph is cut in two around the image.
        const at = $from.pos;
        tr.split(at);
        tr.insert(at + 1, imageLine);
        tr.setSelection(TextSelection.create(tr.doc, at + 1 + imageLine.nodeSize + 1));
      }
      tr.scrollIntoView();
      return true;
    })
    .run();
}

/** Puts the cursor in the line at `pos`: the empty paragraph found there, or a new one. */
function cursorInLineAfter(tr: Transaction, pos: number, paragraph: NodeType): void {
  const next = tr.doc.resolve(pos).nodeAfter;
  if (!(next && next.type === paragraph && next.content.size === 0)) tr.insert(pos, paragraph.create());
  tr.setSelection(TextSelection.create(tr.doc, pos + 1));
}
