// Draws the accent phrases: per phrase, the H/L line (SVG), the mora cells (buttons), the
// moras' pitches (draggable points) and lengths (draggable bars). It only draws and reports
// gestures; editor.js decides what they do.

const SVG = 'http://www.w3.org/2000/svg';
export const CELL = 44; // px per mora
const ACCENT_H = 34;
const PITCH_H = 72;
const LENGTH_H = 44;
/** Longest mora length the bars show (seconds). */
export const MAX_LEN = 0.4;

function el(name, attrs = {}, parent = null) {
  const e = name.startsWith('svg:')
    ? document.createElementNS(SVG, name.slice(4))
    : document.createElement(name);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  if (parent) parent.append(e);
  return e;
}

/** The pitch axis shared by every phrase: voiced pitches with a margin (ln Hz). */
export function pitchRange(phrases) {
  const voiced = phrases.flatMap((p) => p.moras.map((m) => m.pitch)).filter((x) => x > 0);
  if (!voiced.length) return { lo: 4.5, hi: 6.0 };
  return { lo: Math.min(...voiced) - 0.25, hi: Math.max(...voiced) + 0.25 };
}

/**
 * Renders `phrases` into `root`.
 * @param {object} o tones (one "HL…" string per phrase), focus {p, m}, handlers:
 *   onAccent(p, k), onFlat(p), onSplit(p, k), onJoin(p), onPitch(p, m, value, done),
 *   onLength(p, m, value, done), onKey(e, p, m), onFocus(p, m)
 */
export function render(root, phrases, o) {
  root.replaceChildren();
  const range = pitchRange(phrases);
  const y = (pitch) => 6 + (1 - (pitch - range.lo) / (range.hi - range.lo)) * (PITCH_H - 12);
  const toPitch = (py) => range.lo + (1 - (py - 6) / (PITCH_H - 12)) * (range.hi - range.lo);
  phrases.forEach((ph, p) => {
    const n = ph.moras.length;
    const w = n * CELL;
    const tones = (o.tones && o.tones[p]) || '';
    const box = el('div', { class: 'phrase', 'data-p': p, role: 'group', 'aria-label': `アクセント句 ${p + 1}` }, root);

    const tools = el('div', { class: 'ph-tools' }, box);
    el('span', { class: 'ph-label', text: `${p + 1}: 核 ${ph.accent === 0 ? '平板' : ph.accent}` }, tools);
    const flat = el('button', { type: 'button', class: 'small', title: '平板にする (0)', text: '平板' }, tools);
    flat.addEventListener('click', () => o.onFlat(p));
    if (p + 1 < phrases.length) {
      const j = el('button', { type: 'button', class: 'small', title: '次の句と結合 (J)', text: '結合→' }, tools);
      j.addEventListener('click', () => o.onJoin(p));
    }

    // H/L line: H high, L low; the fall after the nucleus drawn in red.
    const acc = el('svg:svg', { class: 'accent', width: w, height: ACCENT_H, 'aria-hidden': 'true' }, box);
    const ty = (t) => (t === 'H' ? 8 : ACCENT_H - 8);
    const pts = [...tones].map((t, k) => `${k * CELL + CELL / 2},${ty(t)}`).join(' ');
    el('svg:polyline', { points: pts, class: 'hl' }, acc);
    [...tones].forEach((t, k) => {
      el('svg:circle', { cx: k * CELL + CELL / 2, cy: ty(t), r: 3.5, class: t === 'H' ? 'h' : 'l' }, acc);
    });
    if (ph.accent > 0 && ph.accent <= n) {
      const x = ph.accent * CELL;
      el('svg:line', { x1: x - 4, y1: 6, x2: x + 4, y2: ACCENT_H - 6, class: 'fall' }, acc);
    }

    const cells = el('div', { class: 'moras', style: `width:${w}px` }, box);
    ph.moras.forEach((m, k) => {
      const nucleus = ph.accent === k + 1;
      const tone = tones[k] === 'H' ? '高' : '低';
      const b = el('button', {
        type: 'button',
        class: `mora${nucleus ? ' nucleus' : ''}`,
        'data-p': p,
        'data-m': k,
        'aria-label': `${m.text} ${tone}${nucleus ? ' アクセント核' : ''}`,
        title: nucleus ? 'クリックで平板' : 'クリックでアクセント核',
        tabindex: o.focus && o.focus.p === p && o.focus.m === k ? '0' : '-1',
      }, cells);
      el('span', { class: 'mt', text: m.text }, b);
      el('small', { text: tones[k] || '' }, b);
      // Clicking the nucleus again makes the phrase flat.
      b.addEventListener('click', () => o.onAccent(p, nucleus ? 0 : k + 1));
      b.addEventListener('keydown', (e) => o.onKey(e, p, k));
      b.addEventListener('focus', () => o.onFocus(p, k));
      if (k + 1 < n) {
        // Between two moras: split the phrase here (the keyboard's "/").
        const cut = el('button', { type: 'button', class: 'cut', tabindex: '-1', title: 'ここで分割', 'aria-label': `${k + 1} モーラ目の後で分割`, style: `left:${(k + 1) * CELL - 7}px` }, cells);
        cut.textContent = '|';
        cut.addEventListener('click', () => o.onSplit(p, k + 1));
      }
    });
    el('div', { class: 'cursor', hidden: '' }, box);

    const pitch = el('svg:svg', { class: 'pitch', width: w, height: PITCH_H, 'aria-hidden': 'true' }, box);
    const line = ph.moras
      .map((m, k) => (m.pitch > 0 ? `${k * CELL + CELL / 2},${y(m.pitch)}` : null))
      .filter(Boolean)
      .join(' ');
    const poly = el('svg:polyline', { points: line, class: 'pl' }, pitch);
    ph.moras.forEach((m, k) => {
      const cx = k * CELL + CELL / 2;
      if (m.pitch <= 0) {
        el('svg:text', { x: cx, y: PITCH_H - 4, class: 'unvoiced', text: '×' }, pitch);
        return;
      }
      const c = el('svg:circle', { cx, cy: y(m.pitch), r: 6, class: 'handle', 'data-m': k }, pitch);
      drag(c, pitch, (py, done) => {
        const v = Math.max(range.lo, Math.min(range.hi, toPitch(py)));
        c.setAttribute('cy', y(v));
        poly.setAttribute('points', poly.getAttribute('points').split(' ')
          .map((pt) => (pt.startsWith(`${cx},`) ? `${cx},${y(v)}` : pt)).join(' '));
        o.onPitch(p, k, v, done);
      });
    });

    const len = el('svg:svg', { class: 'length', width: w, height: LENGTH_H, 'aria-hidden': 'true' }, box);
    ph.moras.forEach((m, k) => {
      const total = (m.consonant_length || 0) + m.vowel_length;
      const h = Math.min(1, total / MAX_LEN) * (LENGTH_H - 4);
      const r = el('svg:rect', { x: k * CELL + 10, y: LENGTH_H - h, width: CELL - 20, height: Math.max(h, 2), class: 'bar', 'data-m': k }, len);
      el('svg:title', { text: `${(total * 1000).toFixed(0)} ms` }, r);
      drag(r, len, (py, done) => {
        const t = Math.max(0.02, Math.min(MAX_LEN, ((LENGTH_H - py) / (LENGTH_H - 4)) * MAX_LEN));
        const hh = (t / MAX_LEN) * (LENGTH_H - 4);
        r.setAttribute('y', LENGTH_H - hh);
        r.setAttribute('height', hh);
        o.onLength(p, k, Math.max(0.01, t - (m.consonant_length || 0)), done);
      });
    });
    if (ph.pause_mora) el('div', { class: 'pause', title: 'ポーズ', text: `、${(ph.pause_mora.vowel_length * 1000).toFixed(0)} ms` }, box);
  });
}

/** Vertical dragging of `target` inside `svg`: `move(y, done)` while moving and at the end. */
function drag(target, svg, move) {
  target.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    target.setPointerCapture(e.pointerId);
    const top = () => svg.getBoundingClientRect().top;
    const onMove = (ev) => move(ev.clientY - top(), false);
    const onUp = (ev) => {
      target.removeEventListener('pointermove', onMove);
      target.removeEventListener('pointerup', onUp);
      move(ev.clientY - top(), true);
    };
    target.addEventListener('pointermove', onMove);
    target.addEventListener('pointerup', onUp);
  });
}

/** Shows the play cursor at mora `m` of phrase `p`, `frac` of the way through; null hides it. */
export function showCursor(root, at) {
  for (const c of root.querySelectorAll('.cursor')) c.hidden = true;
  for (const b of root.querySelectorAll('.mora.playing')) b.classList.remove('playing');
  if (!at) return;
  const box = root.querySelector(`.phrase[data-p="${at.p}"]`);
  if (!box) return;
  const cell = box.querySelector(`.mora[data-m="${at.m}"]`);
  if (cell) cell.classList.add('playing');
  const c = box.querySelector('.cursor');
  const cells = box.querySelector('.moras');
  c.hidden = false;
  c.style.left = `${cells.offsetLeft + (at.m + at.frac) * CELL}px`;
}
