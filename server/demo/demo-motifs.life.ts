import { random, times, sky, hill, garland, house, musicNote, type Draw } from './demo-drawing';

/** The demo's drawings of events, seasons and nature (see MOTIFS: each shows its article's alt text). */
export const LIFE_MOTIFS: Record<string, Draw> = {
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
};
