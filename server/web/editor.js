// The accent editor: text → AudioQuery (the server's), edits by mora, streamed playback with
// a cursor, downloads, the user dictionary. Every value the voice needs comes from the
// server; this file keeps the query and decides what each gesture asks for.

import { api, voices, download } from './api.js';
import { StreamPlayer, moraAt } from './player.js';
import { withAccent, split, join, adopt, reading } from './phrases.js';
import { render, showCursor } from './view.js';

const $ = (id) => document.getElementById(id);
const clone = (x) => JSON.parse(JSON.stringify(x));

const state = {
  query: null,
  tones: [],
  kana: '',
  focus: { p: 0, m: 0 },
  busy: 0,
};
const speaker = () => Number($('voice').value || 0);
const player = new StreamPlayer({ speaker, onEvent: playerEvent });
// For the browser test and for curious people: what was sent and played.
window.__editorStats = player.stats;
window.__editor = state;

function status(msg) {
  $('status').textContent = msg;
}

function showError(e) {
  const box = $('error');
  if (!e) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.hidden = false;
  box.textContent = `エラー: ${e.message || e}`;
}

/** Runs an action; its failure is shown with the server's message, never swallowed. */
async function act(what, fn) {
  state.busy += 1;
  document.body.classList.add('busy');
  try {
    await fn();
    showError(null);
  } catch (e) {
    console.error(what, e);
    showError(e);
  } finally {
    state.busy -= 1;
    if (!state.busy) document.body.classList.remove('busy');
  }
}

const SCALES = [
  ['speed', 'speedScale'],
  ['pitch', 'pitchScale'],
  ['intonation', 'intonationScale'],
  ['volume', 'volumeScale'],
];

/** The query as it will be sent: the edited phrases with the sliders' scales. */
function currentQuery() {
  const q = clone(state.query);
  for (const [id, field] of SCALES) q[field] = Number($(id).value);
  q.kana = state.kana;
  return q;
}

function syncSliders(q) {
  for (const [id, field] of SCALES) {
    if (typeof q[field] === 'number') $(id).value = q[field];
    $(`${id}-out`).textContent = Number($(id).value).toFixed(2);
  }
}

/** Tones and notation of the phrases (the server's tone rule), then a redraw. */
async function refresh() {
  const phrases = state.query ? state.query.accent_phrases : [];
  const n = await api('POST', '/accent_notation', { body: phrases });
  state.tones = n.tones;
  state.kana = n.kana;
  draw();
}

function draw() {
  const phrases = state.query ? state.query.accent_phrases : [];
  const f = state.focus;
  if (!phrases[f.p]) state.focus = { p: 0, m: 0 };
  else if (f.m >= phrases[f.p].moras.length) f.m = phrases[f.p].moras.length - 1;
  $('kana').textContent = state.kana;
  render($('phrases'), phrases, {
    tones: state.tones,
    focus: state.focus,
    onAccent: (p, k) => act('accent', () => setAccent(p, k)),
    onFlat: (p) => act('flat', () => setAccent(p, 0)),
    onSplit: (p, k) => act('split', () => splitAt(p, k)),
    onJoin: (p) => act('join', () => joinNext(p)),
    onPitch: (p, m, v, done) => {
      state.query.accent_phrases[p].moras[m].pitch = v;
      if (done) draw();
    },
    onLength: (p, m, v, done) => {
      state.query.accent_phrases[p].moras[m].vowel_length = v;
      if (done) draw();
    },
    onKey: keyOnMora,
    onFocus: (p, m) => {
      state.focus = { p, m };
    },
  });
}

function focusMora(p, m) {
  const b = document.querySelector(`.mora[data-p="${p}"][data-m="${m}"]`);
  if (!b) return;
  for (const x of document.querySelectorAll('.mora[tabindex="0"]')) x.tabIndex = -1;
  b.tabIndex = 0;
  b.focus();
}

async function analyze() {
  const text = $('text').value;
  if (!text.trim()) {
    state.query = null;
    await refresh();
    return;
  }
  status('解析中…');
  let q;
  if ($('kana-mode').checked) {
    const phrases = await api('POST', '/accent_phrases', {
      params: { text, speaker: speaker(), is_kana: true },
    });
    // The server's defaults for everything else (an empty text gives an empty query).
    q = state.query ? clone(state.query) : await api('POST', '/audio_query', { params: { text: '', speaker: speaker() } });
    q.accent_phrases = phrases;
  } else {
    q = await api('POST', '/audio_query', { params: { text, speaker: speaker() } });
    if (state.query) {
      for (const [, field] of SCALES) q[field] = state.query[field];
    }
  }
  for (const [id, field] of SCALES) q[field] = Number($(id).value);
  state.query = q;
  state.focus = { p: 0, m: 0 };
  await refresh();
  status(`${q.accent_phrases.length} 句、${q.accent_phrases.reduce((n, p) => n + p.moras.length, 0)} モーラ`);
}

async function setAccent(p, k) {
  if (!state.query) return;
  const edited = withAccent(state.query.accent_phrases, p, k);
  // New pitches from this phrase on (the ones after it step down from its nucleus).
  const fresh = await api('POST', '/mora_pitch', { params: { speaker: speaker() }, body: edited });
  state.query.accent_phrases = adopt(edited, fresh, p, edited.length, { length: false });
  state.focus = { p, m: Math.max(0, k - 1) };
  await refresh();
  focusMora(p, state.focus.m);
  status(k === 0 ? `句 ${p + 1} を平板にしました` : `句 ${p + 1} のアクセント核を ${k} モーラ目に`);
}

async function restructure(edited, lo, hi, focus) {
  const fresh = await api('POST', '/mora_data', { params: { speaker: speaker() }, body: edited });
  let out = adopt(edited, fresh, lo, hi);
  out = adopt(out, fresh, hi, out.length, { length: false });
  state.query.accent_phrases = out;
  state.focus = focus;
  await refresh();
  focusMora(focus.p, focus.m);
}

async function splitAt(p, k) {
  const edited = state.query && split(state.query.accent_phrases, p, k);
  if (!edited) {
    status('ここでは分割できません（句の途中のモーラで）');
    return;
  }
  await restructure(edited, p, p + 2, { p: p + 1, m: 0 });
  status(`句 ${p + 1} を ${k} モーラ目の後で分割しました`);
}

async function joinNext(p) {
  const edited = state.query && join(state.query.accent_phrases, p);
  if (!edited) {
    status('結合する次の句がありません');
    return;
  }
  await restructure(edited, p, p + 1, { p, m: state.query.accent_phrases[p].moras.length });
  status(`句 ${p + 1} と ${p + 2} を結合しました`);
}

function keyOnMora(e, p, m) {
  // Browser shortcuts (Ctrl+0, Alt+←…) stay the browser's.
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const phrases = state.query.accent_phrases;
  const mora = phrases[p].moras[m];
  const step = (dp, dm) => {
    let [np, nm] = [p, m + dm];
    if (nm < 0 && p > 0) [np, nm] = [p - 1, phrases[p - 1].moras.length - 1];
    if (nm >= phrases[p].moras.length && p + 1 < phrases.length) [np, nm] = [p + 1, 0];
    if (phrases[np] && phrases[np].moras[nm]) focusMora(np, nm);
  };
  switch (e.key) {
    case 'ArrowLeft':
      step(0, -1);
      break;
    case 'ArrowRight':
      step(0, 1);
      break;
    case 'ArrowUp':
    case 'ArrowDown': {
      const sign = e.key === 'ArrowUp' ? 1 : -1;
      if (e.shiftKey) mora.vowel_length = Math.max(0.01, mora.vowel_length + sign * 0.01);
      else if (mora.pitch > 0) mora.pitch = Math.max(3, Math.min(6.5, mora.pitch + sign * 0.05));
      draw();
      focusMora(p, m);
      break;
    }
    case '0':
      act('flat', () => setAccent(p, 0));
      break;
    case '/':
      act('split', () => splitAt(p, m + 1));
      break;
    case 'j':
    case 'J':
      act('join', () => joinNext(p));
      break;
    case 'p':
    case 'P':
      play();
      break;
    case 'Escape':
      stop();
      break;
    default:
      return;
  }
  e.preventDefault();
}

function play() {
  if (!state.query || !state.query.accent_phrases.length) {
    showError(new Error('再生する句がありません。テキストを解析してください'));
    return;
  }
  showError(null);
  player.interrupt({ query: currentQuery() });
  status('再生中…');
}

function stop() {
  player.stop();
  showCursor($('phrases'), null);
  status('停止しました');
}

function playerEvent(type, u, msg) {
  if (type === 'error') showError(new Error(msg.message));
  if (type === 'end' && u && u.end.completed) status('再生データを受信しました');
}

/** The play cursor follows the timeline of what is heard now. */
function tick() {
  const now = player.playing();
  if (now) {
    now.u.heard = true;
    const m = moraAt(now.u, now.t);
    showCursor($('phrases'), m && { p: m.phrase, m: m.mora, frac: (now.t - m.start) / (m.end - m.start) });
    $('time').textContent = `${now.t.toFixed(2)} / ${(now.u.samples / 24000).toFixed(2)} s`;
    state.wasPlaying = true;
  } else if (state.wasPlaying) {
    state.wasPlaying = false;
    showCursor($('phrases'), null);
  }
  requestAnimationFrame(tick);
}

async function saveWav() {
  const blob = await api('POST', '/synthesis', { params: { speaker: speaker() }, body: currentQuery(), as: 'blob' });
  download(blob, 'yomiage.wav');
}

function saveJson() {
  download(new Blob([JSON.stringify(currentQuery(), null, 2)], { type: 'application/json' }), 'yomiage-query.json');
}

function saveKana() {
  download(new Blob([`${state.kana}\n`], { type: 'text/plain' }), 'yomiage-kana.txt');
}

async function loadJson(file) {
  let q;
  try {
    q = JSON.parse(await file.text());
  } catch (e) {
    throw new Error(`${file.name} は JSON ではありません: ${e.message}`);
  }
  if (!q || !Array.isArray(q.accent_phrases)) throw new Error(`${file.name} は AudioQuery ではありません（accent_phrases がありません）`);
  // The server reads the phrases first: a broken file is reported and the editor keeps its query.
  await api('POST', '/accent_notation', { body: q.accent_phrases });
  state.query = q;
  syncSliders(q);
  state.focus = { p: 0, m: 0 };
  await refresh();
  status(`${file.name} を読み込みました`);
}

async function changeVoice() {
  if (!state.query || !state.query.accent_phrases.length) return;
  const fresh = await api('POST', '/mora_data', { params: { speaker: speaker() }, body: state.query.accent_phrases });
  state.query.accent_phrases = fresh;
  await refresh();
  status('声に合わせて長さと音高を更新しました');
}

// --- user dictionary ---

async function listWords() {
  const words = await api('GET', '/user_dict');
  const body = $('dict-list').querySelector('tbody');
  body.replaceChildren();
  for (const [id, w] of Object.entries(words)) {
    const tr = document.createElement('tr');
    for (const v of [w.surface, w.pronunciation, `${w.accent_type}/${w.mora_count}`]) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    const td = document.createElement('td');
    const del = document.createElement('button');
    del.type = 'button';
    del.className = 'small';
    del.textContent = '削除';
    del.setAttribute('aria-label', `${w.surface} を削除`);
    del.addEventListener('click', () => act('delete word', async () => {
      await api('DELETE', `/user_dict_word/${id}`);
      await listWords();
      await analyze();
      status(`${w.surface} を削除しました`);
    }));
    td.append(del);
    tr.append(td);
    body.append(tr);
  }
}

function wordFromPhrase() {
  const ph = state.query && state.query.accent_phrases[state.focus.p];
  if (!ph) return;
  const t = $('text');
  if (t.selectionEnd > t.selectionStart) $('dict-surface').value = t.value.slice(t.selectionStart, t.selectionEnd);
  $('dict-reading').value = reading(ph);
  $('dict-accent').value = ph.accent;
}

async function addWord() {
  const surface = $('dict-surface').value.trim();
  const pronunciation = $('dict-reading').value.trim();
  if (!surface || !pronunciation) throw new Error('表記と読みを入れてください');
  await api('POST', '/user_dict_word', {
    params: {
      surface,
      pronunciation,
      accent_type: $('dict-accent').value || 0,
      word_type: $('dict-type').value,
      priority: $('dict-priority').value || 5,
    },
  });
  await listWords();
  await analyze();
  status(`「${surface}」を ${pronunciation} として登録しました`);
}

// --- wiring ---

async function init() {
  $('analyze').addEventListener('click', () => act('analyze', analyze));
  $('text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      act('analyze', analyze);
    }
  });
  for (const [id] of SCALES) {
    $(id).addEventListener('input', () => {
      $(`${id}-out`).textContent = Number($(id).value).toFixed(2);
    });
  }
  $('voice').addEventListener('change', () => act('voice', changeVoice));
  $('play').addEventListener('click', play);
  $('stop').addEventListener('click', stop);
  $('save-wav').addEventListener('click', () => act('wav', saveWav));
  $('save-json').addEventListener('click', saveJson);
  $('save-kana').addEventListener('click', saveKana);
  $('load-json').addEventListener('change', (e) => {
    const f = e.target.files[0];
    if (f) act('load', () => loadJson(f));
    e.target.value = '';
  });
  $('dict-from-phrase').addEventListener('click', wordFromPhrase);
  $('dict-add').addEventListener('click', () => act('add word', addWord));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') stop();
  });
  requestAnimationFrame(tick);
  await act('start', async () => {
    const list = await voices();
    for (const v of list) {
      const o = document.createElement('option');
      o.value = v.id;
      o.textContent = `${v.name} (${v.id})`;
      $('voice').append(o);
    }
    await listWords();
    if ($('text').value.trim()) await analyze();
    document.body.dataset.ready = '1';
  });
}

init();
