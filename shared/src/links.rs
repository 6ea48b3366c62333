//! The app's deep links: the URL a notification opens, e.g. `/?view=week&session=<id>`.
//!
//! The server's push sender builds them ([`DeepLink::url`]); the app reads the URL it was
//! opened with ([`DeepLink::parse`]) and shows that view with that item in focus. Item ids are
//! the keys of the documents' maps (a session id of a `timetable:<group>`, an assessment id of
//! a `grades:<student>`, the scope of a `thread:<id>` …).
//!
//! | link | view |
//! |---|---|
//! | `/?view=today` | the current week, scrolled to today |
//! | `/?view=week&session=<id>` | the week of that session, the session in focus |
//! | `/?view=homework&assignment=<id>` | homework, the assignment in focus |
//! | `/?view=grades&assessment=<id>` | grades, the grade in focus |
//! | `/?view=announcements&announcement=<id>` | announcements, that one in focus |
//! | `/?view=messages&thread=<id>` | the thread `thread:<id>` open |
//! | `/?view=settings` | settings |

/// A view of the app, with the item to bring into focus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLink {
    /// The current week, today in view.
    Today,
    /// The week of a session (`None`: the current week).
    Week {
        /// A session id.
        session: Option<String>,
    },
    /// Homework.
    Homework {
        /// An assignment id.
        assignment: Option<String>,
    },
    /// Grades.
    Grades {
        /// An assessment id.
        assessment: Option<String>,
    },
    /// Announcements.
    Announcements {
        /// An announcement id.
        announcement: Option<String>,
    },
    /// Messages.
    Messages {
        /// A thread id (the scope of `thread:<id>`).
        thread: Option<String>,
    },
    /// Settings.
    Settings,
}

impl DeepLink {
    /// The view name and the item parameter (name and value).
    fn parts(&self) -> (&'static str, Option<(&'static str, &str)>) {
        fn item<'a>(key: &'static str, v: &'a Option<String>) -> Option<(&'static str, &'a str)> {
            v.as_deref().map(|v| (key, v))
        }
        match self {
            DeepLink::Today => ("today", None),
            DeepLink::Week { session } => ("week", item("session", session)),
            DeepLink::Homework { assignment } => ("homework", item("assignment", assignment)),
            DeepLink::Grades { assessment } => ("grades", item("assessment", assessment)),
            DeepLink::Announcements { announcement } => {
                ("announcements", item("announcement", announcement))
            }
            DeepLink::Messages { thread } => ("messages", item("thread", thread)),
            DeepLink::Settings => ("settings", None),
        }
    }

    /// The link, relative to the app's origin: `/?view=week&session=<id>`.
    pub fn url(&self) -> String {
        let (view, item) = self.parts();
        match item {
            Some((key, value)) => format!("/?view={view}&{key}={}", encode(value)),
            None => format!("/?view={view}"),
        }
    }

    /// Reads a link: a full URL, a path with a query, or just the query (`?view=…`). `None`
    /// when it names no known view.
    pub fn parse(url: &str) -> Option<DeepLink> {
        let query = url.split_once('?').map_or("", |(_, q)| q);
        let query = query.split('#').next().unwrap_or_default();
        let params: Vec<(String, String)> = query
            .split('&')
            .filter_map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                Some((decode(k)?, decode(v)?))
            })
            .collect();
        let get = |key: &str| {
            params.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.clone())
        };
        Some(match get("view")?.as_str() {
            "today" => DeepLink::Today,
            "week" => DeepLink::Week { session: get("session") },
            "homework" => DeepLink::Homework { assignment: get("assignment") },
            "grades" => DeepLink::Grades { assessment: get("assessment") },
            "announcements" => DeepLink::Announcements { announcement: get("announcement") },
            "messages" => DeepLink::Messages { thread: get("thread") },
            "settings" => DeepLink::Settings,
            _ => return None,
        })
    }
}

/// Percent-encodes everything but the unreserved characters of RFC 3986.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (a space in a form query); `None` if it is not UTF-8 or an
/// escape is malformed.
fn decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_reads_back_as_itself() {
        let id = |s: &str| Some(s.to_owned());
        for link in [
            DeepLink::Today,
            DeepLink::Week { session: None },
            DeepLink::Week { session: id("R3-Td-2026-11-26-0800") },
            DeepLink::Homework { assignment: id("hw 1/é") },
            DeepLink::Grades { assessment: id("ds&1=2") },
            DeepLink::Announcements { announcement: id("n1") },
            DeepLink::Messages { thread: id("t-42") },
            DeepLink::Settings,
        ] {
            let url = link.url();
            assert!(url.starts_with("/?view="), "{url}");
            assert_eq!(DeepLink::parse(&url), Some(link.clone()), "{url}");
            let full = format!("https://cartable.example{url}#top");
            assert_eq!(DeepLink::parse(&full), Some(link), "{full}");
        }
    }

    #[test]
    fn links_have_the_documented_form() {
        let link = DeepLink::Week { session: Some("s1".into()) };
        assert_eq!(link.url(), "/?view=week&session=s1");
        assert_eq!(
            DeepLink::Grades { assessment: Some("a b&c".into()) }.url(),
            "/?view=grades&assessment=a%20b%26c"
        );
        assert_eq!(
            DeepLink::parse("?session=s9&view=week&utm=x"),
            Some(DeepLink::Week { session: Some("s9".into()) })
        );
        assert_eq!(
            DeepLink::parse("/?view=grades&assessment=a+b"),
            Some(DeepLink::Grades { assessment: Some("a b".into()) })
        );
    }

    #[test]
    fn unknown_or_malformed_links_are_not_views() {
        for url in
            ["/", "/?", "/?view=", "/?view=admin", "/?view=week%ZZ", "/?view=%FF", "view=week"]
        {
            assert_eq!(DeepLink::parse(url), None, "{url}");
        }
        assert_eq!(
            DeepLink::parse("/?view=week&session=%E9"),
            Some(DeepLink::Week { session: None }),
            "an unreadable item is dropped, the view stays"
        );
    }
}
