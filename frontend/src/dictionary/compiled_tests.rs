use super::*;
use crate::lexicon::mecab::build_sys_dic_with_ids;

/// A `matrix.bin` of `lsize × rsize` whose cost at (l, r) is `cost(l, r)`.
fn matrix_bin(lsize: u16, rsize: u16, cost: impl Fn(u16, u16) -> i16) -> Vec<u8> {
    let mut b = [lsize.to_le_bytes(), rsize.to_le_bytes()].concat();
    let mut costs = vec![0i16; lsize as usize * rsize as usize];
    for l in 0..lsize {
        for r in 0..rsize {
            costs[l as usize + lsize as usize * r as usize] = cost(l, r);
        }
    }
    b.extend(costs.iter().flat_map(|c| c.to_le_bytes()));
    b
}

/// A `char.bin` with `names` as its categories and `info(code)` as each code's `CharInfo`.
fn char_bin(names: &[&str], info: impl Fn(usize) -> u32) -> Vec<u8> {
    let mut b = (names.len() as u32).to_le_bytes().to_vec();
    for name in names {
        let mut raw = [0u8; CATEGORY_NAME];
        raw[..name.len()].copy_from_slice(name.as_bytes());
        b.extend_from_slice(&raw);
    }
    b.extend((0..CHAR_CODES).flat_map(|c| info(c).to_le_bytes()));
    b
}

/// MeCab's packing of a code's categories (a bit set), default category and settings.
fn pack(types: u32, default: u32, length: u32, group: u32, invoke: u32) -> u32 {
    types | default << 18 | length << 26 | group << 30 | invoke << 31
}

const NAMES: [&str; 4] = ["DEFAULT", "SPACE", "KANJI", "KANJINUMERIC"];

/// SPACE on U+0020, KANJI on U+4E00–U+4E05, 〇 both KANJINUMERIC and KANJI; the rest DEFAULT.
fn info(code: usize) -> u32 {
    match code {
        0x20 => pack(0b10, 1, 0, 1, 0),
        0x4e00..=0x4e05 => pack(0b100, 2, 2, 0, 0),
        0x3007 => pack(0b1100, 3, 0, 1, 1),
        _ => pack(0b1, 0, 0, 1, 0),
    }
}

#[test]
fn entries_keep_ids_cost_and_features_and_quote_awkward_surfaces() {
    let dic = build_sys_dic_with_ids(&[
        (
            "箸",
            1285,
            1286,
            3000,
            "名詞,一般,*,*,*,*,箸,ハシ,ハシ,1/2,C3",
        ),
        ("橋", 12, 13, -20, "名詞,一般,*,*,*,*,橋,ハシ,ハシ,2/2,C3"),
        ("a,\"b", 7, 8, 9, "記号,一般,*,*,*,*,*"),
    ]);
    let (csv, n) = entries_csv(&dic).expect("parses");
    assert_eq!(n, 3);
    let mut lines: Vec<&str> = csv.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "\"a,\"\"b\",7,8,9,記号,一般,*,*,*,*,*",
            "橋,12,13,-20,名詞,一般,*,*,*,*,橋,ハシ,ハシ,2/2,C3",
            "箸,1285,1286,3000,名詞,一般,*,*,*,*,箸,ハシ,ハシ,1/2,C3",
        ]
    );
    assert!(entries_csv(&dic[..dic.len() - 3]).is_err());
}

#[test]
fn matrix_is_written_left_then_right_with_every_cost() {
    let bin = matrix_bin(2, 3, |l, r| 100 * l as i16 - 10 * r as i16);
    let (text, sizes) = matrix_def(&bin).expect("parses");
    assert_eq!(sizes, (2, 3));
    assert_eq!(
        text,
        "2 3\n0 0 0\n0 1 -10\n0 2 -20\n1 0 100\n1 1 90\n1 2 80\n"
    );
    assert!(matrix_def(&bin[..bin.len() - 2]).is_err());
    assert!(matrix_def(&[1]).is_err());
}

#[test]
fn char_categories_and_code_ranges_come_back_as_char_def() {
    let (text, n) = char_def(&char_bin(&NAMES, info)).expect("parses");
    assert_eq!(n, 4);
    assert_eq!(
        text,
        "DEFAULT 0 1 0\nSPACE 0 1 0\nKANJI 0 0 2\nKANJINUMERIC 1 1 0\n\
         0x0020 SPACE\n0x3007 KANJINUMERIC KANJI\n0x4E00..0x4E05 KANJI\n"
    );
}

#[test]
fn a_char_bin_of_the_wrong_shape_is_refused() {
    let good = char_bin(&NAMES, info);
    assert!(char_def(&good[..good.len() - 4]).is_err());
    assert!(char_def(&[0, 0]).is_err());
    // A code in a category past the last one named.
    let bad = char_bin(&NAMES, |c| {
        if c == 0x41 {
            pack(0b10000, 4, 0, 0, 0)
        } else {
            info(c)
        }
    });
    let err = char_def(&bad).expect_err("refused").to_string();
    assert!(err.contains("0x0041"), "{err}");
}

/// A compiled dictionary decompiles to a source the builder takes, and the built dictionary
/// analyses with the compiled entries' readings and accents.
#[test]
fn decompiled_dictionary_builds_and_reads_its_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let compiled = dir.path().join("compiled");
    fs::create_dir_all(&compiled).expect("mkdir");
    let unknown = "記号,一般,*,*,*,*,*";
    let files: [(&str, Vec<u8>); 4] = [
        (
            "sys.dic",
            build_sys_dic_with_ids(&[
                ("箸", 1, 1, 100, "名詞,一般,*,*,*,*,箸,ハシ,ハシ,1/2,C3"),
                ("橋", 1, 1, 200, "名詞,一般,*,*,*,*,橋,ハシ,ハシ,2/2,C3"),
                (
                    "が",
                    2,
                    2,
                    100,
                    "助詞,格助詞,一般,*,*,*,が,ガ,ガ,0/1,名詞%F1",
                ),
            ]),
        ),
        (
            "unk.dic",
            build_sys_dic_with_ids(&[
                ("DEFAULT", 0, 0, 5000, unknown),
                ("SPACE", 0, 0, 5000, unknown),
                ("KANJI", 1, 1, 8000, "名詞,一般,*,*,*,*,*"),
                ("KANJINUMERIC", 1, 1, 8000, "名詞,数,*,*,*,*,*"),
            ]),
        ),
        ("matrix.bin", matrix_bin(3, 3, |_, _| 0)),
        ("char.bin", char_bin(&NAMES, info)),
    ];
    for (name, bytes) in &files {
        fs::write(compiled.join(name), bytes).expect("write");
    }
    let source = dir.path().join("source");
    let found = decompile(&compiled, &source).expect("decompiles");
    assert_eq!(
        found,
        Decompiled {
            entries: 3,
            unknown_entries: 4,
            categories: 4,
            context_ids: (3, 3),
        }
    );
    let built = dir.path().join("built");
    let build = crate::build_dictionary(&source, &built).expect("builds");
    assert_eq!(build.entries, 3);
    let mut frontend = crate::Frontend::load(&built).expect("loads");
    // The dictionary's accent as it is, not as the learned model would revise it.
    frontend.set_accent_estimator(crate::AccentEstimator::Rules);
    let phrases = frontend.analyze("橋が").expect("analyses");
    let kana: String = phrases
        .iter()
        .flat_map(|p| &p.moras)
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(kana, "ハシガ");
    assert_eq!(phrases.len(), 1);
    assert_eq!(phrases[0].accent, 2);
}

#[test]
fn a_missing_compiled_file_names_its_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = decompile(dir.path(), &dir.path().join("out")).expect_err("nothing to read");
    assert!(err.to_string().contains("sys.dic"), "{err}");
}
