use super::*;

const UNIHAN: &str = "# generated\n\
# source: Unihan\n\
\n\
UNIHAN_READINGS: dict[str, str] = {\n    \"龘\": \"トウ\",\n    \"㐀\": \"キュウ\",\n    \"𠮷\": \"キチ\",\n    \"靐\": \"ヒョウ\",\n    \"䨺\": \"テイ\",\n}\n";

#[test]
fn the_python_map_becomes_a_table_and_bad_lines_are_refused() {
    let (tsv, n) = convert_unihan_map(UNIHAN).expect("converts");
    assert_eq!(n, 5);
    assert_eq!(
        tsv,
        "龘\tトウ\n㐀\tキュウ\n𠮷\tキチ\n靐\tヒョウ\n䨺\tテイ\n"
    );
    let bad = UNIHAN.replace("\"キチ\"", "\"kichi\"");
    let err = convert_unihan_map(&bad).expect_err("refused");
    assert!(err.to_string().contains("line 7"), "{err}");
    assert!(convert_unihan_map(
        &UNIHAN.replace("    \"龘\": \"トウ\",\n", "    \"龘龘\": \"トウ\",\n")
    )
    .is_err());
}

#[test]
fn kanji_are_read_by_their_on_reading_with_long_vowels_as_openjtalk_writes_them() {
    let (tsv, _) = convert_unihan_map(UNIHAN).expect("converts");
    let table = KanjiReadings::parse(&tsv);
    assert_eq!(table.pronounce("龘").as_deref(), Some("トー"));
    assert_eq!(table.pronounce("㐀").as_deref(), Some("キュー"));
    assert_eq!(table.pronounce("靐").as_deref(), Some("ヒョー"));
    assert_eq!(table.pronounce("䨺").as_deref(), Some("テー"));
    assert_eq!(table.pronounce("𠮷").as_deref(), Some("キチ"));
    // Kana beside them are kept; a kanji the table lacks leaves the word unread.
    assert_eq!(table.pronounce("龘さん").as_deref(), Some("トーサン"));
    assert_eq!(table.pronounce("龘彁"), None);
}

#[test]
fn a_missing_table_is_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(KanjiReadings::load(dir.path()).0.is_empty());
    std::fs::write(
        dir.path().join(TABLE_FILE),
        "龘\tトウ\nbad line\n龘龘\tトウ\n",
    )
    .expect("write");
    let table = KanjiReadings::load(dir.path());
    assert_eq!(table.0.len(), 1);
}
