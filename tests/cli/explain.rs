//! `yomiage accent --explain`: each word's reading, its candidates in naist-jdic and the stage
//! that chose it, and a `dict add` hint that really changes the reading.

use crate::common;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn with_dict(dict: &Path) -> Command {
    let mut cmd = yomiage();
    cmd.env("YOMIAGE_USER_DICT", dict);
    cmd
}

fn run_ok(cmd: &mut Command) -> String {
    let o = run(cmd);
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// `--explain --json`'s words.
fn words(dict: &Path, text: &str) -> Vec<Value> {
    let out = run_ok(with_dict(dict).args(["accent", "--explain", "--json", text]));
    let v: Value = serde_json::from_str(&out).expect("--explain --json prints JSON");
    assert!(
        v["accent_phrases"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "{v}"
    );
    v["words"].as_array().expect("a words array").clone()
}

fn word<'a>(words: &'a [Value], surface: &str) -> &'a Value {
    words
        .iter()
        .find(|w| w["surface"] == surface)
        .unwrap_or_else(|| panic!("no word {surface} in {words:?}"))
}

#[test]
fn homograph_shows_its_candidates_and_the_hint_reads_it_the_other_way() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("user_dict.json");
    let text = "この方が好きです";

    let ws = words(&dict, text);
    let kata = word(&ws, "方");
    assert_eq!(kata["reading"], "ホー", "{kata}");
    assert_eq!(kata["source"]["kind"], "dictionary", "{kata}");
    let readings: Vec<&str> = kata["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reading"].as_str().unwrap())
        .collect();
    assert!(
        readings.contains(&"ホー") && readings.contains(&"カタ"),
        "{readings:?}"
    );

    // The human form: the source, the candidates, and a fix per other reading.
    let human = run_ok(with_dict(&dict).args(["accent", "--explain", text]));
    let line = human
        .lines()
        .find(|l| l.trim_start().starts_with("方 "))
        .expect(&human);
    assert!(
        line.contains("ホー/1") && line.contains("dictionary (lattice)"),
        "{human}"
    );
    assert!(
        human.contains("candidates: ホー/1 名詞,非自立 (chosen)"),
        "{human}"
    );
    let fix = human
        .lines()
        .filter_map(|l| l.trim().strip_prefix("fix: yomiage "))
        .find(|l| l.starts_with("dict add 方 カタ "))
        .unwrap_or_else(|| panic!("no fix for 方 カタ in\n{human}"));

    // Running the hint reads 方 カタ, from the user dictionary, and leaves 方法 whole.
    run_ok(with_dict(&dict).args(fix.split(' ')));
    let ws = words(&dict, "この方が好きです。その方法で");
    let kata = word(&ws, "方");
    assert_eq!(kata["reading"], "カタ", "{kata}");
    assert_eq!(kata["source"]["kind"], "user_dictionary", "{kata}");
    assert_eq!(word(&ws, "方法")["reading"], "ホーホー", "{ws:?}");
    let human = run_ok(with_dict(&dict).args(["accent", "--explain", text]));
    let line = human
        .lines()
        .find(|l| l.trim_start().starts_with("方 "))
        .expect(&human);
    assert!(
        line.contains("カタ/") && line.ends_with("user dictionary"),
        "{human}"
    );
    assert_eq!(kata["fixes"].as_array().map(Vec::len), Some(0), "{kata}");
}

#[test]
fn every_stage_names_itself() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("user_dict.json");
    // 日本を: the learned stage's rule ニホン → ニッポン before を; 言う and 雨が降り: reading
    // rules; 六百: the digit rules; 3月 written by the normalizer from 3/15.
    let ws = words(&dict, "日本を訪れる。と言う。雨が降りますか。六百を3/15に");
    let nippon = word(&ws, "日本");
    assert_eq!(nippon["reading"], "ニッポン", "{nippon}");
    assert_eq!(nippon["source"]["kind"], "learned_rule", "{nippon}");
    assert!(nippon["source"]["context"].is_string(), "{nippon}");
    let iu = word(&ws, "言う");
    assert_eq!(iu["reading"], "ユー", "{iu}");
    assert_eq!(iu["source"]["kind"], "reading_rule", "{iu}");
    assert_eq!(iu["source"]["name"], "言う ユー", "{iu}");
    let furi = word(&ws, "降り");
    assert_eq!(furi["reading"], "フリ", "{furi}");
    assert_eq!(furi["source"]["name"], "set phrase or compound", "{furi}");
    let roku = word(&ws, "六");
    assert_eq!(roku["reading"], "ロッ", "{roku}");
    assert_eq!(roku["source"]["kind"], "digit_rule", "{roku}");
    assert!(
        ws.iter().any(|w| w["source"]["kind"] == "normalizer"),
        "nothing from the normalizer in {ws:?}"
    );

    let human = run_ok(with_dict(&dict).args(["accent", "--explain", "日本を訪れる"]));
    assert!(human.contains("learned reading rule ("), "{human}");

    // jsonl: the same words on each line.
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{\"id\": 1, \"text\": \"日本を訪れる\"}\n").unwrap();
    let out = run_ok(with_dict(&dict).args([
        "accent",
        "--format",
        "jsonl",
        "--explain",
        input.to_str().unwrap(),
    ]));
    let line: Value = serde_json::from_str(out.trim()).expect("a JSON line");
    assert_eq!(
        word(line["words"].as_array().unwrap(), "日本")["source"]["kind"],
        "learned_rule"
    );
}
