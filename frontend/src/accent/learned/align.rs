//! Aligning the analysis's moras with labelled ones (training reads its labels through it,
//! and the accent bench compares pitch per mora with it).

/// Levenshtein alignment of two mora sequences: for each of `ours`, the index in `gold` it is
/// matched or substituted with (`None` where it was inserted).
pub fn align(ours: &[&str], gold: &[&str]) -> Vec<Option<usize>> {
    let (n, m) = (ours.len(), gold.len());
    let mut d = vec![vec![0u32; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i as u32;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j as u32;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = d[i - 1][j - 1] + u32::from(ours[i - 1] != gold[j - 1]);
            d[i][j] = sub.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
        }
    }
    let mut out = vec![None; n];
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        let sub = d[i - 1][j - 1] + u32::from(ours[i - 1] != gold[j - 1]);
        if d[i][j] == sub {
            out[i - 1] = Some(j - 1);
            i -= 1;
            j -= 1;
        } else if d[i][j] == d[i - 1][j] + 1 {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_skips_inserted_moras_and_keeps_substitutions() {
        let ours = ["キ", "ョ", "ー", "ワ"];
        let gold = ["キ", "ョ", "オ", "ワ"];
        assert_eq!(
            align(&ours, &gold),
            vec![Some(0), Some(1), Some(2), Some(3)]
        );
        let ours = ["ア", "イ", "ウ"];
        let gold = ["ア", "ウ"];
        assert_eq!(align(&ours, &gold), vec![Some(0), None, Some(1)]);
    }
}
