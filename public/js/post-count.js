// How each network counts a post's length: ONE implementation, loaded by the browser (the live
// counter of the channels page) and required by the server (the refusal of a too-long text and
// the adapters' capabilities). Plain ES2018 so that every browser the admin supports runs it.
(function (root, factory) {
  'use strict';
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.CrieurPostCount = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // A web address as the networks recognise one in a post: http(s) up to the next space.
  var URL_RE = /https?:\/\/[^\s<>"]+/gi;
  // X and Mastodon count every address as this many characters, whatever its length.
  var URL_WEIGHT = 23;
  var segmenter = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter('fr', { granularity: 'grapheme' }) : null;
  var EMOJI_RE = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;

  function graphemes(text) {
    if (!segmenter) return Array.from(text);
    var out = [];
    var it = segmenter.segment(text)[Symbol.iterator]();
    for (var s = it.next(); !s.done; s = it.next()) out.push(s.value.segment);
    return out;
  }

  /** Graphemes: what a reader sees as one character (é, 👍🏽, 🇫🇷). Bluesky, Facebook. */
  function countGraphemes(text) {
    return graphemes(String(text).normalize('NFC')).length;
  }

  /** Splits a text into addresses and the rest, so that each counter weighs addresses its way. */
  function withoutUrls(text) {
    var urls = String(text).match(URL_RE) || [];
    return { rest: String(text).replace(URL_RE, ''), urls: urls.length };
  }

  /** Mastodon: graphemes, every address as 23. */
  function countMastodon(text) {
    var t = withoutUrls(String(text).normalize('NFC'));
    return countGraphemes(t.rest) + t.urls * URL_WEIGHT;
  }

  // twitter-text v3 configuration: these code point ranges weigh 1, everything else 2.
  var LIGHT = [
    [0, 4351],
    [8192, 8205],
    [8208, 8223],
    [8242, 8247],
  ];
  function weightOf(cp) {
    for (var i = 0; i < LIGHT.length; i++) if (cp >= LIGHT[i][0] && cp <= LIGHT[i][1]) return 1;
    return 2;
  }

  /**
   * X: twitter-text's weighted length. Every address counts 23; an emoji (with its modifiers and
   * joiners) counts 2; Latin, accented and most punctuation 1; CJK and other scripts 2 each.
   */
  function countX(text) {
    var t = withoutUrls(String(text).normalize('NFC'));
    var n = t.urls * URL_WEIGHT;
    var gs = graphemes(t.rest);
    for (var i = 0; i < gs.length; i++) {
      var g = gs[i];
      if (EMOJI_RE.test(g)) {
        n += 2;
        continue;
      }
      var cps = Array.from(g);
      for (var j = 0; j < cps.length; j++) n += weightOf(cps[j].codePointAt(0));
    }
    return n;
  }

  var counters = { graphemes: countGraphemes, mastodon: countMastodon, x: countX };

  /** The counter named by an adapter's `capabilities.text.method`; graphemes when unknown. */
  function counter(method) {
    return counters[method] || countGraphemes;
  }

  return { countGraphemes: countGraphemes, countMastodon: countMastodon, countX: countX, counter: counter, graphemes: graphemes };
});
