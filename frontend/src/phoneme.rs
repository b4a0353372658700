//! Typed OpenJTalk phonemes: the consonants and vowels a [`Mora`](crate::Mora) is made of.
//!
//! They (de)serialize as OpenJTalk's symbols, so VOICEVOX AudioQuery JSON keeps its strings
//! (`"consonant": "ky"`, `"vowel": "U"`); anything else is refused when a query is parsed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Writes the enum as its OpenJTalk symbol and reads it back from one, with `as_str`,
/// `Display`, `FromStr`, serde and the list of all its values.
macro_rules! symbols {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $s:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value, in OpenJTalk's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The OpenJTalk symbol.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownPhoneme;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok($name::$variant),)*
                    _ => Err(UnknownPhoneme {
                        kind: $what,
                        symbol: s.to_owned(),
                    }),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A string that is not an OpenJTalk phoneme of the kind asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown phoneme {symbol:?} (not an OpenJTalk {kind})")]
pub struct UnknownPhoneme {
    /// `consonant`, `vowel` or `phoneme`.
    pub kind: &'static str,
    pub symbol: String,
}

symbols! {
    /// The 32 OpenJTalk consonants (jpreprocess-core's `Consonant` without ン, ッ and ー, which
    /// are [`Vowel::N`], [`Vowel::Cl`] and a repeated vowel here).
    Consonant, "consonant" {
        K = "k",
        Ky = "ky",
        G = "g",
        Gy = "gy",
        Kw = "kw",
        Gw = "gw",
        S = "s",
        Sh = "sh",
        Z = "z",
        J = "j",
        T = "t",
        Ty = "ty",
        Ts = "ts",
        Ch = "ch",
        D = "d",
        Dy = "dy",
        N = "n",
        Ny = "ny",
        H = "h",
        Hy = "hy",
        F = "f",
        B = "b",
        By = "by",
        P = "p",
        Py = "py",
        M = "m",
        My = "my",
        R = "r",
        Ry = "ry",
        W = "w",
        Y = "y",
        V = "v",
    }
}

symbols! {
    /// The vowel of a mora: a–o, their devoiced forms (uppercase, VOICEVOX's convention), the
    /// moraic nasal `N`, the geminate `cl`, and `pau` for a pause mora.
    Vowel, "vowel" {
        A = "a",
        I = "i",
        U = "u",
        E = "e",
        O = "o",
        /// Devoiced a.
        DevoicedA = "A",
        /// Devoiced i.
        DevoicedI = "I",
        /// Devoiced u.
        DevoicedU = "U",
        /// Devoiced e.
        DevoicedE = "E",
        /// Devoiced o.
        DevoicedO = "O",
        /// The moraic nasal ン.
        N = "N",
        /// The geminate ッ.
        Cl = "cl",
        /// A pause.
        Pau = "pau",
    }
}

impl Consonant {
    /// Lips close on it (m, b, p and their palatalized forms).
    pub fn is_bilabial(self) -> bool {
        use Consonant::*;
        matches!(self, M | My | B | By | P | Py)
    }
}

impl Vowel {
    /// The five voiced vowels.
    pub const BASE: [Vowel; 5] = [Vowel::A, Vowel::I, Vowel::U, Vowel::E, Vowel::O];

    /// Devoiced (uppercase) a–o.
    pub fn is_devoiced(self) -> bool {
        use Vowel::*;
        matches!(
            self,
            DevoicedA | DevoicedI | DevoicedU | DevoicedE | DevoicedO
        )
    }

    /// a–o, voiced or devoiced (not `N`, `cl` or `pau`).
    pub fn is_vowel(self) -> bool {
        self.base().is_some()
    }

    /// The voiced a–o this vowel is, devoiced or not; `None` for `N`, `cl` and `pau`.
    pub fn base(self) -> Option<Vowel> {
        use Vowel::*;
        match self {
            A | DevoicedA => Some(A),
            I | DevoicedI => Some(I),
            U | DevoicedU => Some(U),
            E | DevoicedE => Some(E),
            O | DevoicedO => Some(O),
            N | Cl | Pau => None,
        }
    }

    /// The devoiced form of a–o; `N`, `cl` and `pau` are unchanged.
    pub fn devoiced(self) -> Vowel {
        use Vowel::*;
        match self {
            A => DevoicedA,
            I => DevoicedI,
            U => DevoicedU,
            E => DevoicedE,
            O => DevoicedO,
            other => other,
        }
    }

    /// The voiced form of a devoiced vowel; anything else is unchanged.
    pub fn voiced(self) -> Vowel {
        self.base().unwrap_or(self)
    }
}

/// One phoneme of a timeline: a mora's consonant or its vowel (including `N`, `cl`, `pau`).
/// (De)serialized as its OpenJTalk symbol; the two sets share none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phoneme {
    Consonant(Consonant),
    Vowel(Vowel),
}

impl Phoneme {
    /// The pause (`pau`).
    pub const PAU: Phoneme = Phoneme::Vowel(Vowel::Pau);

    /// The OpenJTalk symbol.
    pub fn as_str(self) -> &'static str {
        match self {
            Phoneme::Consonant(c) => c.as_str(),
            Phoneme::Vowel(v) => v.as_str(),
        }
    }
}

impl From<Consonant> for Phoneme {
    fn from(c: Consonant) -> Self {
        Phoneme::Consonant(c)
    }
}

impl From<Vowel> for Phoneme {
    fn from(v: Vowel) -> Self {
        Phoneme::Vowel(v)
    }
}

impl fmt::Display for Phoneme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Phoneme {
    type Err = UnknownPhoneme;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse()
            .map(Phoneme::Consonant)
            .or_else(|_| s.parse().map(Phoneme::Vowel))
            .map_err(|_| UnknownPhoneme {
                kind: "phoneme",
                symbol: s.to_owned(),
            })
    }
}

impl Serialize for Phoneme {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Phoneme {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_round_trip() {
        assert_eq!(Consonant::ALL.len(), 32);
        assert_eq!(Vowel::ALL.len(), 13);
        for &c in Consonant::ALL {
            assert_eq!(c.as_str().parse::<Consonant>(), Ok(c));
            assert_eq!(c.as_str().parse::<Phoneme>(), Ok(Phoneme::Consonant(c)));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{c}\""));
            assert_eq!(serde_json::from_str::<Consonant>(&json).unwrap(), c);
        }
        for &v in Vowel::ALL {
            assert_eq!(v.as_str().parse::<Vowel>(), Ok(v));
            assert_eq!(v.as_str().parse::<Phoneme>(), Ok(Phoneme::Vowel(v)));
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{v}\""));
            assert_eq!(serde_json::from_str::<Vowel>(&json).unwrap(), v);
        }
        assert_eq!(serde_json::to_string(&Phoneme::PAU).unwrap(), "\"pau\"");
    }

    #[test]
    fn unknown_symbols_are_refused() {
        assert!("x".parse::<Vowel>().is_err());
        assert!("a".parse::<Consonant>().is_err());
        assert!("K".parse::<Consonant>().is_err());
        assert!("xx".parse::<Phoneme>().is_err());
        let e = serde_json::from_str::<Vowel>("\"x\"").unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown phoneme \"x\" (not an OpenJTalk vowel)"),
            "{e}"
        );
    }

    #[test]
    fn devoicing() {
        assert!(Vowel::DevoicedU.is_devoiced());
        assert!(!Vowel::U.is_devoiced());
        assert_eq!(Vowel::U.devoiced(), Vowel::DevoicedU);
        assert_eq!(Vowel::DevoicedO.voiced(), Vowel::O);
        assert_eq!(Vowel::N.devoiced(), Vowel::N);
        assert_eq!(Vowel::DevoicedE.base(), Some(Vowel::E));
        assert_eq!(Vowel::Cl.base(), None);
        assert!(!Vowel::Pau.is_vowel());
        for v in Vowel::BASE {
            assert_eq!(v.devoiced().voiced(), v);
            assert_eq!(v.devoiced().as_str(), v.as_str().to_uppercase());
        }
    }
}
