// How a long post is cut into a thread's parts: ONE implementation, loaded by the browser (the
// parts shown under each network's text on the channels page) and required by the server (the
// parts the engine posts, server/publishing/post-text.ts): what the officer sees is what goes out.
// Plain ES2018; graphemes come from post-count.js, the shared counting file.
(function (root, factory) {
  'use strict';
  if (typeof module === 'object' && module.exports) module.exports = factory(require('./post-count.js'));
  else root.CrieurPostSplit = factory(root.CrieurPostCount);
})(typeof self !== 'undefined' ? self : this, function (PostCount) {
  'use strict';

  /** Sentences with the spaces that follow them: a point followed by a space ends one, a line break too. */
  function sentences(text) {
    var out = [];
    var re = /[.!?…]+["»”)]*\s+|\n\s*/gu;
    var start = 0;
    for (var m = re.exec(text); m; m = re.exec(text)) {
      out.push(text.slice(start, m.index + m[0].length));
      start = m.index + m[0].length;
    }
    if (start < text.length) out.push(text.slice(start));
    return out;
  }

  function graphemeUnits(text) {
    var gs = PostCount.graphemes(text.trim());
    return gs.length > 1 ? gs : null;
  }

  /** Greedy packing of units into chunks within `budget`; a unit too long is cut finer. */
  function pack(units, budget, count, finer) {
    var chunks = [];
    var current = '';
    function flush() {
      if (current.trim()) chunks.push(current.trim());
      current = '';
    }
    for (var i = 0; i < units.length; i++) {
      var unit = units[i];
      if (count((current + unit).trim()) <= budget) {
        current += unit;
        continue;
      }
      flush();
      if (count(unit.trim()) <= budget) {
        current = unit;
        continue;
      }
      var smaller = finer(unit);
      if (!smaller) {
        chunks.push(unit.trim());
        continue;
      }
      var inner = pack(
        smaller,
        budget,
        count,
        smaller.length > 1
          ? function (u) {
              return graphemeUnits(u);
            }
          : function () {
              return null;
            },
      );
      // The last inner chunk may take what follows.
      current = inner.length ? inner.pop() : '';
      for (var j = 0; j < inner.length; j++) chunks.push(inner[j]);
      if (/\s$/.test(unit)) current += ' ';
    }
    flush();
    return chunks;
  }

  function chunksWithin(text, budget, count) {
    return pack(sentences(text), budget, count, function (sentence) {
      var words = sentence.match(/\S+\s*/g) || [];
      return words.length > 1 ? words : graphemeUnits(sentence);
    });
  }

  /**
   * A text cut into numbered parts each within the limit, or the text alone when it fits: between
   * sentences, else between words, else between characters, each part numbered " (1/3)" at its
   * end. The number's own length is counted: " (1/9)" and " (10/12)" do not take the same room.
   * `limit` is { limit, count(text) } (an adapter's text capability).
   */
  function splitIntoParts(text, limit) {
    var clean = String(text).trim();
    if (limit.count(clean) <= limit.limit) return [clean];
    var total = 2;
    for (var round = 0; round < 5; round++) {
      var budget = limit.limit - limit.count(' (' + total + '/' + total + ')');
      if (budget < 1) break;
      var chunks = chunksWithin(clean, budget, limit.count);
      if (chunks.length <= total || String(chunks.length).length === String(total).length) {
        return chunks.map(function (c, i) {
          return c + ' (' + (i + 1) + '/' + chunks.length + ')';
        });
      }
      total = chunks.length;
    }
    return [clean];
  }

  return { splitIntoParts: splitIntoParts };
});
