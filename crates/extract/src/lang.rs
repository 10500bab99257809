//! Language of the extracted text as a BCP-47 tag. Scripts decide first
//! (a large share of Han characters → `zh`, kana → `ja`, hangul → `ko`);
//! otherwise whatlang's trigram model, mapped to two-letter codes where one
//! exists. Too little text gives `und`, or the page's declared `lang` if any.

use whatlang::Lang;

use crate::blocks::is_cjk;

/// Letters needed before a statistical guess is trusted.
const MIN_LETTERS: usize = 40;

/// Detects the language of `text`; `declared` is an HTML `lang` attribute, used
/// only when the text itself is too short to tell.
pub(crate) fn detect(text: &str, declared: Option<&str>) -> String {
    // 8,000 bytes tell the language as well as more would; whatlang is
    // linear in its input.
    let sample = crate::sniff::prefix(text, 8_000);
    let (mut letters, mut han, mut kana, mut hangul) = (0usize, 0usize, 0usize, 0usize);
    for c in sample.chars() {
        if !c.is_alphabetic() {
            continue;
        }
        letters += 1;
        match c {
            '\u{3040}'..='\u{30FF}' => kana += 1,
            '\u{AC00}'..='\u{D7AF}' => hangul += 1,
            c if is_cjk(c) => han += 1,
            _ => {}
        }
    }
    let fallback = || {
        declared
            .and_then(normalise_declared)
            .unwrap_or_else(|| "und".to_string())
    };
    if letters == 0 {
        return fallback();
    }
    if kana * 10 >= letters && kana > 0 {
        return "ja".into();
    }
    if hangul * 3 >= letters && hangul > 0 {
        return "ko".into();
    }
    if han * 10 >= letters * 3 && han >= 4 {
        return "zh".into();
    }
    if letters < MIN_LETTERS {
        return fallback();
    }
    match whatlang::detect(sample) {
        Some(info) if info.is_reliable() || letters >= 200 => bcp47(info.lang()).to_string(),
        _ => fallback(),
    }
}

/// `en-US` → `en`, `zh-Hans-CN` → `zh`; rejects anything that is not a language subtag.
fn normalise_declared(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    let ok = (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase());
    ok.then_some(primary)
}

/// Two-letter ISO 639-1 codes where they exist, else whatlang's ISO 639-3 code.
fn bcp47(lang: Lang) -> &'static str {
    match lang {
        Lang::Eng => "en",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Rus => "ru",
        Lang::Ukr => "uk",
        Lang::Jpn => "ja",
        Lang::Kor => "ko",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Heb => "he",
        Lang::Pol => "pl",
        Lang::Nld => "nl",
        Lang::Swe => "sv",
        Lang::Dan => "da",
        Lang::Nob => "nb",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Ron => "ro",
        Lang::Slk => "sk",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Vie => "vi",
        Lang::Tha => "th",
        Lang::Ind => "id",
        Lang::Cat => "ca",
        Lang::Pes => "fa",
        Lang::Ben => "bn",
        Lang::Tam => "ta",
        Lang::Urd => "ur",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Epo => "eo",
        Lang::Tgl => "tl",
        other => other.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_script_and_model() {
        assert_eq!(
            detect(
                "我们非常重视您的个人信息和隐私保护。This policy explains it.",
                None
            ),
            "zh"
        );
        assert_eq!(
            detect(
                "You may not use the Services to violate the security or integrity of any network, computer or communications system.",
                None
            ),
            "en"
        );
        assert_eq!(
            detect(
                "Vous ne pouvez pas utiliser les services pour violer la sécurité ou l'intégrité d'un réseau, d'un ordinateur ou d'un système.",
                None
            ),
            "fr"
        );
        assert_eq!(
            detect("プライバシーポリシー 個人情報の取り扱いについて", None),
            "ja"
        );
    }

    #[test]
    fn too_little_text_is_undetermined() {
        assert_eq!(detect("OK", None), "und");
        assert_eq!(detect("", None), "und");
        assert_eq!(detect("Terms", Some("en-US")), "en");
        assert_eq!(detect("Terms", Some("not a tag!")), "und");
    }
}
