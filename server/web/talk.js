// The talk view: lines go over the WebSocket, their audio is played as it streams in (chunks
// scheduled back to back, see player.js), and the face's mouth follows the viseme events on
// the audio clock. A line sent while one is being spoken waits its turn, as a chat's next
// message would; "割り込み" (or Ctrl+Enter) interrupts instead, "停止" (Esc) stops.

import { voices } from './api.js';
import { StreamPlayer, visemeAt } from './player.js';

const $ = (id) => document.getElementById(id);
const speaker = () => Number($('voice').value || 0);
// `?lead=0.3`: a larger cushion before the first chunk (a slow or busy server).
const lead = Number(new URLSearchParams(location.search).get('lead')) || 0.15;
const player = new StreamPlayer({ speaker, lead, onEvent });
const stats = player.stats;
stats.visemes = [];
// Read by the browser test (and useful in the console).
window.__talkStats = stats;

/** Mouth openings per viseme: [half width, half height] in the face's units. */
const MOUTH = {
  a: [26, 20], i: [30, 7], u: [12, 11], e: [26, 13], o: [17, 18], N: [20, 3], closed: [22, 1.5],
};
const mouth = { rx: 22, ry: 1.5, viseme: 'closed' };
const items = new Map();

function showError(msg) {
  $('error').hidden = !msg;
  $('error').textContent = msg ? `エラー: ${msg}` : '';
}

function logLine(u) {
  const li = document.createElement('li');
  li.textContent = u.text || '（クエリ）';
  const meta = document.createElement('span');
  meta.className = 'meta';
  li.append(meta);
  $('log').append(li);
  li.scrollIntoView({ block: 'nearest' });
  items.set(u, { li, meta });
}

function onEvent(type, u, msg) {
  if (type === 'sent' && u && !items.has(u)) logLine(u);
  const item = u && items.get(u);
  switch (type) {
    case 'firstsound':
      if (u.waited) {
        // Its sound waited for the line before: not a latency figure.
        if (item) item.meta.textContent = `前の行に続けて（受信まで ${Math.round(u.firstAudioMs)} ms）`;
        break;
      }
      $('first-sound').textContent = `${Math.round(u.firstSoundMs)} ms`;
      $('first-audio').textContent = `${Math.round(u.firstAudioMs)} ms`;
      if (item) item.meta.textContent = `送信→発音 ${Math.round(u.firstSoundMs)} ms`;
      break;
    case 'error':
      showError(msg.message);
      if (item) item.meta.textContent = `エラー: ${msg.message}`;
      break;
    case 'end':
      if (item && !u.end.completed) markInterrupted(item);
      break;
    case 'stopped':
      for (const [x, it] of items) if (x.interrupted) markInterrupted(it);
      break;
    default:
  }
  $('gaps').textContent = `${stats.gaps}（クッション ${Math.round(player.lead * 1000)} ms）`;
}

function markInterrupted(item) {
  if (item.li.classList.contains('interrupted')) return;
  item.li.classList.add('interrupted');
  item.meta.textContent += '（中断）';
}

function lines() {
  const text = $('line').value;
  $('line').value = '';
  return text.split(/\n+/).map((l) => l.trim()).filter(Boolean);
}

function cmd(text) {
  return { text, speed: Number($('speed').value) };
}

function send() {
  showError(null);
  for (const l of lines()) player.say(cmd(l));
}

function interrupt() {
  showError(null);
  const ls = lines();
  if (!ls.length) return;
  player.interrupt(cmd(ls[0]));
  for (const l of ls.slice(1)) player.say(cmd(l));
}

/** Each frame: the mouth eases towards the shape of the viseme heard now. */
function tick() {
  const now = player.playing();
  const v = now ? visemeAt(now.u, now.t) : 'closed';
  if (v !== mouth.viseme) {
    mouth.viseme = v;
    $('viseme').textContent = v;
    stats.visemes.push({ viseme: v, id: now ? now.u.id : null, t: now ? now.t : null, ctx: player.ctx ? player.ctx.currentTime : 0 });
  }
  const [rx, ry] = MOUTH[v] || MOUTH.closed;
  mouth.rx += (rx - mouth.rx) * 0.5;
  mouth.ry += (ry - mouth.ry) * 0.5;
  const m = $('mouth');
  m.setAttribute('rx', mouth.rx.toFixed(1));
  m.setAttribute('ry', mouth.ry.toFixed(1));
  for (const [u, it] of items) it.li.classList.toggle('speaking', Boolean(now && now.u === u));
  requestAnimationFrame(tick);
}

async function init() {
  $('send').addEventListener('click', send);
  $('interrupt').addEventListener('click', interrupt);
  $('stop').addEventListener('click', () => player.stop());
  $('speed').addEventListener('input', () => {
    $('speed-out').textContent = Number($('speed').value).toFixed(2);
  });
  $('line').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) interrupt();
    else send();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') player.stop();
  });
  requestAnimationFrame(tick);
  try {
    for (const v of await voices()) {
      const o = document.createElement('option');
      o.value = v.id;
      o.textContent = `${v.name} (${v.id})`;
      $('voice').append(o);
    }
    // Open the socket early: the first line should not pay for the handshake.
    await player.connect();
    document.body.dataset.ready = '1';
  } catch (e) {
    showError(e.message);
  }
}

init();
