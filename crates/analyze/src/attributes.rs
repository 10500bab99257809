//! Cross-cutting slots of TAXONOMY §0 read off one provision: actor,
//! modality, discretion, notice mode and days, grounds, age threshold,
//! retention period and jurisdictions, each with its evidence span
//! (character offsets). English and Chinese cues; regexes compiled once.

use crate::anchored::{Group, Groups, StartAnchored};
use crate::text;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A value with the CHARACTER span of the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence<T> {
    /// The value.
    pub value: T,
    /// `[start, end)` in characters of the provision text.
    pub span: (usize, usize),
}

/// Who acts in the provision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Actor {
    /// The platform / provider ("we", "us", a company name).
    Provider,
    /// The user / customer ("you").
    User,
    /// The user's end users.
    EndUser,
    /// Third parties.
    ThirdParty,
}

/// The deontic strength of the provision's main verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Modality {
    /// "may", "can", "might".
    May,
    /// "will".
    Will,
    /// "shall".
    Shall,
    /// "must", "is required to".
    Must,
    /// "reserve(s) the right to".
    ReserveTheRight,
}

/// How changes or sanctions are notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoticeMode {
    /// "without notice", "with or without notice".
    None,
    /// Posting on the site / "effective upon posting" / "on this page".
    Posting,
    /// E-mail or in-app/electronic message to the user.
    Email,
    /// A durable medium / in writing.
    Durable,
}

/// A retention (or other) period: a number and its unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// The number, e.g. 30.
    pub value: u32,
    /// `day`, `week`, `month` or `year`.
    pub unit: String,
}

/// Everything [`attributes`] reads off a provision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributes {
    /// Who acts (subject of the first modal verb).
    pub actor: Option<Evidence<Actor>>,
    /// The strongest modal ("reserve the right" > must > shall > will > may).
    pub modality: Option<Evidence<Modality>>,
    /// A discretion phrase ("sole discretion", "for any reason"), verbatim lowercased.
    pub discretion: Option<Evidence<String>>,
    /// The strongest notice mode mentioned (durable > email > posting > none).
    pub notice_mode: Option<Evidence<NoticeMode>>,
    /// Notice period in days ("30 days' notice", "提前30日").
    pub notice_days: Option<Evidence<u32>>,
    /// A grounds/reasons cue ("if you violate", "for the following reasons").
    pub grounds: Option<Evidence<String>>,
    /// Age threshold ("under 13", "at least 18 years old", "不满十四周岁").
    pub age_threshold: Option<Evidence<u32>>,
    /// Retention period ("retain … for 30 days", "保存期限为3年").
    pub retention: Option<Evidence<Period>>,
    /// Jurisdictions named (countries, states, "PRC"), in order of appearance, no duplicates.
    pub jurisdictions: Vec<Evidence<String>>,
}

struct Patterns {
    modal: Regex,
    discretion: Regex,
    notice_none: Regex,
    notice_posting: Regex,
    notice_email: Regex,
    notice_durable: Regex,
    // These four are searched from where a match can start: their Unicode
    // `\b`s made regex-automata scan every text with a non-ASCII byte with
    // its slowest engines (issue #25: 80 % of the time of `attributes`).
    notice_days: StartAnchored,
    grounds: Regex,
    age: StartAnchored,
    retention: StartAnchored,
    jurisdiction: StartAnchored,
}

const NUM: &str = r"(\d{1,4}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)\b";
const ZH_NUM: &str = r"([0-9]{1,4}|[一二两三四五六七八九十百]{1,4})";

fn patterns() -> Option<&'static Patterns> {
    static P: OnceLock<Option<Patterns>> = OnceLock::new();
    P.get_or_init(|| build().ok()).as_ref()
}

fn re(s: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(s)
        .case_insensitive(true)
        .build()
        .map_err(|e| e.to_string())
}

fn build() -> Result<Patterns, String> {
    Ok(Patterns {
        modal: re(
            r"\b(we|us|you|your\s+end\s+users|end\s+users|third\s+parties|(?-i:[A-Z])[\w&.-]*(?:\s+(?-i:[A-Z])[\w&.-]*){0,3})\s+(?:\w+\s+)?(reserves?\s+the\s+right|must|shall|will|may|can|might|is\s+required\s+to|are\s+required\s+to)\b|(我们|本公司|平台|您|用户|第三方)(?:有权|可以|可能|应当|应|必须|将|会)",
        )?,
        discretion: re(
            r"(?:in|at)\s+(?:our|its|their)\s+(?:sole|absolute|sole\s+and\s+absolute|own)\s+discretion|for\s+any\s+(?:or\s+no\s+)?reason(?:\s+or\s+no\s+reason)?|for\s+no\s+reason|without\s+(?:giving\s+|providing\s+)?(?:any\s+)?reasons?|at\s+any\s+time\s+and\s+for\s+any\s+reason|(?:自行|单方|独立)(?:决定|判断)|无需(?:说明)?理由",
        )?,
        notice_none: re(
            r"with\s+or\s+without\s+(?:prior\s+|advance\s+)?notice|without\s+(?:any\s+)?(?:prior\s+|advance\s+|further\s+)?notice|without\s+notifying|无需(?:事先|提前)?通知|不(?:另行|再)?(?:事先)?通知",
        )?,
        notice_posting: re(
            r"(?:by\s+)?post(?:ing|ed)?\s+(?:a\s+|the\s+)?(?:revised|updated|new|amended|modified)|effective\s+(?:immediately\s+)?upon\s+posting|(?:on|at)\s+this\s+(?:page|website|site)|posted\s+(?:on|at)\s+(?:the|our|this)|check\s+(?:this\s+page|these\s+terms|back)\s+(?:periodically|regularly|frequently)|(?:在|于)(?:本)?(?:网站|页面|平台)(?:上)?(?:公布|发布|公告)|一经(?:公布|发布)",
        )?,
        notice_email: re(
            r"(?:by|via|through)\s+(?:an?\s+)?e-?mail|e-?mail\s+(?:notice|notification)|notify\s+you\s+(?:\w+\s+){0,3}?(?:by|via)\s+(?:e-?mail|message|in-app)|send\s+you\s+(?:a\s+|an\s+)?(?:notice|e-?mail|message)|in-?app\s+(?:notice|notification|message)|(?:邮件|短信|站内信)(?:通知|方式)",
        )?,
        notice_durable: re(r"durable\s+medium|in\s+writing|written\s+notice|书面(?:通知|形式)")?,
        notice_days: StartAnchored::new(&format!(
            r"{NUM}\s*(?:\(\d+\)\s*)?(?:calendar\s+|business\s+|working\s+)?days?['’]?\s*(?:\w+\s+){{0,2}}?(?:prior\s+|advance\s+|written\s+)?(?:notice|notification)|(?:notice|notify\s+you)\s+(?:\w+\s+){{0,4}}?(?:at\s+least\s+)?{NUM}\s*(?:\(\d+\)\s*)?days|提前\s*{ZH_NUM}\s*(?:个)?(?:日|天|工作日)"
        ))?,
        grounds: re(
            r"if\s+you\s+(?:\w+\s+){0,2}?(?:violate|breach|fail\s+to\s+comply|do\s+not\s+comply|infringe|misuse)|(?:in\s+(?:the\s+)?(?:event|case)\s+of\s+(?:a\s+)?(?:breach|violation))|for\s+(?:the\s+)?following\s+reasons|(?:such\s+as|including)\s+(?:if|where|when)\s+|in\s+violation\s+of|(?:如果|若|如)(?:您|用户)?(?:违反|违规)",
        )?,
        age: StartAnchored::new(&format!(
            r"(?:under|below|younger\s+than|less\s+than)\s+(?:the\s+age\s+of\s+)?{NUM}(?:\s+years)?|(?:at\s+least|over|older\s+than|minimum\s+age\s+(?:of|is))\s+{NUM}\s*(?:years|\(|$|\b)|aged?\s+{NUM}\s+or\s+(?:older|over|above|under|younger)|{NUM}\s+years\s+(?:old|of\s+age)|(?:不满|未满|低于|小于|年满|已满)\s*{ZH_NUM}\s*周?岁|{ZH_NUM}\s*周?岁以下"
        ))?,
        retention: StartAnchored::new(&format!(
            r"(?:retain|keep|store|hold|preserve|delete|deleted|anonymi[sz]e|kept|retained|stored)\w*\b.{{0,80}}?\b(?:for|after|within|up\s+to|period\s+of)\s+(?:a\s+period\s+of\s+|up\s+to\s+|at\s+least\s+|no\s+(?:more|longer)\s+than\s+)?{NUM}\s*(?:\(\d+\)\s*)?(days?|weeks?|months?|years?)|(?:保存|存储|保留)(?:期限|期间|时间)?(?:为|是)?\s*{ZH_NUM}\s*(?:个)?(日|天|周|月|年)"
        ))?,
        jurisdiction: StartAnchored::new(
            r"\b(?:the\s+)?(People['’]s\s+Republic\s+of\s+China|PRC|mainland\s+China|China|Hong\s+Kong|Macau|Taiwan|Singapore|Japan|Korea|India|Australia|Canada|Brazil|Mexico|United\s+States(?:\s+of\s+America)?|U\.S\.A?\.?|USA|California|Delaware|New\s+York|Washington|Texas|Massachusetts|Illinois|Virginia|Colorado|England(?:\s+and\s+Wales)?|Scotland|Northern\s+Ireland|United\s+Kingdom|UK|Ireland|Luxembourg|Germany|France|Netherlands|Belgium|Spain|Italy|Poland|Sweden|Denmark|Finland|Norway|Austria|Switzerland|Israel|European\s+Union|EU|EEA)\b|(中华人民共和国|中国大陆|中国|香港|澳门|台湾|新加坡|美国|欧盟)",
        )?,
    })
}

/// True when the words before `[start, end)` in its clause negate it.
fn negated_at(t: &str, start: usize, end: usize) -> bool {
    let (from, _) = crate::rules::clause_around(t, start, end);
    crate::rules::negated(&t[from..start])
}

fn ev<T>(t: &str, m: &regex::Match<'_>, value: T) -> Evidence<T> {
    Evidence {
        value,
        span: text::char_span(t, m.start(), m.end()),
    }
}

fn ev_group<T>(t: &str, m: &Group<'_>, value: T) -> Evidence<T> {
    Evidence {
        value,
        span: text::char_span(t, m.start, m.end),
    }
}

fn unit_of(u: &str) -> &'static str {
    let u = u.to_lowercase();
    if u.starts_with("day") || u == "日" || u == "天" {
        "day"
    } else if u.starts_with("week") || u == "周" {
        "week"
    } else if u.starts_with("month") || u == "月" {
        "month"
    } else {
        "year"
    }
}

fn first_number(caps: &Groups<'_>) -> Option<u32> {
    caps.groups()
        .flatten()
        .find_map(|m| text::parse_number(m.as_str()))
}

/// Reads the TAXONOMY §0 slots off one provision. Never panics; slots not
/// found are `None` (or empty).
pub fn attributes(t: &str) -> Attributes {
    let mut a = Attributes::default();
    let Some(p) = patterns() else { return a };

    // Modality and actor: the strongest modal; actor from its subject.
    let mut best: Option<(u8, Evidence<Modality>, Option<Evidence<Actor>>)> = None;
    for caps in p.modal.captures_iter(t) {
        let Some(whole) = caps.get(0) else { continue };
        let (subject, verb) = match (caps.get(1), caps.get(2), caps.get(3)) {
            (Some(s), Some(v), _) => (s.as_str().to_string(), v.as_str().to_lowercase()),
            (_, _, Some(s)) => {
                let w = whole.as_str();
                let verb = if w.contains("有权") {
                    "reserve"
                } else if w.contains("必须") || w.contains("应") {
                    "must"
                } else if w.contains("将") || w.contains("会") {
                    "will"
                } else {
                    "may"
                };
                (s.as_str().to_string(), verb.to_string())
            }
            _ => continue,
        };
        let (rank, modality) = if verb.starts_with("reserve") {
            (5, Modality::ReserveTheRight)
        } else if verb == "must" || verb.contains("required") {
            (4, Modality::Must)
        } else if verb == "shall" {
            (3, Modality::Shall)
        } else if verb == "will" {
            (2, Modality::Will)
        } else {
            (1, Modality::May)
        };
        let actor = actor_of(&subject);
        let s_match = caps.get(1).or(caps.get(3));
        let actor_ev = actor.and_then(|ac| s_match.map(|m| ev(t, &m, ac)));
        if best.as_ref().is_none_or(|b| rank > b.0) {
            best = Some((rank, ev(t, &whole, modality), actor_ev));
        }
    }
    if let Some((_, m, actor)) = best {
        a.modality = Some(m);
        a.actor = actor;
    }

    // A negated cue says the opposite: "we will not terminate your account
    // without notice" gives notice; "we do not remove content for any reason"
    // claims no discretion.
    let asserted = |r: &Regex| r.find_iter(t).find(|m| !negated_at(t, m.start(), m.end()));
    if let Some(m) = asserted(&p.discretion) {
        a.discretion = Some(ev(t, &m, m.as_str().to_lowercase()));
    }

    // Notice: strongest mode mentioned.
    let modes = [
        (&p.notice_durable, NoticeMode::Durable),
        (&p.notice_email, NoticeMode::Email),
        (&p.notice_posting, NoticeMode::Posting),
        (&p.notice_none, NoticeMode::None),
    ];
    for (r, mode) in modes {
        if let Some(m) = asserted(r) {
            a.notice_mode = Some(ev(t, &m, mode));
            break;
        }
    }
    if let Some(c) = p.notice_days.captures(t)
        && let (Some(m), Some(n)) = (c.get(0), first_number(&c))
    {
        a.notice_days = Some(ev_group(t, &m, n));
    }
    if let Some(m) = p.grounds.find(t) {
        a.grounds = Some(ev(t, &m, m.as_str().to_lowercase()));
    }
    if let Some(c) = p.age.captures(t)
        && let (Some(m), Some(n)) = (c.get(0), first_number(&c))
        && (1..=25).contains(&n)
    {
        a.age_threshold = Some(ev_group(t, &m, n));
    }
    if let Some(c) = p.retention.captures(t)
        && let Some(m) = c.get(0)
    {
        // The unit is the last non-empty capture; the number the first.
        let unit = c.groups().flatten().last().map(|u| unit_of(u.as_str()));
        if let (Some(value), Some(unit)) = (first_number(&c), unit) {
            a.retention = Some(ev_group(
                t,
                &m,
                Period {
                    value,
                    unit: unit.to_string(),
                },
            ));
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for c in p.jurisdiction.captures_all(t) {
        let Some(m) = c.get(0) else { continue };
        let name = canonical_jurisdiction(m.as_str());
        if !seen.contains(&name) {
            seen.push(name.clone());
            a.jurisdictions.push(ev_group(t, &m, name));
        }
    }
    a
}

fn actor_of(subject: &str) -> Option<Actor> {
    let s = subject.trim().to_lowercase();
    Some(match s.as_str() {
        "we" | "us" | "我们" | "本公司" | "平台" => Actor::Provider,
        "you" | "您" | "用户" => Actor::User,
        "third parties" | "第三方" => Actor::ThirdParty,
        x if x.contains("end users") => Actor::EndUser,
        // A capitalised name ("Amazon may …") is usually the provider.
        x if x.chars().next().is_some_and(|c| c.is_alphabetic())
            && subject.chars().next().is_some_and(char::is_uppercase) =>
        {
            Actor::Provider
        }
        _ => return None,
    })
}

fn canonical_jurisdiction(raw: &str) -> String {
    let r = raw
        .trim()
        .trim_start_matches("the ")
        .trim_start_matches("The ");
    let lower = r.to_lowercase().replace(['’', '\''], "'");
    let out = match lower.as_str() {
        "prc"
        | "people's republic of china"
        | "china"
        | "mainland china"
        | "中华人民共和国"
        | "中国"
        | "中国大陆" => "PRC",
        "united states"
        | "united states of america"
        | "u.s."
        | "u.s.a."
        | "usa"
        | "u.s"
        | "美国" => "United States",
        "uk" | "united kingdom" => "United Kingdom",
        "eu" | "european union" | "欧盟" => "European Union",
        "香港" => "Hong Kong",
        "澳门" => "Macau",
        "台湾" => "Taiwan",
        "新加坡" => "Singapore",
        _ => return r.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(t: &str, span: (usize, usize)) -> &str {
        text::slice_chars(t, span)
    }

    #[test]
    fn slow_patterns_are_searched_from_their_start_literals_issue_25() {
        let p = patterns().unwrap();
        for (name, r) in [
            ("notice_days", &p.notice_days),
            ("age", &p.age),
            ("retention", &p.retention),
            ("jurisdiction", &p.jurisdiction),
        ] {
            assert!(r.is_anchored(), "{name} lost its start literals");
        }
    }

    #[test]
    fn change_clause_by_posting() {
        let t =
            "We may modify this Policy at any time by posting a revised version on the AWS Site.";
        let a = attributes(t);
        assert_eq!(a.modality.as_ref().unwrap().value, Modality::May);
        assert_eq!(a.actor.as_ref().unwrap().value, Actor::Provider);
        let n = a.notice_mode.unwrap();
        assert_eq!(n.value, NoticeMode::Posting);
        assert_eq!(quote(t, n.span), "by posting a revised");
        assert!(a.notice_days.is_none());
    }

    #[test]
    fn termination_without_notice_for_any_reason() {
        let t = "Amazon reserves the right to terminate your account at any time, for any or no reason, with or without notice.";
        let a = attributes(t);
        assert_eq!(a.modality.unwrap().value, Modality::ReserveTheRight);
        assert_eq!(a.actor.unwrap().value, Actor::Provider);
        assert_eq!(a.notice_mode.unwrap().value, NoticeMode::None);
        let d = a.discretion.unwrap();
        assert_eq!(quote(t, d.span), "for any or no reason");
    }

    #[test]
    fn notice_days_and_email() {
        let t = "We will notify you by email at least thirty (30) days before the change takes effect, giving 30 days' notice.";
        let a = attributes(t);
        assert_eq!(a.notice_mode.unwrap().value, NoticeMode::Email);
        assert_eq!(a.notice_days.unwrap().value, 30);
        let z = "我们将提前15日通知您。";
        let az = attributes(z);
        let nd = az.notice_days.unwrap();
        assert_eq!(nd.value, 15);
        assert_eq!(quote(z, nd.span), "提前15日");
    }

    #[test]
    fn eighteen_is_not_eight() {
        let a = attributes("individuals under the age of eighteen (18) may not use the Sites");
        assert_eq!(a.age_threshold.unwrap().value, 18);
    }

    #[test]
    fn ages_in_english_and_chinese() {
        let t = "If you are under 18, you may use the AWS China Site only with the involvement of a parent or guardian.";
        let a = attributes(t);
        let age = a.age_threshold.unwrap();
        assert_eq!(age.value, 18);
        assert_eq!(quote(t, age.span), "under 18");
        assert_eq!(
            attributes("不满十四周岁的未成年人")
                .age_threshold
                .unwrap()
                .value,
            14
        );
        assert_eq!(
            attributes("You must be at least 13 years old.")
                .age_threshold
                .unwrap()
                .value,
            13
        );
    }

    #[test]
    fn retention_periods() {
        let t = "We retain server logs for 90 days and then delete them.";
        let r = attributes(t).retention.unwrap();
        assert_eq!(
            r.value,
            Period {
                value: 90,
                unit: "day".into()
            }
        );
        let t2 = "Backups are deleted after six months.";
        assert_eq!(
            attributes(t2).retention.unwrap().value,
            Period {
                value: 6,
                unit: "month".into()
            }
        );
        let z = "您的个人信息保存期限为3年。";
        assert_eq!(
            attributes(z).retention.unwrap().value,
            Period {
                value: 3,
                unit: "year".into()
            }
        );
        assert!(
            attributes("We retain data as long as necessary.")
                .retention
                .is_none()
        );
    }

    #[test]
    fn jurisdictions_are_canonical_and_unique() {
        let t = "These terms are governed by the laws of the People's Republic of China (excluding Hong Kong, Macau and Taiwan); PRC courts decide.";
        let j: Vec<String> = attributes(t)
            .jurisdictions
            .into_iter()
            .map(|e| e.value)
            .collect();
        assert_eq!(j, ["PRC", "Hong Kong", "Macau", "Taiwan"]);
        let j2: Vec<String> = attributes("the laws of England and Wales")
            .jurisdictions
            .into_iter()
            .map(|e| e.value)
            .collect();
        assert_eq!(j2, ["England and Wales"]);
    }

    #[test]
    fn grounds_and_chinese_modal() {
        let t = "If you violate the Policy or authorize or help others to do so, we may suspend or terminate your use of the Services.";
        let a = attributes(t);
        assert!(a.grounds.is_some());
        assert_eq!(a.actor.unwrap().value, Actor::Provider);
        let z = "我们有权随时修改本协议。";
        let az = attributes(z);
        assert_eq!(az.modality.unwrap().value, Modality::ReserveTheRight);
        assert_eq!(az.actor.unwrap().value, Actor::Provider);
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert_eq!(attributes(""), Attributes::default());
        assert_eq!(attributes("Hello."), Attributes::default());
    }
}
