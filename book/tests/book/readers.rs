//! The readers on fixtures written for these tests (no engine): the Aozora story in
//! Shift_JIS, an EPUB built here, bad inputs, and arbitrary input never panicking.

use crate::fixtures;

use proptest::prelude::*;
use yomiage_book::{read_book, BookError, InputFormat};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn aozora_story_in_shift_jis() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "hoshi.txt", &fixtures::story_sjis());
    let book = read_book(&path, None).unwrap();
    assert_eq!(book.title, "星の子");
    assert_eq!(book.author, "青木みどり");
    let titles: Vec<_> = book.chapters.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["一", "二", "三"]);
    let c = &book.chapters;
    // Ruby without ｜ (kanji run) and with ｜ (from the bar).
    assert_eq!(c[0].paragraphs, ["少年はともに会った。", "ほしが光った。"]);
    // Gaiji by code point, the 小見出し as a section, ゝ expanded.
    assert_eq!(
        c[1].paragraphs,
        ["桔梗の花が咲いた。", "夜", "こころが静かだった。"]
    );
    assert_eq!(c[1].sections.len(), 1);
    assert_eq!(c[1].sections[0].title, "夜");
    // くの字点; the footer (底本：…) and the notation block are not read.
    assert_eq!(c[2].paragraphs, ["いよいよおしまいです。"]);
    let all: String = c
        .iter()
        .flat_map(|c| c.paragraphs.iter().cloned())
        .collect();
    for gone in [
        "底本",
        "入力",
        "テキスト中に現れる記号",
        "［＃",
        "《",
        "｜",
        "※",
    ] {
        assert!(!all.contains(gone), "{gone} leaked into {all}");
    }
}

#[test]
fn epub_spine_toc_and_ruby() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "tsuki.epub", &fixtures::epub(false));
    let book = read_book(&path, None).unwrap();
    assert_eq!(book.title, "月の歌");
    assert_eq!(book.author, "川端花子");
    let titles: Vec<_> = book.chapters.iter().map(|c| c.title.as_str()).collect();
    // The nav document wins over the NCX; the cover (no text, not in the toc) is no chapter.
    assert_eq!(titles, ["第一章 出会い", "第二章 別れ"]);
    let c = &book.chapters;
    // <rt> read, <rp> dropped, entities and character references resolved; the document's
    // own h1 is the spoken title, not a paragraph.
    assert_eq!(
        c[0].paragraphs,
        ["少年はともに会った。", "空は青かった&静かだった。"]
    );
    assert_eq!(c[0].spoken_title, "第一章 出会い");
    // rb/rt pairs; an h2 is a section.
    assert_eq!(c[1].paragraphs, ["夜明け", "彼はちいぼしを見た。"]);
    assert_eq!(c[1].sections[0].title, "夜明け");
}

#[test]
fn bad_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Not UTF-8 and not valid Shift_JIS.
    let p = write(&dir, "bad.txt", &[0x82, 0xA0, 0xFF, 0xFE, 0x85, 0x40, 0x81]);
    let e = read_book(&p, None).unwrap_err();
    assert!(matches!(e, BookError::Encoding(_)), "{e}");
    assert!(e.to_string().contains("neither UTF-8 nor Shift_JIS"));
    // A zip without its package document.
    let p = write(&dir, "broken.epub", &fixtures::epub(true));
    let e = read_book(&p, None).unwrap_err();
    assert!(
        e.to_string().contains("broken EPUB") && e.to_string().contains("content.opf"),
        "{e}"
    );
    // Not a zip at all but called .epub.
    let p = write(&dir, "fake.epub", b"hello");
    let e = read_book(&p, None).unwrap_err();
    assert!(e.to_string().contains("not a zip"), "{e}");
    // Nothing to read.
    let p = write(&dir, "empty.txt", "\n\n［＃改ページ］\n".as_bytes());
    assert!(matches!(read_book(&p, None), Err(BookError::NoText(_))));
    // Missing file.
    let e = read_book(&dir.path().join("nope.txt"), None).unwrap_err();
    assert!(e.to_string().contains("cannot read"), "{e}");
}

#[test]
fn empty_chapters_are_kept_out_of_the_plan() {
    let text = "題\n著者\n\n一［＃「一」は中見出し］\n本文。\n二［＃「二」は中見出し］\n［＃改ページ］\n三［＃「三」は中見出し］\n終わり。\n";
    let book = yomiage_book::aozora::parse(text);
    let settings =
        yomiage_book::render::Settings::new("jf_alpha", yomiage_book::encode::Format::Wav);
    let (plan, empty) = yomiage_book::render::plan(&book, &settings);
    let titles: Vec<_> = plan.iter().map(|p| p.chapter.title.as_str()).collect();
    // 二 has no text: it joins 三's title (a heading directly under another).
    assert_eq!(titles, ["一", "二 三"]);
    assert!(empty.is_empty());
    assert_eq!(plan[1].file, "002 - 二 三.wav");

    let book = yomiage_book::Book {
        title: "t".into(),
        author: String::new(),
        chapters: vec![
            yomiage_book::Chapter {
                title: "空".into(),
                ..Default::default()
            },
            yomiage_book::Chapter {
                title: "有".into(),
                spoken_title: "有".into(),
                paragraphs: vec!["あ。".into()],
                sections: vec![],
            },
        ],
    };
    let (plan, empty) = yomiage_book::render::plan(&book, &settings);
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].track, 1);
    assert_eq!(empty, ["空"]);
}

#[test]
fn settings_change_only_the_hashes_they_affect() {
    use yomiage_book::encode::Format;
    use yomiage_book::render::{plan, Settings};
    let book = yomiage_book::aozora::parse(&fixtures::story());
    let base = Settings::new("jf_alpha", Format::Flac);
    let (a, _) = plan(&book, &base);
    let mut louder = base.clone();
    louder.loudness_lufs = -16.0;
    let (b, _) = plan(&book, &louder);
    let mut ogg = base.clone();
    ogg.format = Format::Ogg;
    let (c, _) = plan(&book, &ogg);
    let mut slow = base.clone();
    slow.speed = 0.9;
    let (d, _) = plan(&book, &slow);
    for i in 0..a.len() {
        assert_eq!(a[i].synth_hash, b[i].synth_hash);
        assert_ne!(a[i].output_hash, b[i].output_hash);
        assert_eq!(a[i].synth_hash, c[i].synth_hash);
        assert_ne!(a[i].output_hash, c[i].output_hash);
        assert_ne!(a[i].synth_hash, d[i].synth_hash);
    }
    let mut edited = book.clone();
    edited.chapters[1].paragraphs[0].push_str("そして散った。");
    let (e, _) = plan(&edited, &base);
    assert_eq!(a[0].output_hash, e[0].output_hash);
    assert_ne!(a[1].synth_hash, e[1].synth_hash);
    assert_eq!(a[2].output_hash, e[2].output_hash);
}

#[test]
fn explicit_format_overrides_the_guess() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "s.txt", fixtures::story().as_bytes());
    let plain = read_book(&p, Some(InputFormat::Plain)).unwrap();
    // Read as plain text, the notation block and footer are text, and no heading is found
    // (only the blank-line rule splits, before the footer).
    assert_eq!(plain.chapters.len(), 2);
    assert!(plain.chapters[1].paragraphs[0].starts_with("底本："));
    let aozora = read_book(&p, None).unwrap();
    assert_eq!(aozora.chapters.len(), 3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn aozora_and_plain_never_panic(s in "(［＃|］|《|》|｜|※|「|」|は中見出し|見出し終わり|ここから大見出し|ここで大見出し終わり|／＼|／″＼|ゝ|ゞ|ヽ|ヾ|U\\+[0-9A-F]{0,6}|第3水準[0-9]{1,2}-[0-9]{1,3}-[0-9]{1,3}|底本：|-{10}|\n|第一章|# |\\[\\[chapter: |\\]\\]|漢字|かな|カナ|[\\u{0}-\\u{ffff}]){0,60}") {
        let _ = yomiage_book::aozora::parse(&s);
        let _ = yomiage_book::plain::parse(&s);
        let _ = yomiage_book::inline::read_inline(&s);
    }

    #[test]
    fn decoding_and_epub_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = yomiage_book::inline::decode_text(&bytes);
        let _ = yomiage_book::epub::read(&bytes);
    }
}
