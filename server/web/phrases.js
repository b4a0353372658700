// Edits of an AudioQuery's accent phrases that only rearrange what is there (split, join,
// move the nucleus). New lengths and pitches for the result always come from the server
// (`/mora_data`, `/mora_pitch`); tones and notation from `/accent_notation`.

const clone = (x) => JSON.parse(JSON.stringify(x));

/** Phrase `p` with its nucleus after mora `k` (1-based); 0 makes it flat. */
export function withAccent(phrases, p, k) {
  const out = clone(phrases);
  out[p].accent = Math.max(0, Math.min(k, out[p].moras.length));
  return out;
}

/**
 * Phrase `p` cut after its mora `k` (1 ≤ k < moras). The nucleus stays where it was: in the
 * first part if it falls there (the second part is then flat), else in the second (the first
 * part, high to its end, is flat).
 */
export function split(phrases, p, k) {
  const ph = phrases[p];
  if (!ph || k < 1 || k >= ph.moras.length) return null;
  const first = {
    moras: clone(ph.moras.slice(0, k)),
    accent: ph.accent >= 1 && ph.accent <= k ? ph.accent : 0,
    pause_mora: null,
    is_interrogative: false,
  };
  const second = {
    moras: clone(ph.moras.slice(k)),
    accent: ph.accent > k ? ph.accent - k : 0,
    pause_mora: ph.pause_mora ? clone(ph.pause_mora) : null,
    is_interrogative: ph.is_interrogative,
  };
  const out = clone(phrases);
  out.splice(p, 1, first, second);
  return out;
}

/** Phrase `p` joined with the next one; the first nucleus wins, the second's pause ends it. */
export function join(phrases, p) {
  const a = phrases[p];
  const b = phrases[p + 1];
  if (!a || !b) return null;
  let accent = 0;
  if (a.accent > 0) accent = a.accent;
  else if (b.accent > 0) accent = a.moras.length + b.accent;
  const joined = {
    moras: clone([...a.moras, ...b.moras]),
    accent,
    pause_mora: b.pause_mora ? clone(b.pause_mora) : null,
    is_interrogative: b.is_interrogative,
  };
  const out = clone(phrases);
  out.splice(p, 2, joined);
  return out;
}

/** The phrase's reading in katakana (its moras' text). */
export function reading(phrase) {
  return phrase.moras.map((m) => m.text).join('');
}

/** Copies lengths (and pitches when `pitch`) of `from` into `to` for phrases in `[lo, hi)`. */
export function adopt(to, from, lo, hi, { length = true, pitch = true } = {}) {
  const out = clone(to);
  for (let i = lo; i < Math.min(hi, out.length, from.length); i++) {
    out[i].moras.forEach((m, k) => {
      const f = from[i].moras[k];
      if (!f) return;
      if (length) {
        m.consonant_length = f.consonant_length;
        m.vowel_length = f.vowel_length;
      }
      if (pitch) m.pitch = f.pitch;
    });
    if (length && out[i].pause_mora && from[i].pause_mora) {
      out[i].pause_mora.vowel_length = from[i].pause_mora.vowel_length;
    }
  }
  return out;
}
