// Drives the editor (/editor) and the talk view (/talk) of a real `yomiage serve` in Debian's
// chromium through playwright-core (no browser download). Usage:
//   node browser.test.mjs BASE_URL ARTIFACT_DIR
// Screenshots go to ARTIFACT_DIR (editor.png, talk.png, and failure-*.png on failure).
// Exits non-zero on the first failed check. run.sh starts the server and bounds the time.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, artifacts] = process.argv.slice(2);
if (!base || !artifacts) {
  console.error('usage: node browser.test.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
fs.mkdirSync(artifacts, { recursive: true });
const WAIT = { timeout: 90_000 };
const RATE = 24000;

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'yomiage-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1180, height: 820 },
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // Containers often have a tiny /dev/shm; chromium then crashes its renderer.
    '--disable-dev-shm-usage',
    // No audio device here: Web Audio still runs its clock; no gesture needed to start it.
    '--autoplay-policy=no-user-gesture-required',
  ],
});
console.log(`chromium ${context.browser()?.version() ?? '(persistent context)'}`);

let page = context.pages()[0] || (await context.newPage());
const pageErrors = [];
function watch(p) {
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.on('console', (m) => {
    if (m.type() === 'error') console.log(`  [page console] ${m.text()}`);
  });
}
watch(page);

let step = '';
async function check(name, fn) {
  step = name;
  const t0 = Date.now();
  await fn();
  assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
  console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

const morasOf = (p) => page.$$eval('.phrase', (els) => els.map((e) =>
  [...e.querySelectorAll('.mora')].map((b) => ({
    text: b.querySelector('.mt').textContent,
    tone: b.querySelector('small').textContent,
    nucleus: b.classList.contains('nucleus'),
  }))));

/** The speak commands the page sends over its WebSocket. */
const sent = [];
page.on('websocket', (ws) => {
  ws.on('framesent', (f) => {
    if (typeof f.payload === 'string') sent.push(JSON.parse(f.payload));
  });
});

async function analyze(text) {
  await page.fill('#text', text);
  const done = page.waitForResponse((r) => r.url().includes('/accent_notation'), WAIT);
  await page.click('#analyze');
  await done;
  await page.waitForFunction(() => !document.body.classList.contains('busy'), null, WAIT);
}

try {
  await page.goto(`${base}/editor`);
  await page.waitForSelector('body[data-ready="1"]', WAIT);

  let nucleus;
  let before;
  await check('editor: move a nucleus; the query sent changes as intended; audio plays', async () => {
    await analyze('雨が降ってきたので、橋の下で待った。');
    before = await page.evaluate(() => JSON.parse(JSON.stringify(window.__editor.query)));
    const ph = before.accent_phrases[0];
    assert.ok(ph.moras.length >= 2, `first phrase too short: ${JSON.stringify(ph)}`);
    nucleus = ph.accent === 1 ? 2 : 1; // somewhere else than now
    const posted = page.waitForRequest((r) => r.url().includes('/mora_pitch'), WAIT);
    await page.click(`.mora[data-p="0"][data-m="${nucleus - 1}"]`);
    const req = await posted;
    assert.equal(req.postDataJSON()[0].accent, nucleus, 'the page asked for the new nucleus');
    await page.waitForFunction((k) => window.__editor.query.accent_phrases[0].accent === k, nucleus, WAIT);
    await page.waitForFunction(() => !document.body.classList.contains('busy'), null, WAIT);

    // The drawing: H on the nucleus, L after it, the nucleus cell marked.
    const m = (await morasOf())[0];
    assert.equal(m[nucleus - 1].tone, 'H');
    assert.equal(m[nucleus].tone, 'L');
    assert.ok(m[nucleus - 1].nucleus);

    // Clicking the nucleus again makes the phrase flat; clicking it once more puts it back.
    await page.click(`.mora[data-p="0"][data-m="${nucleus - 1}"]`);
    await page.waitForFunction(() => window.__editor.query.accent_phrases[0].accent === 0, null, WAIT);
    assert.equal((await morasOf())[0].map((x) => x.tone).join(''), 'L' + 'H'.repeat(m.length - 1));
    await page.click(`.mora[data-p="0"][data-m="${nucleus - 1}"]`);
    await page.waitForFunction((k) => window.__editor.query.accent_phrases[0].accent === k, nucleus, WAIT);
    await page.waitForFunction(() => !document.body.classList.contains('busy'), null, WAIT);

    await page.keyboard.press('p'); // focus is on the nucleus mora: P plays
    const speak = await waitFor(() => sent.filter((c) => c.type === 'speak' && c.query).at(-1));
    const q = speak.query;
    assert.equal(q.accent_phrases[0].accent, nucleus, 'sent query has the moved nucleus');
    for (let i = 1; i < q.accent_phrases.length; i++) {
      assert.equal(q.accent_phrases[i].accent, before.accent_phrases[i].accent, `phrase ${i} untouched`);
    }
    const moras = q.accent_phrases[0].moras;
    assert.ok(moras[nucleus - 1].pitch > moras[nucleus].pitch,
      `pitch falls after the new nucleus: ${moras.map((x) => x.pitch.toFixed(2))}`);
    assert.notDeepEqual(moras.map((x) => x.pitch), before.accent_phrases[0].moras.map((x) => x.pitch));

    // Audio came back, was scheduled and heard (the cursor followed it).
    await page.waitForFunction(() => {
      const u = window.__editorStats.utterances.at(-1);
      return u && u.end && u.heard;
    }, null, WAIT);
    const u = await page.evaluate(() => window.__editorStats.utterances.at(-1));
    assert.equal(u.error, null);
    assert.ok(u.end.completed, 'utterance completed');
    assert.ok(u.chunks.length > 0 && u.samples > RATE / 2, `audio: ${u.samples} samples`);
    assert.equal(u.samples, u.end.samples, 'every sample the server sent was scheduled');
    assert.ok(u.moras.length > 0, 'timeline received');
    await page.screenshot({ path: path.join(artifacts, 'editor.png'), fullPage: true });
  });

  await check('editor: downloads (WAV, query JSON, kana) and loading a saved query', async () => {
    const get = async (button) => {
      const dl = page.waitForEvent('download', WAIT);
      await page.click(button);
      const d = await dl;
      return fs.readFileSync(await d.path());
    };
    const wav = await get('#save-wav');
    assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
    assert.ok(wav.length > 44 + RATE, `WAV of ${wav.length} bytes`);
    const saved = JSON.parse((await get('#save-json')).toString());
    assert.equal(saved.accent_phrases[0].accent, nucleus);
    const kana = (await get('#save-kana')).toString().trim();
    assert.equal(kana, await page.textContent('#kana'));
    assert.ok(kana.includes("'"), kana);
    // Flatten phrase 0, then load the saved query back: the nucleus returns.
    await page.focus(`.mora[data-p="0"][data-m="0"]`);
    await page.keyboard.press('0');
    await page.waitForFunction(() => window.__editor.query.accent_phrases[0].accent === 0, null, WAIT);
    const file = path.join(artifacts, 'saved-query.json');
    fs.writeFileSync(file, JSON.stringify(saved));
    await page.setInputFiles('#load-json', file);
    await page.waitForFunction((k) => window.__editor.query.accent_phrases[0].accent === k, nucleus, WAIT);
    // A broken file: the server's complaint is shown and the editor keeps its query.
    const broken = path.join(artifacts, 'broken-query.json');
    fs.writeFileSync(broken, JSON.stringify({ accent_phrases: [{ moras: 'x', accent: 1 }] }));
    await page.setInputFiles('#load-json', broken);
    await page.waitForSelector('#error:not([hidden])', WAIT);
    assert.match(await page.textContent('#error'), /moras/);
    assert.equal(await page.evaluate(() => window.__editor.query.accent_phrases[0].accent), nucleus);
  });

  await check('editor: split and join a phrase', async () => {
    const n = await page.evaluate(() => window.__editor.query.accent_phrases.length);
    await page.focus(`.mora[data-p="0"][data-m="0"]`);
    await page.keyboard.press('/');
    await page.waitForFunction((k) => window.__editor.query.accent_phrases.length === k + 1, n, WAIT);
    assert.equal(await page.evaluate(() => window.__editor.query.accent_phrases[0].moras.length), 1);
    await page.click('.phrase[data-p="0"] button[title^="次の句と結合"]');
    await page.waitForFunction((k) => window.__editor.query.accent_phrases.length === k, n, WAIT);
  });

  await check('editor: drag a pitch up and a length longer; keys do the same', async () => {
    const q0 = await page.evaluate(() => window.__editor.query.accent_phrases[0].moras[1]);
    const dragBy = async (selector, dy) => {
      const box = await page.locator(selector).boundingBox();
      const x = box.x + box.width / 2;
      const y = box.y + Math.min(box.height / 2, 3);
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x, y + dy / 2);
      await page.mouse.move(x, y + dy);
      await page.mouse.up();
    };
    await dragBy('.phrase[data-p="0"] svg.pitch circle[data-m="1"]', -15);
    await dragBy('.phrase[data-p="0"] svg.length rect[data-m="1"]', -10);
    const q1 = await page.evaluate(() => window.__editor.query.accent_phrases[0].moras[1]);
    assert.ok(q1.pitch > q0.pitch + 0.05, `pitch ${q0.pitch} → ${q1.pitch}`);
    assert.ok(q1.vowel_length > q0.vowel_length + 0.02, `length ${q0.vowel_length} → ${q1.vowel_length}`);
    await page.focus('.mora[data-p="0"][data-m="1"]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    const q2 = await page.evaluate(() => window.__editor.query.accent_phrases[0].moras[1]);
    assert.ok(Math.abs(q1.pitch - 0.05 - q2.pitch) < 1e-6 && Math.abs(q1.vowel_length - 0.01 - q2.vowel_length) < 1e-6,
      `keys: ${JSON.stringify([q1, q2])}`);
    // What is played is what is shown: the query sent carries the edits.
    await page.click('#play');
    const speak = await waitFor(() => sent.filter((c) => c.type === 'speak' && c.query).at(-1)?.query.accent_phrases[0].moras[1].pitch === q2.pitch && sent.at(-1));
    assert.ok(speak);
    await page.click('#stop');
  });

  await check('editor: invalid kana shows the server\'s message with its position', async () => {
    await page.check('#kana-mode');
    await page.fill('#text', "ハ'シ'ガ");
    await page.click('#analyze');
    await page.waitForSelector('#error:not([hidden])', WAIT);
    const msg = await page.textContent('#error');
    assert.match(msg, /accent mark/);
    assert.match(msg, /4 文字目/);
    await page.fill('#text', "ハシ'ガ/ミエ'タ");
    await page.click('#analyze');
    await page.waitForSelector('#error[hidden]', { ...WAIT, state: 'attached' });
    assert.equal(await page.textContent('#kana'), "ハシ'ガ/ミエ'タ");
    await page.uncheck('#kana-mode');
  });

  await check('editor: a dictionary word changes the reading', async () => {
    await analyze('鬱金香庵に行く。');
    const readingBefore = (await morasOf()).flat().map((m) => m.text).join('');
    assert.ok(!readingBefore.includes('ウコンコウアン'), readingBefore);
    await page.fill('#dict-surface', '鬱金香庵');
    await page.fill('#dict-reading', 'ウコンコウアン');
    await page.fill('#dict-accent', '4');
    const added = page.waitForResponse((r) => r.url().includes('/user_dict_word'), WAIT);
    await page.click('#dict-add');
    assert.equal((await added).status(), 200);
    await page.waitForFunction(() => document.querySelector('#kana').textContent.includes('ウコンコ'), null, WAIT);
    const m = (await morasOf())[0];
    assert.equal(m.slice(0, 7).map((x) => x.text).join(''), 'ウコンコウアン');
    assert.ok(m[3].nucleus, 'nucleus after the 4th mora, as registered');
    assert.match(await page.textContent('#dict-list'), /鬱金香庵/);
  });

  // ---- talk view, phone-sized ----
  await page.close();
  page = await context.newPage();
  watch(page);
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    if (typeof f.payload === 'string') sent.push(JSON.parse(f.payload));
  }));
  await page.setViewportSize({ width: 390, height: 760 });
  await page.goto(`${base}/talk`);
  await page.waitForSelector('body[data-ready="1"]', WAIT);
  const stats = () => page.evaluate(() => JSON.parse(JSON.stringify(window.__talkStats)));

  let firstSound;
  await check('talk: a line streams gaplessly, visemes come before their audio, the mouth moves', async () => {
    const width = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
    assert.ok(width[0] <= width[1], `no sideways scrolling on a phone: ${width}`);
    await page.fill('#line', 'こんにちは。今日はいい天気ですね。少し散歩に行きましょう。');
    await page.press('#line', 'Enter');
    await page.waitForFunction(() => {
      const u = window.__talkStats.utterances[0];
      return u && u.end && u.startAt !== null;
    }, null, WAIT);
    // Let it play to its end so that the mouth has followed the whole line.
    await page.waitForFunction(() => window.__talkStats.activeSources === 0, null, WAIT);
    const s = await stats();
    const u = s.utterances[0];
    assert.equal(u.error, null);
    assert.ok(u.end.completed);
    assert.equal(u.samples, u.end.samples);
    assert.ok(u.chunks.length >= 3, `${u.chunks.length} chunks`);
    // Each chunk starts exactly where the previous one ends; the only exception allowed is
    // a chunk that arrived after that end (the server fell behind: counted as a gap).
    let late = 0;
    let worst = 0;
    for (let i = 1; i < u.chunks.length; i++) {
      const prev = u.chunks[i - 1];
      const end = prev.at + prev.duration;
      const gap = u.chunks[i].at - end;
      const table = u.chunks.map((c) => [c.at, c.duration, c.arrived].map((x) => x.toFixed(3)).join(' ')).join(' | ');
      if (Math.abs(gap) < 1e-6) continue;
      assert.ok(u.chunks[i].arrived > end - 0.005 && gap > 0 && gap < 0.03 + (u.chunks[i].arrived - end),
        `chunk ${i} starts ${(gap * 1000).toFixed(1)} ms off the previous end; chunks (at, duration, arrived): ${table}`);
      late += 1;
      worst = Math.max(worst, gap);
    }
    assert.equal(u.gaps, late, 'every late chunk was counted');
    console.log(`     ${u.chunks.length} chunks back to back, ${late} arrived late (longest gap ${(worst * 1000).toFixed(0)} ms; `
      + `machine load ${os.loadavg()[0].toFixed(1)})`);
    assert.ok(u.timelines.length >= 3, `${u.timelines.length} timelines for 3 sentences`);
    for (const tl of u.timelines) {
      assert.ok(tl.samplesBefore / RATE <= tl.firstStart + 1e-9,
        `timeline for ${tl.firstStart} s came after ${tl.samplesBefore / RATE} s of audio`);
    }
    const seen = new Set(s.visemes.filter((v) => v.id === u.id).map((v) => v.viseme));
    assert.ok(seen.size >= 4, `mouth shapes shown: ${[...seen]}`);
    // Each shape was shown while the audio had it (the face reads the audio clock).
    for (const v of s.visemes.filter((x) => x.id === u.id)) {
      const ph = u.phonemes.find((p) => v.t >= p.start && v.t < p.end);
      assert.equal(ph ? ph.viseme : 'closed', v.viseme, `mouth at ${v.t} s`);
    }
    firstSound = u.firstSoundMs;
    const shown = await page.textContent('#first-sound');
    assert.equal(shown, `${Math.round(firstSound)} ms`);
    console.log(`     send → first sound ${shown} (first audio after ${Math.round(u.firstAudioMs)} ms)`);
  });

  await check('talk: lines sent in a row play one after the other', async () => {
    await page.fill('#line', 'はい。');
    await page.press('#line', 'Enter');
    await page.fill('#line', 'わかりました。');
    await page.press('#line', 'Enter');
    await page.waitForFunction(() => window.__talkStats.utterances.length === 3
      && window.__talkStats.utterances.every((u) => u.end), null, WAIT);
    const [, a, b] = (await stats()).utterances;
    assert.ok(a.end.completed && b.end.completed);
    const aEnd = a.startAt + a.samples / RATE;
    assert.ok(b.startAt >= aEnd - 1e-6, `second line starts at ${b.startAt}, first ends ${aEnd}`);
    await page.waitForFunction(() => window.__talkStats.activeSources === 0, null, WAIT);
  });

  await check('talk: a new line interrupts, stop stops', async () => {
    await page.fill('#line', '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。');
    await page.press('#line', 'Enter');
    await page.waitForFunction(() => {
      const u = window.__talkStats.utterances.at(-1);
      return u.startAt !== null && window.__talkStats.visemes.some((v) => v.id === u.id);
    }, null, WAIT); // heard
    await page.fill('#line', 'ちょっと待って。');
    await page.press('#line', 'Control+Enter');
    await page.waitForFunction(() => window.__talkStats.utterances.length === 5
      && window.__talkStats.utterances[3].end, null, WAIT);
    let s = await stats();
    const old = s.utterances[3];
    assert.ok(old.interrupted, 'the first line was interrupted');
    assert.equal(old.end.completed, false, 'the server stopped it');
    assert.ok(old.chunks.every((c) => c.arrived <= old.stoppedAt), 'nothing of it was scheduled after the interrupt');
    const shown = await page.$$eval('#log li', (els) => els.map((e) => [e.textContent, e.getBoundingClientRect().width]));
    const line = shown.find(([t]) => t.startsWith('吾輩は猫である'));
    assert.ok(line && line[0].split('（中断）').length === 2 && line[1] > 300, `the log marks it once: ${shown}`);
    await page.waitForFunction(() => window.__talkStats.utterances[4].startAt !== null, null, WAIT);
    // The mouth opens for the interrupting line (its first vowel is heard).
    await page.waitForFunction(() => document.querySelector('#viseme').textContent !== 'closed', null, WAIT);
    await page.screenshot({ path: path.join(artifacts, 'talk.png'), fullPage: true });
    await page.click('#stop');
    s = await stats();
    assert.equal(s.activeSources, 0, 'stop silenced everything at once');
    await page.waitForTimeout(800);
    s = await stats();
    assert.equal(s.activeSources, 0, 'and nothing was scheduled after it');
    const last = s.utterances[4];
    assert.ok(last.interrupted || last.end, 'the interrupting line was stopped or had ended');
    const stop = s.stops.at(-1);
    assert.equal(stop.why, 'stop');
    assert.ok(last.chunks.every((c) => c.arrived <= stop.at), 'no audio scheduled after stop');
  });

  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  console.log(`browser test passed; screenshots in ${artifacts}; send → first sound ${Math.round(firstSound)} ms`);
} catch (e) {
  console.error(`FAILED: ${step}\n${e.stack || e}`);
  try {
    await page.screenshot({ path: path.join(artifacts, 'failure.png'), fullPage: true });
    console.error(`screenshot: ${path.join(artifacts, 'failure.png')}`);
  } catch {
    // the page is gone
  }
  await context.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(1);
}

async function waitFor(fn, ms = 60_000) {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
