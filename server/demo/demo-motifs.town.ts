import { random, times, sky, hill, house, type Draw } from './demo-drawing';

/** The demo's drawings of works and public services (see MOTIFS: each shows its article's alt text). */
export const TOWN_MOTIFS: Record<string, Draw> = {
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
};
