//! `yomiage dict` end to end: words added on the command line change how `accent` and `query`
//! read a text; the file survives export, removal and VOICEVOX import.

use crate::common;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// `yomiage` with the user dictionary at `dict` (the real data directory for everything else).
fn with_dict(dict: &Path) -> Command {
    let mut cmd = yomiage();
    cmd.env("YOMIAGE_USER_DICT", dict);
    cmd
}

fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    o
}

fn accent(dict: &Path, text: &str) -> String {
    stdout(&ok(run(with_dict(dict).args(["accent", text]))))
}

fn list_json(dict: &Path) -> Vec<Value> {
    let o = ok(run(with_dict(dict).args(["dict", "list", "--json"])));
    serde_json::from_slice::<Value>(&o.stdout)
        .expect("list --json prints JSON")
        .as_array()
        .expect("an array")
        .clone()
}

#[test]
fn added_word_is_read_with_its_accent_and_survives_export_remove_import() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("user_dict.json");
    let before = accent(&dict, "鬱金香庵");
    assert!(!before.contains("ウコンコ＼ウアン"), "{before}");

    // add → the id on stdout, the file written.
    let o = ok(run(with_dict(&dict).args([
        "dict",
        "add",
        "鬱金香庵",
        "ウコンコウアン",
        "--accent",
        "4",
        "--word-type",
        "proper-noun",
        "--priority",
        "6",
    ])));
    let id = stdout(&o).trim().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert!(dict.is_file());

    // accent reads the word with its pronunciation and nucleus.
    let after = accent(&dict, "鬱金香庵");
    assert!(after.starts_with("ウコンコ＼ウアン "), "{after}");
    assert!(after.contains("LHHHLLL  4/7"), "{after}");
    let in_sentence = accent(&dict, "鬱金香庵に行きます。");
    assert!(
        in_sentence.starts_with("ウコンコ＼ウアンニ"),
        "{in_sentence}"
    );

    // list: human and JSON.
    let o = ok(run(with_dict(&dict).args(["dict", "list"])));
    let line = stdout(&o);
    for needle in [
        &id[..],
        "鬱金香庵",
        "ウコンコ＼ウアン",
        "4/7",
        "PROPER_NOUN",
        "priority 6",
    ] {
        assert!(line.contains(needle), "{needle} not in {line}");
    }
    let words = list_json(&dict);
    assert_eq!(words.len(), 1);
    assert_eq!(words[0]["id"], id.as_str());
    assert_eq!(words[0]["pronunciation"], "ウコンコウアン");
    assert_eq!(words[0]["accent_type"], 4);
    assert_eq!(words[0]["mora_count"], 7);
    assert_eq!(words[0]["priority"], 6);

    // export → VOICEVOX's GET /user_dict shape.
    let exported = dir.path().join("voicevox.json");
    ok(run(with_dict(&dict)
        .args(["dict", "export"])
        .arg(&exported)));
    let vv: Value = serde_json::from_slice(&std::fs::read(&exported).unwrap()).unwrap();
    let w = &vv[&id];
    assert_eq!(w["surface"], "鬱金香庵");
    assert_eq!(w["pronunciation"], "ウコンコウアン");
    assert_eq!(w["yomi"], "ウコンコウアン");
    assert_eq!(w["accent_type"], 4);
    assert_eq!(w["mora_count"], 7);
    assert_eq!(w["priority"], 6);
    assert_eq!(w["context_id"], 1348);
    assert_eq!(w["part_of_speech"], "名詞");
    assert_eq!(w["part_of_speech_detail_1"], "固有名詞");
    assert_eq!(w["accent_associative_rule"], "*");
    // `-` writes the same to standard output.
    let o = ok(run(with_dict(&dict).args(["dict", "export", "-"])));
    assert_eq!(
        serde_json::from_slice::<Value>(&o.stdout).unwrap(),
        vv,
        "export to stdout"
    );

    // remove (by a unique prefix of the id) → back to the system reading.
    ok(run(with_dict(&dict).args(["dict", "remove", &id[..8]])));
    assert!(list_json(&dict).is_empty());
    assert_eq!(accent(&dict, "鬱金香庵"), before);

    // import → the same word under the same id.
    ok(run(with_dict(&dict)
        .args(["dict", "import"])
        .arg(&exported)));
    let words = list_json(&dict);
    assert_eq!(words.len(), 1);
    assert_eq!(words[0]["id"], id.as_str());
    assert!(accent(&dict, "鬱金香庵").starts_with("ウコンコ＼ウアン "));

    // Importing an edited copy: kept without --override, replaced with it.
    let mut edited = vv.clone();
    edited[&id]["accent_type"] = Value::from(0);
    edited[&id]["priority"] = Value::from(10);
    let edited_path = dir.path().join("edited.json");
    std::fs::write(&edited_path, edited.to_string()).unwrap();
    let o = ok(run(with_dict(&dict)
        .args(["dict", "import"])
        .arg(&edited_path)));
    assert!(
        stderr(&o).contains("0 added, 0 replaced, 1 kept"),
        "{}",
        stderr(&o)
    );
    assert_eq!(list_json(&dict)[0]["accent_type"], 4);
    let o = ok(run(with_dict(&dict)
        .args(["dict", "import", "--override"])
        .arg(&edited_path)));
    assert!(
        stderr(&o).contains("0 added, 1 replaced, 0 kept"),
        "{}",
        stderr(&o)
    );
    let words = list_json(&dict);
    assert_eq!(words[0]["accent_type"], 0);
    assert_eq!(words[0]["priority"], 10);
    assert!(accent(&dict, "鬱金香庵").contains("ウコンコウアン  LHHHHHH  0/7"));

    assert!(files_containing(dir.path(), "partial").is_empty());
}

#[test]
fn query_reads_text_with_the_user_dictionary() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("user_dict.json");
    ok(run(with_dict(&dict).args([
        "dict",
        "add",
        "ヨミアゲ太郎",
        "よみあげたろう",
        "--accent",
        "4",
    ])));
    let o = ok(run(with_dict(&dict).args(["query", "ヨミアゲ太郎です。"])));
    let q: Value = serde_json::from_slice(&o.stdout).expect("query JSON");
    let phrases = q["accent_phrases"].as_array().expect("phrases");
    let kana: String = phrases[0]["moras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(kana, "ヨミアゲタロウデス");
    assert_eq!(phrases[0]["accent"], 4);
}

#[test]
fn dict_defaults_to_the_data_directory_and_works_without_assets() {
    // A fresh data directory with nothing installed: the dict commands need no assets.
    let home = tempfile::tempdir().unwrap();
    let cmd = || {
        let mut c = yomiage();
        c.env("YOMIAGE_HOME", home.path())
            .env_remove("YOMIAGE_USER_DICT");
        c
    };
    let o = ok(run(cmd().args([
        "dict",
        "add",
        "ｔｅｓｔ語",
        "テストゴ",
        "--accent",
        "1",
    ])));
    let id = stdout(&o).trim().to_owned();
    let file = home.path().join("user_dict.json");
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    // Stored full-width, as the analysis looks it up (and as VOICEVOX stores surfaces).
    assert_eq!(saved["words"][&id]["surface"], "ｔｅｓｔ語");
    let o = ok(run(cmd().args(["dict", "list"])));
    assert!(stdout(&o).contains(&id));
    ok(run(cmd().args(["dict", "remove", &id])));
    let o = ok(run(cmd().args(["dict", "list"])));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("no words"), "{}", stderr(&o));
    assert!(files_containing(home.path(), "partial").is_empty());
}

#[test]
fn invalid_words_and_unknown_ids_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("user_dict.json");
    let cases: [(&[&str], &str); 6] = [
        (&["鬱金", "ウコン", "--accent", "4"], "accent_type 4"),
        (&["鬱金", "ウコン", "--accent", "-1"], "accent_type -1"),
        (&["鬱金", "ukon"], "pronunciation"),
        (&["鬱金", "ウコン庵"], "pronunciation"),
        (&["", "ウコン"], "surface"),
        (&["鬱金", "ウコン", "--priority", "11"], "priority 11"),
    ];
    for (args, needle) in cases {
        let o = run(with_dict(&dict).args(["dict", "add"]).args(args));
        assert_clean_failure(&o);
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    assert!(!dict.exists(), "a refused word must not create the file");
    let o = run(with_dict(&dict).args(["dict", "remove", "0000"]));
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("no word with id"), "{}", stderr(&o));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"not-a-uuid": {"surface": "x"}}"#).unwrap();
    let o = run(with_dict(&dict).args(["dict", "import"]).arg(&bad));
    assert_clean_failure(&o);
    assert!(!dict.exists());
}

#[test]
fn corrupt_user_dictionary_is_an_error_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("user_dict.json");
    let garbage = "{\"version\": 1, \"words\": {\"3f2504e0";
    std::fs::write(&dict, garbage).unwrap();
    for args in [
        &["accent", "鬱金香庵"][..],
        &["dict", "list"],
        &["dict", "add", "鬱金", "ウコン"],
    ] {
        let o = run(with_dict(&dict).args(args));
        assert_clean_failure(&o);
        let err = stderr(&o);
        assert!(err.contains("corrupt"), "{args:?}: {err}");
        assert!(err.contains("user_dict.json"), "{args:?}: {err}");
        assert_eq!(std::fs::read_to_string(&dict).unwrap(), garbage, "{args:?}");
    }
}

/// `--accent rules|learned` on the analysing commands, next to `dict add --accent N` (a word's
/// accent type): the two flags must not collide.
#[test]
fn accent_estimator_flag_and_word_accent_flag_coexist() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("user_dict.json");
    let text = "この問題を解決することが大切です。";
    let kana = |args: &[&str]| {
        let o = ok(run(with_dict(&dict).args(["accent"]).args(args).arg(text)));
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .to_owned()
    };
    let rules = kana(&["--accent", "rules"]);
    let learned = kana(&["--accent", "learned"]);
    assert!(rules.contains("タイセツデ'_ス"), "{rules}");
    assert!(learned.contains("タイセツデ_ス'"), "{learned}");
    assert_eq!(kana(&[]), learned, "learned is the default");
    let bad = run(with_dict(&dict).args(["accent", "--accent", "neural", text]));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("rules or learned"));
    ok(run(with_dict(&dict).args([
        "dict",
        "add",
        "大切",
        "タイセツ",
        "--accent",
        "0",
    ])));
    // The user's word keeps the rules' phrase and accent under the learned model.
    assert!(kana(&[]).contains("タイセツデ'_ス"), "{}", kana(&[]));
}
