/**
 * One drawing per demo article, on a 1600 × 1000 canvas. Each must show what the article's alt
 * text says (content/demo/articles/*.md): a screen-reader user hears the alt, a sighted one sees
 * the picture, and both must meet the same scene. Change one, change the other.
 */
export type Draw = (seed: number) => string;

/** A small deterministic random generator (mulberry32), so that a motif always looks the same. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

function sky(top: string, bottom: string, id = 'sky'): string {
  return `<defs><linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs><rect width="1600" height="1000" fill="url(#${id})"/>`;
}

function hill(seed: number, color: string, opacity = 0.35): string {
  const y = 700 + (seed % 5) * 25;
  return `<path d="M0 ${y} Q 400 ${y - 120} 800 ${y} T 1600 ${y - 40} V 1000 H 0 Z" fill="${color}" opacity="${opacity}"/>`;
}

/** Points along a hanging garland between two hooks. */
function garland(x0: number, x1: number, y: number, sag: number, n: number): [number, number][] {
  const cx = (x0 + x1) / 2;
  const cy = y + 2 * sag;
  return times(n, (i) => {
    const t = (i + 0.5) / n;
    return [(1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t ** 2 * x1, (1 - t) ** 2 * y + 2 * (1 - t) * t * cy + t ** 2 * y];
  });
}

function house(x: number, w: number, base: number, h: number, wall: string, roof: string, windows: string): string {
  return (
    `<rect x="${x}" y="${base - h}" width="${w}" height="${h}" fill="${wall}"/><polygon points="${x - 15},${base - h} ${x + w / 2},${base - h - w * 0.45} ${x + w + 15},${base - h}" fill="${roof}"/>` +
    `<rect x="${x + w * 0.15}" y="${base - h * 0.75}" width="${w * 0.25}" height="${h * 0.3}" fill="${windows}"/><rect x="${x + w * 0.6}" y="${base - h * 0.75}" width="${w * 0.25}" height="${h * 0.3}" fill="${windows}"/>`
  );
}

function musicNote(x: number, y: number, color: string): string {
  return `<ellipse cx="${x}" cy="${y}" rx="26" ry="18" transform="rotate(-20 ${x} ${y})" fill="${color}"/><line x1="${x + 23}" y1="${y - 4}" x2="${x + 23}" y2="${y - 120}" stroke="${color}" stroke-width="8"/><path d="M${x + 23} ${y - 120} q 40 20 30 70 q -5 -35 -30 -40z" fill="${color}"/>`;
}

export const MOTIFS: Record<string, Draw> = {
  cones: (seed) =>
    sky('#f9d9a8', '#f4a259') +
    hill(seed, '#5b8e7d') +
    times(5, (i) => house(110 + i * 320, 200, 720, 150, '#f2e8d5', '#b5543c', '#8fb8de')).join('') +
    `<rect y="720" width="1600" height="40" fill="#cfc6b8"/><rect y="760" width="1600" height="240" fill="#5f6368"/>` +
    `<line x1="0" y1="900" x2="1600" y2="900" stroke="#f2f2f2" stroke-width="12" stroke-dasharray="90 70"/>` +
    times(6, (i) => {
      const x = 120 + i * 250;
      const half = (y: number) => 15 + ((y - 600) / 200) * 45;
      const stripe = (a: number, b: number) =>
        `<polygon points="${x + 60 - half(a)},${a} ${x + 60 + half(a)},${a} ${x + 60 + half(b)},${b} ${x + 60 - half(b)},${b}" fill="#fff"/>`;
      return `<polygon points="${x + 15},800 ${x + 45},600 ${x + 75},600 ${x + 105},800" fill="#e4572e"/>${stripe(650, 680)}${stripe(720, 750)}<rect x="${x - 10}" y="795" width="140" height="22" fill="#b8411f"/>`;
    }).join(''),

  mairie: (seed) =>
    sky('#cfe3f5', '#8fb8de') +
    hill(seed, '#2f5d8a') +
    `<rect x="500" y="450" width="600" height="450" fill="#f2f2f2"/><polygon points="480,450 800,280 1120,450" fill="#2f5d8a"/>` +
    times(3, (i) => `<rect x="${560 + i * 180}" y="540" width="110" height="160" fill="#8fb8de"/>`).join('') +
    `<rect x="740" y="740" width="120" height="160" fill="#2f5d8a"/><line x1="800" y1="280" x2="800" y2="180" stroke="#333" stroke-width="8"/>` +
    `<rect x="800" y="180" width="40" height="60" fill="#0055a4"/><rect x="840" y="180" width="40" height="60" fill="#fff"/><rect x="880" y="180" width="40" height="60" fill="#ef4135"/>` +
    `<rect y="900" width="1600" height="100" fill="#2f5d8a" opacity="0.5"/>`,

  halle: () => {
    const r = random(3);
    const posts = [180, 560, 1000, 1380];
    const bulbs = posts.slice(1).flatMap((x1, i) => garland(posts[i]! + 20, x1 - 20, 430, 70, 9));
    return (
      sky('#141029', '#3a2856') +
      times(40, () => `<circle cx="${r() * 1600}" cy="${r() * 150}" r="${1 + r() * 2.5}" fill="#fff" opacity="0.7"/>`).join('') +
      `<rect y="860" width="1600" height="140" fill="#3b3146"/>` +
      [
        [260, '#c1121f'],
        [660, '#2f5d8a'],
        [1080, '#3a7d44'],
      ]
        .map(
          ([x, cloth]) =>
            `<rect x="${x}" y="720" width="260" height="140" fill="${cloth}"/><rect x="${x}" y="705" width="260" height="22" fill="#e9dcc7"/>` +
            times(5, (k) => `<circle cx="${Number(x) + 30 + k * 50}" cy="692" r="16" fill="${['#f4d35e', '#ee964b', '#9bc995'][k % 3]}"/>`).join(''),
        )
        .join('') +
      posts.map((x) => `<rect x="${x - 20}" y="380" width="40" height="480" fill="#6b4226"/>`).join('') +
      `<polygon points="120,360 800,150 1480,360" fill="#5a3a24"/><rect x="100" y="350" width="1400" height="40" fill="#3e2716"/>` +
      `<path d="M${posts[0]! + 20} 430 ${posts
        .slice(1)
        .map((x1, i) => `Q ${(posts[i]! + x1) / 2} 570 ${x1 - 20} 430 M ${x1 + 20} 430`)
        .join(' ')}" stroke="#222" stroke-width="4" fill="none"/>` +
      bulbs
        .map(
          ([x, y], i) =>
            `<circle cx="${x}" cy="${y + 14}" r="32" fill="#f4d35e" opacity="0.25"/><circle cx="${x}" cy="${y + 14}" r="13" fill="${['#f4d35e', '#ee964b', '#fff3b0'][i % 3]}"/>`,
        )
        .join('')
    );
  },

  feuilles: () => {
    const r = random(4);
    const leaves = times(320, () => {
      const u = r() * 2 - 1;
      const x = 800 + u * 430;
      const y = 865 - r() * 190 * (1 - u * u);
      return `<ellipse cx="${x}" cy="${y}" rx="24" ry="12" transform="rotate(${r() * 180} ${x} ${y})" fill="${['#c0562b', '#d98e2b', '#e8b83a', '#8c4a22', '#a8642a'][Math.floor(r() * 5)]}"/>`;
    }).join('');
    const branches = [
      [560, 820, 420, 700],
      [980, 800, 1160, 690],
      [700, 760, 620, 640],
      [900, 740, 1010, 610],
    ]
      .map(
        ([x1, y1, x2, y2]) =>
          `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#5a3a1e" stroke-width="12" stroke-linecap="round"/><line x1="${(x1! + x2!) / 2}" y1="${(y1! + y2!) / 2}" x2="${(x1! + x2!) / 2 + 30}" y2="${(y1! + y2!) / 2 - 50}" stroke="#5a3a1e" stroke-width="7" stroke-linecap="round"/>`,
      )
      .join('');
    return (
      sky('#e6f0d8', '#c9dcb0') +
      `<rect y="380" width="1600" height="480" fill="#2f6b34"/>` +
      times(17, (i) => `<circle cx="${i * 100}" cy="395" r="70" fill="#2f6b34"/>`).join('') +
      times(90, () => `<circle cx="${r() * 1600}" cy="${340 + r() * 480}" r="${8 + r() * 10}" fill="#3f8a45" opacity="0.8"/>`).join('') +
      `<rect y="840" width="1600" height="160" fill="#7a9a4a"/>` +
      branches +
      leaves
    );
  },

  cartables: () =>
    `<rect width="1600" height="1000" fill="#f3e6c8"/>` +
    [180, 1180]
      .map(
        (x) =>
          `<rect x="${x}" y="240" width="240" height="280" fill="#bcd7ef" stroke="#fff" stroke-width="14"/><line x1="${x + 120}" y1="240" x2="${x + 120}" y2="520" stroke="#fff" stroke-width="10"/>`,
      )
      .join('') +
    `<rect x="610" y="120" width="380" height="60" rx="10" fill="#e94f37"/>` +
    `<path d="M600 860 V 330 A 200 130 0 0 1 1000 330 V 860 Z" fill="#2f5d8a"/><path d="M630 400 A 170 100 0 0 1 970 400 Z" fill="#bcd7ef"/>` +
    `<line x1="800" y1="300" x2="800" y2="860" stroke="#244a6e" stroke-width="10"/><circle cx="770" cy="620" r="12" fill="#f4d35e"/><circle cx="830" cy="620" r="12" fill="#f4d35e"/>` +
    `<rect y="860" width="1600" height="140" fill="#c9b89a"/><rect x="560" y="850" width="480" height="26" fill="#b3a385"/>` +
    [
      [360, '#3c91e6'],
      [690, '#e94f37'],
      [1020, '#43aa8b'],
    ]
      .map(
        ([x, c]) =>
          `<rect x="${Number(x) + 60}" y="590" width="100" height="70" rx="24" fill="none" stroke="#333" stroke-width="16"/>` +
          `<rect x="${x}" y="640" width="220" height="260" rx="34" fill="${c}"/><path d="M${x} 700 q 110 70 220 0 v -26 q 0 -34 -34 -34 h -152 q -34 0 -34 34z" fill="#000" opacity="0.18"/><rect x="${Number(x) + 95}" y="720" width="30" height="40" rx="6" fill="#f4d35e"/>`,
      )
      .join(''),

  orage: (seed) => {
    const r = random(6);
    return (
      sky('#2c2f45', '#4b4e6d') +
      hill(seed, '#2c2f45', 0.5) +
      times(
        26,
        (i) =>
          `<ellipse cx="${(i % 13) * 130 + r() * 60}" cy="${120 + Math.floor(i / 13) * 110 + r() * 50}" rx="${140 + r() * 60}" ry="${70 + r() * 30}" fill="${i % 2 ? '#3a3d58' : '#555a7a'}"/>`,
      ).join('') +
      times(
        34,
        (i) => `<line x1="${40 + i * 47}" y1="${380 + (i % 5) * 60}" x2="${20 + i * 47}" y2="${440 + (i % 5) * 60}" stroke="#9aa1c2" stroke-width="5"/>`,
      ).join('') +
      `<polygon points="840,300 720,520 810,520 740,700 960,470 860,470 930,300" fill="#f2c14e"/>` +
      times(8, (i) => house(-40 + i * 220, 170, 1000, 190 + (i % 3) * 30, '#1f2133', '#151624', i % 3 ? '#2a2d44' : '#f2c14e')).join('')
    );
  },

  outils: () => {
    const r = random(7);
    return (
      times(
        8,
        (i) =>
          `<rect x="${i * 200}" width="200" height="1000" fill="${['#c8894f', '#b97a42', '#d39a5e'][i % 3]}"/><line x1="${i * 200}" y1="0" x2="${i * 200}" y2="1000" stroke="#7a4b2a" stroke-width="6"/>` +
          times(
            3,
            (k) => `<path d="M${i * 200 + 40 + k * 55} 0 q ${r() * 40 - 20} 500 0 1000" stroke="#7a4b2a" stroke-width="3" fill="none" opacity="0.35"/>`,
          ).join(''),
      ).join('') +
      `<g transform="rotate(-20 520 520)"><rect x="260" y="490" width="440" height="56" rx="24" fill="#e0b36a" stroke="#8a5a2b" stroke-width="4"/><rect x="690" y="400" width="80" height="240" rx="10" fill="#5c6770"/><path d="M690 400 q -70 -20 -90 -80 q 60 30 90 30z" fill="#5c6770"/></g>` +
      `<g transform="rotate(12 1080 330)"><rect x="860" y="306" width="440" height="48" rx="24" fill="#aab4bd"/><circle cx="860" cy="330" r="62" fill="#aab4bd"/><circle cx="860" cy="330" r="30" fill="#b97a42"/>` +
      `<circle cx="1310" cy="330" r="66" fill="#aab4bd"/><rect x="1320" y="306" width="70" height="48" fill="#b97a42"/></g>` +
      `<g transform="rotate(-6 1000 760)"><rect x="760" y="725" width="220" height="76" rx="34" fill="#e63946"/><rect x="975" y="740" width="40" height="46" fill="#5c6770"/><rect x="1012" y="752" width="300" height="22" fill="#b0b8bf"/><polygon points="1312,752 1350,758 1350,768 1312,774" fill="#b0b8bf"/></g>` +
      [
        [420, 820],
        [480, 860],
        [1230, 560],
        [1290, 600],
        [560, 200],
      ]
        .map(
          ([x, y]) =>
            `<circle cx="${x}" cy="${y}" r="16" fill="#8c959c"/><line x1="${x! - 10}" y1="${y}" x2="${x! + 10}" y2="${y}" stroke="#5c6770" stroke-width="4"/>`,
        )
        .join('')
    );
  },

  urne: () => {
    const r = random(8);
    return (
      sky('#e3eef7', '#c7dced') +
      `<rect x="330" y="760" width="40" height="240" fill="#6b4226"/><rect x="1230" y="760" width="40" height="240" fill="#6b4226"/><rect x="290" y="720" width="1020" height="44" fill="#8b5a2b"/><rect x="300" y="764" width="1000" height="36" fill="#6b4226"/>` +
      times(44, (i) => {
        const x = 590 + r() * 340;
        const y = 440 + Math.floor(i / 8) * 32 + r() * 12;
        return `<g transform="rotate(${r() * 50 - 25} ${x + 36} ${y + 50})"><rect x="${x}" y="${y}" width="72" height="100" fill="#fff" stroke="#b5c3cf" stroke-width="3"/><line x1="${x + 12}" y1="${y + 25}" x2="${x + 60}" y2="${y + 25}" stroke="#9aa8b5" stroke-width="4"/></g>`;
      }).join('') +
      `<rect x="560" y="380" width="480" height="340" rx="8" fill="#d6ecff" fill-opacity="0.35" stroke="#6c93b3" stroke-width="10"/>` +
      `<line x1="600" y1="690" x2="760" y2="420" stroke="#fff" stroke-width="12" opacity="0.5"/>` +
      `<rect x="540" y="350" width="520" height="40" rx="6" fill="#6c93b3"/><rect x="740" y="362" width="120" height="14" rx="4" fill="#1f2d3a"/>` +
      `<g transform="rotate(8 805 300)"><rect x="770" y="240" width="72" height="120" fill="#fff" stroke="#b5c3cf" stroke-width="3"/><line x1="782" y1="270" x2="830" y2="270" stroke="#9aa8b5" stroke-width="4"/></g>`
    );
  },

  concert: () =>
    sky('#2b1d3f', '#6b3e75') +
    `<ellipse cx="800" cy="0" rx="700" ry="520" fill="#f4d35e" opacity="0.12"/><rect y="860" width="1600" height="140" fill="#3d2a4f"/>` +
    [430, 1170]
      .map(
        (x) =>
          `<line x1="${x}" y1="560" x2="${x}" y2="860" stroke="#1c1c1c" stroke-width="12"/><path d="M${x - 90} 880 L${x} 820 L${x + 90} 880" stroke="#1c1c1c" stroke-width="10" fill="none"/>` +
          `<rect x="${x - 170}" y="330" width="340" height="240" fill="#1c1c1c"/><rect x="${x - 150}" y="345" width="300" height="210" fill="#fbf7ea"/>` +
          times(
            3,
            (s) =>
              times(
                5,
                (l) => `<line x1="${x - 135}" y1="${372 + s * 65 + l * 9}" x2="${x + 135}" y2="${372 + s * 65 + l * 9}" stroke="#666" stroke-width="2"/>`,
              ).join('') +
              times(6, (n) => `<ellipse cx="${x - 110 + n * 44}" cy="${376 + s * 65 + ((n * 7 + s * 3) % 5) * 7}" rx="7" ry="5" fill="#222"/>`).join(''),
          ).join(''),
      )
      .join('') +
    `<g fill="#f4d35e"><rect x="560" y="672" width="44" height="18" rx="6"/><rect x="600" y="675" width="400" height="12"/><rect x="640" y="690" width="300" height="70" rx="35" fill="none" stroke="#f4d35e" stroke-width="12"/>` +
    times(
      3,
      (i) => `<rect x="${720 + i * 44}" y="630" width="26" height="110"/><rect x="${716 + i * 44}" y="616" width="34" height="16" fill="#d4a72c"/>`,
    ).join('') +
    `<polygon points="990,671 1120,600 1120,762 990,691"/><ellipse cx="1120" cy="681" rx="16" ry="81" fill="#d4a72c"/></g>` +
    musicNote(220, 230, '#f4d35e') +
    musicNote(700, 170, '#ee964b') +
    musicNote(960, 250, '#f4d35e') +
    musicNote(1400, 200, '#ee964b'),

  lampadaire: () => {
    const r = random(10);
    return (
      sky('#0b1533', '#243b6b') +
      times(110, () => `<circle cx="${r() * 1600}" cy="${r() * 640}" r="${1.5 + r() * 3}" fill="#fff" opacity="${0.5 + r() * 0.5}"/>`).join('') +
      times(7, (i) => house(-30 + i * 240, 190, 900, 150 + (i % 3) * 40, '#141c33', '#0f1528', '#1d2742')).join('') +
      `<rect y="900" width="1600" height="100" fill="#0f1428"/>` +
      `<rect x="985" y="300" width="30" height="600" fill="#2b2f3a"/><rect x="955" y="860" width="90" height="40" fill="#2b2f3a"/>` +
      `<path d="M1000 320 q 0 -90 -130 -90" stroke="#2b2f3a" stroke-width="16" fill="none"/>` +
      `<polygon points="810,230 930,230 910,300 830,300" fill="#3a3f4c"/><polygon points="828,242 912,242 898,292 842,292" fill="#59607a"/><polygon points="800,232 870,195 940,232" fill="#2b2f3a"/>`
    );
  },

  fibre: (seed) =>
    sky('#cfe8f7', '#9cc9e6') +
    hill(seed, '#5b8e7d', 0.5) +
    `<rect y="820" width="1600" height="70" fill="#8fbf7a"/><rect y="880" width="1600" height="120" fill="#6b6f75"/><line x1="0" y1="945" x2="1600" y2="945" stroke="#f2f2f2" stroke-width="10" stroke-dasharray="80 60"/>` +
    `<rect x="1180" y="180" width="36" height="720" fill="#7a5230"/><rect x="1110" y="230" width="180" height="18" fill="#7a5230"/>` +
    `<path d="M0 300 Q 600 390 1198 240 Q 1400 300 1600 270 M0 360 Q 600 460 1198 300 Q 1400 360 1600 330" stroke="#222" stroke-width="5" fill="none"/>` +
    `<rect x="1160" y="320" width="76" height="56" rx="6" fill="#e8e8e8" stroke="#999" stroke-width="3"/>` +
    `<rect x="260" y="760" width="360" height="120" fill="#f2f2f2"/><rect x="620" y="780" width="130" height="100" fill="#f4a259"/><rect x="660" y="795" width="70" height="40" fill="#cfe8f7"/>` +
    `<circle cx="340" cy="890" r="38" fill="#222"/><circle cx="680" cy="890" r="38" fill="#222"/>` +
    `<line x1="420" y1="760" x2="820" y2="520" stroke="#f4a259" stroke-width="26"/><line x1="820" y1="520" x2="1060" y2="380" stroke="#e58a3a" stroke-width="22"/>` +
    `<rect x="1020" y="300" width="110" height="80" fill="#f4a259" stroke="#c46a1f" stroke-width="5"/>` +
    `<rect x="1050" y="232" width="50" height="75" rx="12" fill="#2f5d8a"/><rect x="1050" y="262" width="50" height="10" fill="#f6e05e"/>` +
    `<circle cx="1075" cy="212" r="22" fill="#e0ac7e"/><path d="M1051 208 a 24 24 0 0 1 48 0z" fill="#f6e05e"/>` +
    `<line x1="1090" y1="255" x2="1168" y2="335" stroke="#2f5d8a" stroke-width="16" stroke-linecap="round"/><circle cx="1170" cy="338" r="10" fill="#e0ac7e"/>`,

  colis: () =>
    sky('#fde2e4', '#fad2e1') +
    `<rect y="800" width="1600" height="200" fill="#b07d4f"/>` +
    `<path d="M500 600 C 500 230, 1100 230, 1100 600" stroke="#a86f36" stroke-width="26" fill="none"/>` +
    `<rect x="660" y="360" width="64" height="260" rx="10" fill="#2d4a2b"/><rect x="676" y="300" width="32" height="70" fill="#2d4a2b"/><rect x="660" y="460" width="64" height="70" fill="#f2e8d5"/>` +
    `<rect x="760" y="480" width="120" height="150" rx="12" fill="#e9a23b"/><rect x="752" y="458" width="136" height="30" rx="6" fill="#c1121f"/>` +
    `<rect x="910" y="500" width="110" height="130" rx="12" fill="#8c2f39"/><rect x="904" y="480" width="122" height="28" rx="6" fill="#f2f2f2"/>` +
    `<circle cx="560" cy="570" r="52" fill="#c1121f"/><circle cx="1070" cy="575" r="48" fill="#d62828"/><path d="M1070 528 q 20 -30 45 -20 q -15 25 -45 20z" fill="#3a7d44"/>` +
    `<path d="M460 600 L1140 600 L1060 830 L540 830 Z" fill="#c68b4c"/>` +
    times(4, (i) => `<line x1="${470 + i * 22}" y1="${645 + i * 50}" x2="${1130 - i * 22}" y2="${645 + i * 50}" stroke="#8a5a2b" stroke-width="6"/>`).join('') +
    times(9, (i) => `<line x1="${540 + i * 65}" y1="600" x2="${560 + i * 60}" y2="830" stroke="#8a5a2b" stroke-width="5"/>`).join('') +
    `<rect x="440" y="585" width="720" height="36" rx="16" fill="#a86f36"/>` +
    `<path d="M800 320 q -120 -80 -110 20 z M800 320 q 120 -80 110 20 z" fill="#c1121f"/><path d="M790 330 l -50 110 l 25 -8 l 10 25 z M810 330 l 50 110 l -25 -8 l -10 25 z" fill="#a30f1a"/><circle cx="800" cy="322" r="20" fill="#a30f1a"/>`,

  piscine: () =>
    `<rect width="1600" height="1000" fill="#eef4f7"/><rect width="1600" height="130" fill="#dfe8ee"/>` +
    `<path d="M0 130 L800 20 L1600 130" stroke="#8aa0ad" stroke-width="14" fill="none"/>` +
    times(
      9,
      (i) => `<line x1="${i * 200}" y1="130" x2="${i * 200}" y2="${130 - (800 - Math.abs(800 - i * 200)) * 0.1375}" stroke="#8aa0ad" stroke-width="8"/>`,
    ).join('') +
    times(
      6,
      (i) =>
        `<rect x="${60 + i * 260}" y="160" width="220" height="280" fill="#bfe3f5"/><line x1="${170 + i * 260}" y1="160" x2="${170 + i * 260}" y2="440" stroke="#fff" stroke-width="8"/>`,
    ).join('') +
    `<rect y="460" width="1600" height="80" fill="#f5efe6"/>` +
    `<defs><linearGradient id="water" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7cc7e8"/><stop offset="1" stop-color="#2f95c8"/></linearGradient></defs><rect y="540" width="1600" height="460" fill="url(#water)"/>` +
    [
      [575, 5],
      [640, 8],
      [735, 12],
      [870, 17],
    ]
      .map(([y, rad]) =>
        times(Math.ceil(1600 / (rad! * 2.4)) + 1, (k) => `<circle cx="${k * rad! * 2.4}" cy="${y}" r="${rad}" fill="${k % 2 ? '#fff' : '#e63946'}"/>`).join(''),
      )
      .join('') +
    times(7, (i) => `<path d="M${i * 240 + 40} ${600 + (i % 3) * 110} q 40 -14 80 0 t 80 0" stroke="#fff" stroke-width="4" fill="none" opacity="0.6"/>`).join(
      '',
    ),

  voeux: () =>
    `<rect width="1600" height="700" fill="#f6ecd9"/><rect y="560" width="1600" height="140" fill="#d9c4a0"/><rect y="700" width="1600" height="300" fill="#b98b5a"/>` +
    times(5, (i) => `<line x1="0" y1="${740 + i * 55}" x2="1600" y2="${740 + i * 55}" stroke="#9c7246" stroke-width="4"/>`).join('') +
    `<rect x="300" y="540" width="1000" height="160" fill="#7a4b2a"/><rect x="300" y="540" width="1000" height="18" fill="#945d35"/>` +
    [
      [0, 530],
      [530, 1070],
      [1070, 1600],
    ]
      .map(
        ([a, b]) =>
          `<path d="M${a} 110 Q ${(a! + b!) / 2} 270 ${b} 110" stroke="#555" stroke-width="3" fill="none"/>` +
          garland(a!, b!, 110, 80, 9)
            .map(
              ([x, y], k) =>
                `<polygon points="${x - 22},${y - 4} ${x + 22},${y - 4} ${x},${y + 44}" fill="${['#0055a4', '#ffffff', '#ef4135', '#f4d35e'][k % 4]}"/>`,
            )
            .join(''),
      )
      .join('') +
    garland(60, 1540, 250, 40, 24)
      .map(([x, y]) => `<circle cx="${x}" cy="${y}" r="10" fill="#f4d35e"/>`)
      .join('') +
    `<polygon points="740,400 860,400 840,545 760,545" fill="#5a3a24"/><polygon points="725,380 875,380 860,408 740,408" fill="#6b4226"/><line x1="800" y1="380" x2="835" y2="320" stroke="#222" stroke-width="6"/><circle cx="838" cy="314" r="10" fill="#222"/>` +
    times(16, (i) => {
      const row = Math.floor(i / 8);
      const x = 140 + (i % 8) * 170 + row * 40;
      const y = 790 + row * 110;
      return `<rect x="${x}" y="${y}" width="100" height="80" rx="10" fill="${row ? '#8a1c1c' : '#c1121f'}"/><line x1="${x + 10}" y1="${y + 80}" x2="${x + 10}" y2="${y + 130}" stroke="#333" stroke-width="6"/><line x1="${x + 90}" y1="${y + 80}" x2="${x + 90}" y2="${y + 130}" stroke="#333" stroke-width="6"/>`;
    }).join(''),

  riviere: () => {
    const left = (y: number) => 780 - ((y - 470) / 530) * 480;
    const right = (y: number) => 820 + ((y - 470) / 530) * 480;
    const tree = (x: number, base: number, size: number) =>
      `<rect x="${x - size * 0.12}" y="${base - size}" width="${size * 0.24}" height="${size}" fill="#4a3420"/><circle cx="${x}" cy="${base - size * 1.2}" r="${size * 0.75}" fill="#2f5d2e"/><circle cx="${x + size * 0.2}" cy="${base - size * 1.4}" r="${size * 0.5}" fill="#c9b458" opacity="0.45"/>`;
    const bases = [530, 600, 690, 800, 940];
    return (
      sky('#ffe3a3', '#f6a84f') +
      `<circle cx="800" cy="430" r="220" fill="#fff4cf" opacity="0.3"/><circle cx="800" cy="430" r="90" fill="#fff4cf"/>` +
      `<path d="M0 480 Q 400 420 800 470 T 1600 460 V 1000 H 0 Z" fill="#c98b4a" opacity="0.5"/><rect y="470" width="1600" height="530" fill="#6e8f3e"/>` +
      `<path d="M780 470 C 700 560, 900 640, 700 760 S 500 930, 300 1000 L 1300 1000 C 1050 900, 1100 800, 1000 720 S 840 560, 820 470 Z" fill="#6fb7d1"/>` +
      times(
        8,
        (i) =>
          `<line x1="${760 - i * 12}" y1="${500 + i * 60}" x2="${840 + i * 12}" y2="${500 + i * 60}" stroke="#ffe9a8" stroke-width="${4 + i}" opacity="0.8"/>`,
      ).join('') +
      bases.map((b, i) => tree(left(b) - 70 - i * 30, b, 40 + i * 30) + tree(right(b) + 70 + i * 30, b, 35 + i * 32)).join('')
    );
  },

  sentier: () => {
    const r = random(16);
    return (
      sky('#cfe3c8', '#a7c79a') +
      times(18, (i) => {
        const x = i * 95 + r() * 40;
        return `<rect x="${x - 12}" y="300" width="24" height="330" fill="#5a4330"/><circle cx="${x}" cy="${250 + r() * 80}" r="${80 + r() * 40}" fill="${i % 2 ? '#3a6b3f' : '#4f8a4f'}"/>`;
      }).join('') +
      `<rect y="620" width="1600" height="380" fill="#5e8f4a"/><polygon points="740,620 860,620 1200,1000 400,1000" fill="#d8c39a"/>` +
      [
        [330, 560, 120],
        [1270, 570, 130],
      ]
        .map(
          ([x, top, w]) =>
            `<rect x="${x! - 20}" y="${top}" width="40" height="${1000 - top!}" fill="#4a3420"/><circle cx="${x}" cy="${top! - 60}" r="${w}" fill="#3a6b3f"/>`,
        )
        .join('') +
      `<rect x="520" y="640" width="26" height="250" fill="#8b5a2b"/><rect x="1060" y="640" width="26" height="250" fill="#8b5a2b"/>` +
      [700, 790]
        .map(
          (y) =>
            `<path d="M533 ${y} Q 800 ${y + 40} 1073 ${y}" stroke="#fff" stroke-width="26" fill="none"/><path d="M533 ${y} Q 800 ${y + 40} 1073 ${y}" stroke="#d62828" stroke-width="26" stroke-dasharray="40 40" fill="none"/>`,
        )
        .join('')
    );
  },

  cantine: () => {
    const r = random(17);
    return (
      `<rect width="1600" height="1000" fill="#e9dcc7"/><rect x="220" y="130" width="1160" height="740" rx="40" fill="#7fb7a4"/><rect x="250" y="160" width="1100" height="680" rx="30" fill="#92c7b4"/>` +
      `<rect x="262" y="300" width="22" height="460" rx="10" fill="#b8c0c6"/>` +
      `<circle cx="560" cy="520" r="250" fill="#fdfdfd" stroke="#dcdcdc" stroke-width="14"/>` +
      times(14, () => {
        const x = 400 + r() * 160;
        const y = 380 + r() * 280;
        return `<line x1="${x}" y1="${y}" x2="${x + 50}" y2="${y + 20 - r() * 40}" stroke="#4f9a3a" stroke-width="14" stroke-linecap="round"/>`;
      }).join('') +
      times(
        7,
        (i) =>
          `<circle cx="${640 + (i % 3) * 50}" cy="${400 + Math.floor(i / 3) * 55}" r="22" fill="#f08a24"/><circle cx="${640 + (i % 3) * 50}" cy="${400 + Math.floor(i / 3) * 55}" r="8" fill="#f6b26b"/>`,
      ).join('') +
      times(5, (i) => `<circle cx="${620 + i * 30}" cy="${600 + (i % 2) * 30}" r="30" fill="#2f7d32"/>`).join('') +
      `<circle cx="1060" cy="330" r="150" fill="#fdfdfd" stroke="#dcdcdc" stroke-width="10"/>` +
      times(40, () => {
        const x = 960 + r() * 110;
        const y = 250 + r() * 150;
        return `<line x1="${x}" y1="${y}" x2="${x + 30}" y2="${y + 10 - r() * 20}" stroke="#f08a24" stroke-width="6" stroke-linecap="round"/>`;
      }).join('') +
      [
        [1110, 280],
        [1130, 360],
        [1080, 410],
      ]
        .map(([x, y]) => `<circle cx="${x}" cy="${y}" r="36" fill="#e63946"/><circle cx="${x}" cy="${y}" r="22" fill="#f28482"/>`)
        .join('') +
      `<circle cx="1060" cy="690" r="130" fill="#f4f1ea" stroke="#dcdcdc" stroke-width="10"/><circle cx="1010" cy="680" r="56" fill="#c1121f"/><line x1="1010" y1="626" x2="1018" y2="606" stroke="#5a3a1e" stroke-width="6"/>` +
      `<circle cx="1110" cy="715" r="46" fill="#f28c28"/><circle cx="1110" cy="715" r="6" fill="#3a7d44"/>`
    );
  },
};
