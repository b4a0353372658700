//! Between phonemes and frames: which token belongs to which mora, per-mora lengths from
//! predicted durations, and per-token durations from (possibly edited) mora lengths.

use std::ops::Range;

use yomiage_frontend::AccentPhrase;

use super::phonemes::{to_phonemes, TokenOwner};
use yomiage_vocoder::{SAMPLES_PER_FRAME, SAMPLE_RATE};

use super::voice::Vocab;
use crate::prosody::MoraSpan;

/// Seconds per acoustic frame (25 ms).
pub const FRAME_SECONDS: f32 = SAMPLES_PER_FRAME as f32 / SAMPLE_RATE as f32;

/// What a model token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The pad at either end.
    Edge,
    Token(TokenOwner),
}

/// The model's input for some phrases: token ids (pads included) and what each stands for.
#[derive(Debug, Clone)]
pub struct Plan {
    pub ids: Vec<i64>,
    pub slots: Vec<Slot>,
}

impl Plan {
    pub fn new(phrases: &[AccentPhrase], vocab: &Vocab) -> Plan {
        let mut ids = vec![0];
        let mut slots = vec![Slot::Edge];
        for tok in to_phonemes(phrases) {
            match vocab.id(tok.symbol) {
                Some(id) => {
                    ids.push(id);
                    slots.push(Slot::Token(tok.owner));
                }
                None => {
                    tracing::warn!(symbol = %tok.symbol, "phoneme not in the voice's vocabulary; skipped")
                }
            }
        }
        ids.push(0);
        slots.push(Slot::Edge);
        Plan { ids, slots }
    }

    /// Tokens without the two pads (what the style row is chosen by).
    pub fn token_count(&self) -> usize {
        self.ids.len() - 2
    }
}

/// Fills each mora's consonant/vowel length and each pause's length (seconds) from the
/// model's per-token durations in frames (before rounding).
pub fn fill_lengths(phrases: &mut [AccentPhrase], plan: &Plan, raw_frames: &[f32]) {
    for p in phrases.iter_mut() {
        for m in &mut p.moras {
            m.consonant_length = m.consonant.as_ref().map(|_| 0.0);
            m.vowel_length = 0.0;
        }
        if let Some(pause) = &mut p.pause_mora {
            pause.vowel_length = 0.0;
        }
    }
    for (slot, &raw) in plan.slots.iter().zip(raw_frames) {
        let secs = raw.max(0.0) * FRAME_SECONDS;
        match *slot {
            Slot::Token(TokenOwner::Consonant { phrase, mora }) => {
                if let Some(m) = phrases.get_mut(phrase).and_then(|p| p.moras.get_mut(mora)) {
                    *m.consonant_length.get_or_insert(0.0) += secs;
                }
            }
            Slot::Token(TokenOwner::Vowel { phrase, mora }) => {
                if let Some(m) = phrases.get_mut(phrase).and_then(|p| p.moras.get_mut(mora)) {
                    m.vowel_length += secs;
                }
            }
            Slot::Token(TokenOwner::Pause { phrase }) => {
                if let Some(pause) = phrases.get_mut(phrase).and_then(|p| p.pause_mora.as_mut()) {
                    pause.vowel_length += secs;
                }
            }
            _ => {}
        }
    }
}

/// Length rules applied when rendering a query.
#[derive(Debug, Clone, Copy)]
pub struct LengthScales {
    pub speed: f32,
    pub pause_length: Option<f32>,
    pub pause_scale: f32,
}

impl LengthScales {
    /// A query's lengths as they are: speed 1, its own pauses.
    pub const UNSCALED: LengthScales = LengthScales {
        speed: 1.0,
        pause_length: None,
        pause_scale: 1.0,
    };
}

/// How a chunk's lengths are realised: frames per token, and silence added after pauses.
#[derive(Debug, Clone, PartialEq)]
pub struct Durations {
    pub frames: Vec<u32>,
    /// (index of a pause's last token, seconds of silence to insert after it).
    pub silences: Vec<(usize, f32)>,
}

/// Integer per-token durations realising the phrases' lengths: each mora part's length is
/// shared among its tokens in the proportions the model predicted; pads and word spaces keep
/// their predicted length. Rounding is done on cumulative time, so timing never drifts.
///
/// The voice renders a punctuation token held longer than predicted as a held vowel, not as
/// silence, so a pause never gets more frames than the model gave it; the rest of its length
/// becomes silence inserted after it.
pub fn durations_for(
    phrases: &[AccentPhrase],
    plan: &Plan,
    raw_frames: &[f32],
    scales: &LengthScales,
) -> Durations {
    let mut silences = Vec::new();
    let group_of = |slot: &Slot| match *slot {
        Slot::Token(
            owner @ (TokenOwner::Consonant { .. }
            | TokenOwner::Vowel { .. }
            | TokenOwner::Pause { .. }),
        ) => Some(owner),
        _ => None,
    };
    let target_secs = |owner: TokenOwner| -> Option<f32> {
        match owner {
            TokenOwner::Consonant { phrase, mora } => {
                phrases.get(phrase)?.moras.get(mora)?.consonant_length
            }
            TokenOwner::Vowel { phrase, mora } => {
                Some(phrases.get(phrase)?.moras.get(mora)?.vowel_length)
            }
            TokenOwner::Pause { phrase } => {
                let p = phrases.get(phrase)?.pause_mora.as_ref()?;
                Some(scales.pause_length.unwrap_or(p.vowel_length) * scales.pause_scale)
            }
            TokenOwner::Boundary => None,
        }
    };
    let mut targets: Vec<f32> = raw_frames
        .iter()
        .map(|&r| r.max(0.0) / scales.speed)
        .collect();
    let mut i = 0;
    while i < plan.slots.len() {
        let Some(owner) = group_of(&plan.slots[i]) else {
            i += 1;
            continue;
        };
        let mut j = i;
        while j < plan.slots.len() && group_of(&plan.slots[j]) == Some(owner) {
            j += 1;
        }
        if let Some(secs) = target_secs(owner) {
            let mut frames = secs / FRAME_SECONDS / scales.speed;
            let predicted: f32 = raw_frames[i..j].iter().map(|r| r.max(0.0)).sum();
            if matches!(owner, TokenOwner::Pause { .. }) && frames > predicted {
                silences.push((j - 1, (frames - predicted) * FRAME_SECONDS));
                frames = predicted;
            }
            for k in i..j {
                let share = if predicted > 0.0 {
                    raw_frames[k].max(0.0) / predicted
                } else {
                    1.0 / (j - i) as f32
                };
                targets[k] = frames * share;
            }
        }
        i = j;
    }
    let mut out = Vec::with_capacity(targets.len());
    let (mut exact, mut placed) = (0.0f64, 0i64);
    for t in targets {
        exact += t as f64;
        let d = (exact.round() as i64 - placed).max(1);
        placed += d;
        out.push(d as u32);
    }
    Durations {
        frames: out,
        silences,
    }
}

/// Frame range of each token, from integer durations.
pub fn token_frames(durations: &[u32]) -> Vec<Range<usize>> {
    let mut start = 0usize;
    durations
        .iter()
        .map(|&d| {
            let r = start..start + d as usize;
            start = r.end;
            r
        })
        .collect()
}

/// Frame ranges of one mora's consonant and vowel tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoraFrames {
    pub consonant: Option<Range<usize>>,
    pub vowel: Option<Range<usize>>,
}

impl MoraFrames {
    pub fn whole(&self) -> Option<Range<usize>> {
        match (&self.consonant, &self.vowel) {
            (Some(c), Some(v)) => Some(c.start.min(v.start)..c.end.max(v.end)),
            (Some(r), None) | (None, Some(r)) => Some(r.clone()),
            (None, None) => None,
        }
    }

    /// In F0 points (two per frame).
    pub fn f0_span(&self) -> Option<MoraSpan> {
        let whole = self.whole()?;
        let vowel = self.vowel.clone().unwrap_or_else(|| whole.clone());
        Some(MoraSpan {
            whole: 2 * whole.start..2 * whole.end,
            vowel: 2 * vowel.start..2 * vowel.end,
        })
    }
}

fn extend(r: &mut Option<Range<usize>>, with: &Range<usize>) {
    *r = Some(match r.take() {
        Some(a) => a.start.min(with.start)..a.end.max(with.end),
        None => with.clone(),
    });
}

/// Per phrase, per mora: where its tokens fall, plus each phrase's pause span.
pub fn mora_frames(
    phrases: &[AccentPhrase],
    plan: &Plan,
    durations: &[u32],
) -> (Vec<Vec<MoraFrames>>, Vec<Option<Range<usize>>>) {
    let mut moras: Vec<Vec<MoraFrames>> = phrases
        .iter()
        .map(|p| vec![MoraFrames::default(); p.moras.len()])
        .collect();
    let mut pauses: Vec<Option<Range<usize>>> = vec![None; phrases.len()];
    for (slot, range) in plan.slots.iter().zip(token_frames(durations)) {
        match *slot {
            Slot::Token(TokenOwner::Consonant { phrase, mora }) => {
                if let Some(m) = moras.get_mut(phrase).and_then(|p| p.get_mut(mora)) {
                    extend(&mut m.consonant, &range);
                }
            }
            Slot::Token(TokenOwner::Vowel { phrase, mora }) => {
                if let Some(m) = moras.get_mut(phrase).and_then(|p| p.get_mut(mora)) {
                    extend(&mut m.vowel, &range);
                }
            }
            Slot::Token(TokenOwner::Pause { phrase }) => {
                if let Some(p) = pauses.get_mut(phrase) {
                    extend(p, &range);
                }
            }
            _ => {}
        }
    }
    (moras, pauses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yomiage_frontend::{Consonant, Mora, Vowel};

    fn plan_for(phrases: &[AccentPhrase]) -> Plan {
        // A vocabulary where every symbol is known: ids are irrelevant here.
        let tokens = to_phonemes(phrases);
        let mut slots = vec![Slot::Edge];
        slots.extend(tokens.iter().map(|t| Slot::Token(t.owner)));
        slots.push(Slot::Edge);
        Plan {
            ids: vec![1; slots.len()],
            slots,
        }
    }

    fn hashi() -> Vec<AccentPhrase> {
        vec![AccentPhrase {
            moras: vec![
                Mora::new("ハ", Some(Consonant::H), Vowel::A),
                Mora::new("シ", Some(Consonant::Sh), Vowel::DevoicedI),
            ],
            accent: 1,
            pause_mora: None,
            is_interrogative: false,
        }]
    }

    #[test]
    fn lengths_sum_token_durations_per_mora_part() {
        let mut ps = hashi();
        let plan = plan_for(&ps);
        // tokens: pad h a ɕ i . pad
        assert_eq!(plan.slots.len(), 7);
        fill_lengths(&mut ps, &plan, &[8.0, 2.0, 4.0, 3.0, 2.0, 10.0, 1.0]);
        assert!((ps[0].moras[0].consonant_length.unwrap() - 0.05).abs() < 1e-6);
        assert!((ps[0].moras[0].vowel_length - 0.1).abs() < 1e-6);
        assert!((ps[0].moras[1].consonant_length.unwrap() - 0.075).abs() < 1e-6);
    }

    #[test]
    fn long_pauses_become_silence_not_frames() {
        let mut ps = hashi();
        ps[0].pause_mora = Some(Mora::pause());
        ps.extend(hashi());
        let plan = plan_for(&ps);
        let raw = vec![2.0; plan.slots.len()];
        fill_lengths(&mut ps, &plan, &raw);
        let pause_token = plan
            .slots
            .iter()
            .position(|s| matches!(s, Slot::Token(TokenOwner::Pause { .. })))
            .unwrap();
        let scales = |pause_length| LengthScales {
            speed: 1.0,
            pause_length,
            pause_scale: 1.0,
        };
        let natural = durations_for(&ps, &plan, &raw, &scales(None));
        assert!(natural.silences.is_empty());
        let long = durations_for(&ps, &plan, &raw, &scales(Some(0.5)));
        assert_eq!(long.frames, natural.frames);
        assert_eq!(long.silences.len(), 1);
        let (at, secs) = long.silences[0];
        assert_eq!(at, pause_token);
        assert!((secs - (0.5 - 2.0 * FRAME_SECONDS)).abs() < 1e-4, "{secs}");
        let short = durations_for(&ps, &plan, &raw, &scales(Some(0.025)));
        assert_eq!(short.frames[pause_token], 1);
        assert!(short.silences.is_empty());
    }

    /// Scales with the query's own pauses.
    fn at_speed(speed: f32) -> LengthScales {
        LengthScales {
            speed,
            pause_length: None,
            pause_scale: 1.0,
        }
    }

    #[test]
    fn durations_realise_edited_lengths_and_keep_the_rest() {
        let mut ps = hashi();
        let plan = plan_for(&ps);
        let raw = [8.0, 2.0, 4.0, 3.0, 2.0, 10.0, 1.0];
        fill_lengths(&mut ps, &plan, &raw);
        let same = durations_for(&ps, &plan, &raw, &at_speed(1.0));
        assert_eq!(same.frames, [8, 2, 4, 3, 2, 10, 1]);
        assert!(same.silences.is_empty());
        ps[0].moras[0].vowel_length = 0.25; // 10 frames
        let edited = durations_for(&ps, &plan, &raw, &at_speed(1.0));
        assert_eq!(edited.frames, [8, 2, 10, 3, 2, 10, 1]);
        let fast = durations_for(&ps, &plan, &raw, &at_speed(2.0));
        let total: u32 = fast.frames.iter().sum();
        // 36 frames at twice the speed; the one-frame minimum per token may add one.
        assert!(total.abs_diff(18) <= 1, "{fast:?}");
        assert!(fast.frames.iter().all(|&d| d >= 1));
    }

    #[test]
    fn mora_frames_cover_consonant_and_vowel() {
        let ps = hashi();
        let plan = plan_for(&ps);
        let (moras, pauses) = mora_frames(&ps, &plan, &[8, 2, 4, 3, 2, 10, 1]);
        assert_eq!(moras[0][0].consonant, Some(8..10));
        assert_eq!(moras[0][0].vowel, Some(10..14));
        assert_eq!(moras[0][1].whole(), Some(14..19));
        assert_eq!(moras[0][1].f0_span().unwrap().vowel, 34..38);
        assert_eq!(pauses, [None]);
    }
}
