// Streamed speech over yomiage's WebSocket (`/ws`), played through Web Audio.
//
// Each binary message (s16le, 24 kHz mono) becomes an AudioBuffer scheduled exactly where the
// previous one ends, so chunks join without a gap; the first chunk of an utterance starts
// `lead` seconds after it arrives (a small cushion against a late second chunk). Timelines
// (mora and phoneme times with visemes, seconds from the utterance's first sample) arrive
// before the audio they describe and are mapped onto the AudioContext's clock through the
// utterance's start time. Everything measured is kept in `stats` (the talk view exposes it as
// `window.__talkStats`; the browser test reads it).

export const RATE = 24000;

export class StreamPlayer {
  /**
   * @param {object} o
   * @param {() => number} o.speaker  the style ID to speak with
   * @param {number} [o.lead]  seconds between the first chunk's arrival and its sound
   * @param {(type: string, u: object|null, msg: object) => void} [o.onEvent]
   */
  constructor({ speaker, lead = 0.15, onEvent = () => {} }) {
    this.speaker = speaker;
    this.lead = lead;
    this.onEvent = onEvent;
    this.ws = null;
    this.ctx = null;
    this.sources = new Set();
    /** Context time where the last scheduled chunk ends (the next chunk's place). */
    this.chainEnd = 0;
    /** Sent commands waiting for their `start` (or a refusal without id). */
    this.awaiting = [];
    /** The utterance whose audio is arriving (between its `start` and `end`). */
    this.current = null;
    /** Lines waiting for the current utterance to finish synthesizing. */
    this.queue = [];
    this.stats = { utterances: [], gaps: 0, activeSources: 0, stops: [] };
  }

  /** The AudioContext, created on first use (after a user gesture, as browsers require). */
  audio() {
    if (!this.ctx) this.ctx = new AudioContext({ sampleRate: RATE, latencyHint: 'interactive' });
    if (this.ctx.state === 'suspended') this.ctx.resume();
    return this.ctx;
  }

  connect() {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return this.opened;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/ws?speaker=${this.speaker()}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.opened = new Promise((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error('WebSocket に接続できません'));
    });
    ws.onmessage = (e) => this.message(e.data);
    ws.onclose = () => {
      if (this.ws === ws) this.ws = null;
      for (const u of this.awaiting.splice(0)) this.refused(u, '接続が切れました');
      if (this.current && !this.current.end) {
        this.current.error = '接続が切れました';
        this.onEvent('error', this.current, { message: this.current.error });
      }
      this.current = null;
    };
    return this.opened;
  }

  /** Says `cmd` ({text} or {query}) after what is being said now (a chat's next line). */
  say(cmd) {
    if (this.current || this.awaiting.length) {
      this.queue.push(cmd);
      this.onEvent('queued', null, { queued: this.queue.length });
      return;
    }
    this.send(cmd);
  }

  /** Stops what is playing and queued, and says `cmd` at once. */
  interrupt(cmd) {
    this.queue = [];
    this.stopAudio('interrupt');
    this.send(cmd);
  }

  /** Stops everything: the server's utterance, the queue and the sound. */
  stop() {
    this.queue = [];
    this.stopAudio('stop');
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: 'cancel' }));
    }
  }

  async send(cmd) {
    this.audio();
    const u = {
      id: null,
      text: cmd.text || null,
      sentAt: performance.now(),
      startAt: null,
      samples: 0,
      chunks: [],
      timelines: [],
      moras: [],
      phonemes: [],
      gaps: 0,
      firstSoundMs: null,
      firstAudioMs: null,
      interrupted: false,
      end: null,
      error: null,
    };
    this.stats.utterances.push(u);
    this.awaiting.push(u);
    try {
      await this.connect();
    } catch (e) {
      this.awaiting = this.awaiting.filter((x) => x !== u);
      this.refused(u, e.message);
      return;
    }
    this.ws.send(JSON.stringify({ type: 'speak', speaker: this.speaker(), ...cmd }));
    this.onEvent('sent', u, cmd);
  }

  refused(u, message) {
    u.error = message;
    u.end = { completed: false, samples: 0 };
    this.onEvent('error', u, { message });
  }

  message(data) {
    if (typeof data !== 'string') {
      this.chunk(data);
      return;
    }
    let m;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    const u = this.current;
    switch (m.type) {
      case 'start': {
        const next = this.awaiting.shift() || null;
        if (!next) return;
        next.id = m.id;
        this.current = next;
        this.onEvent('start', next, m);
        break;
      }
      case 'timeline':
        if (u && u.id === m.id && !u.interrupted) {
          // Where the audio stood when the timeline came: it must not have reached it yet.
          u.timelines.push({
            samplesBefore: u.samples,
            firstStart: m.moras.length ? m.moras[0].start : null,
            moras: m.moras.length,
          });
          u.moras.push(...m.moras);
          u.phonemes.push(...m.phonemes);
          this.onEvent('timeline', u, m);
        }
        break;
      case 'sentence':
        if (u && u.id === m.id) this.onEvent('sentence', u, m);
        break;
      case 'error':
        if (m.id == null) {
          // A refused command: it never got a start.
          const refused = this.awaiting.shift();
          if (refused) this.refused(refused, m.message);
          else this.onEvent('error', null, m);
        } else if (u && u.id === m.id) {
          u.error = m.message;
          this.onEvent('error', u, m);
        }
        break;
      case 'end':
        if (u && u.id === m.id) {
          u.end = { completed: m.completed, samples: m.samples };
          this.current = null;
          this.onEvent('end', u, m);
          const next = this.queue.shift();
          if (next) this.send(next);
        }
        break;
      default:
    }
  }

  chunk(buf) {
    const u = this.current;
    if (!u || u.interrupted || !this.ctx) return;
    const ctx = this.ctx;
    const n = buf.byteLength >> 1;
    if (n === 0) return;
    const view = new DataView(buf);
    const pcm = new Float32Array(n);
    for (let i = 0; i < n; i++) pcm[i] = view.getInt16(2 * i, true) / 32768;
    const ab = ctx.createBuffer(1, n, RATE);
    ab.copyToChannel(pcm, 0);
    const now = ctx.currentTime;
    let at;
    if (u.startAt === null) {
      at = Math.max(now + this.lead, this.chainEnd);
      u.startAt = at;
      const arrived = performance.now();
      u.firstAudioMs = arrived - u.sentAt;
      const latency = (ctx.baseLatency || 0) + (ctx.outputLatency || 0);
      u.firstSoundMs = arrived - u.sentAt + (at - now + latency) * 1000;
      // It waited for the previous line's audio to end (a chat's next line).
      u.waited = at > now + this.lead + 1e-6;
      this.onEvent('firstsound', u, {});
    } else {
      at = u.startAt + u.samples / RATE;
      if (at < now + 0.005) {
        // Ran dry: a gap. Shift the rest (and the timeline's mapping) to play from now.
        const shift = now + 0.02 - at;
        u.startAt += shift;
        at += shift;
        u.gaps += 1;
        this.stats.gaps += 1;
        // This server (or network) is slower than the cushion: a larger one from now on.
        this.lead = Math.min(0.6, this.lead + shift);
      }
    }
    const src = ctx.createBufferSource();
    src.buffer = ab;
    src.connect(ctx.destination);
    src.start(at);
    this.sources.add(src);
    this.stats.activeSources = this.sources.size;
    src.onended = () => {
      this.sources.delete(src);
      this.stats.activeSources = this.sources.size;
    };
    u.chunks.push({ at, duration: n / RATE, arrived: now, samplesBefore: u.samples });
    u.samples += n;
    this.chainEnd = at + n / RATE;
  }

  /** Silences everything scheduled, at once. */
  stopAudio(why) {
    for (const src of this.sources) {
      try {
        src.stop();
      } catch {
        // never started
      }
    }
    this.sources.clear();
    this.stats.activeSources = 0;
    this.chainEnd = 0;
    const at = this.ctx ? this.ctx.currentTime : 0;
    for (const u of this.stats.utterances) {
      const playing = u.startAt !== null && at < u.startAt + u.samples / RATE;
      if (!u.interrupted && (playing || !u.end)) {
        u.interrupted = true;
        u.stoppedAt = at;
      }
    }
    this.stats.stops.push({ why, at, perf: performance.now() });
    this.onEvent('stopped', null, { why });
  }

  /** The utterance being heard now and the position in it (seconds), or null. */
  playing() {
    if (!this.ctx) return null;
    const now = this.ctx.currentTime;
    for (const u of this.stats.utterances) {
      if (u.interrupted || u.startAt === null) continue;
      const t = now - u.startAt;
      if (t >= 0 && t < u.samples / RATE) return { u, t };
    }
    return null;
  }
}

/** The viseme of `u` at `t` seconds (its phonemes' classes; `closed` between them). */
export function visemeAt(u, t) {
  for (const p of u.phonemes) {
    if (t >= p.start && t < p.end) return p.viseme;
  }
  return 'closed';
}

/** The mora timing of `u` at `t`, or null. */
export function moraAt(u, t) {
  for (const m of u.moras) {
    if (t >= m.start && t < m.end) return m;
  }
  return null;
}
