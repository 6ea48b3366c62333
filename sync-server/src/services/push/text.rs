//! The words of push notifications, in French (the default) and English. The server renders
//! them because the service worker shows a notification before any app code runs; the payload
//! carries both languages and the service worker picks the app's (see `docs/protocol.md`).
//!
//! Only what a lock screen may show: subjects, titles, times and rooms; never a score, a
//! comment, or the text of a message.

use cartable_shared::notify::Category;
use chrono::TimeZone;
use serde::{Deserialize, Serialize};

use super::events::EventText;

/// Zone for times that carry none (homework due dates).
pub const DEFAULT_ZONE: &str = "Europe/Paris";

/// A language of the notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// French.
    Fr,
    /// English.
    En,
}

/// A notification's title and body in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// Title line.
    pub title: String,
    /// Body.
    pub body: String,
}

fn when(ms: i64, zone: &str, lang: Lang) -> String {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Europe::Paris);
    let Some(t) = tz.timestamp_millis_opt(ms).single() else { return String::new() };
    match lang {
        Lang::Fr => t.format("%d/%m à %H:%M").to_string(),
        Lang::En => t.format("%d/%m at %H:%M").to_string(),
    }
}

fn day(ms: i64, lang: Lang) -> String {
    let tz: chrono_tz::Tz = DEFAULT_ZONE.parse().unwrap_or(chrono_tz::Europe::Paris);
    let Some(t) = tz.timestamp_millis_opt(ms).single() else { return String::new() };
    match lang {
        Lang::Fr => t.format("pour le %d/%m").to_string(),
        Lang::En => t.format("due %d/%m").to_string(),
    }
}

/// Cuts `s` to at most `max` characters (an ellipsis marks the cut).
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The title and body of an event of `category` saying `text`.
pub fn render(category: Category, text: &EventText, lang: Lang) -> Text {
    use Category as C;
    use Lang::{En, Fr};
    let (title, body) = match text {
        EventText::Grade { subject, title } => {
            let head = match lang {
                Fr => "Nouvelle note",
                En => "New grade",
            };
            (format!("{head} · {subject}"), title.clone())
        }
        EventText::Session { subject, start_ms, zone, rooms, probably } => {
            let at = when(*start_ms, zone, lang);
            let rooms = rooms.join(", ");
            let (head, body) = match (category, lang) {
                (C::ClassCancelled, Fr) if *probably => ("Cours probablement annulé", at),
                (C::ClassCancelled, En) if *probably => ("Class probably cancelled", at),
                (C::ClassCancelled, Fr) => ("Cours annulé", at),
                (C::ClassCancelled, En) => ("Class cancelled", at),
                (C::ClassMoved, Fr) => ("Cours déplacé", format!("Nouvel horaire : {at}")),
                (C::ClassMoved, En) => ("Class moved", format!("New time: {at}")),
                (_, Fr) => ("Changement de salle", format!("{at} · salle {rooms}")),
                (_, En) => ("Room changed", format!("{at} · room {rooms}")),
            };
            (format!("{head} · {subject}"), body)
        }
        EventText::Homework { subject, title, due_ms } => {
            let head = match (category, lang) {
                (C::NewHomework, Fr) => "Nouveau devoir",
                (C::NewHomework, En) => "New homework",
                (C::HomeworkDueTomorrow, Fr) => "À rendre demain",
                (C::HomeworkDueTomorrow, En) => "Due tomorrow",
                (_, Fr) => "Devoir modifié",
                (_, En) => "Homework changed",
            };
            (format!("{head} · {subject}"), format!("{title} ({})", day(*due_ms, lang)))
        }
        EventText::Document { subject, title } => {
            let head = match lang {
                Fr => "Nouveau document",
                En => "New course document",
            };
            (format!("{head} · {subject}"), title.clone())
        }
        EventText::Announcement { title } => {
            let head = match (category, lang) {
                (C::AnnouncementAlert, Fr) => "Alerte",
                (C::AnnouncementAlert, En) => "Alert",
                (C::AnnouncementWarning, Fr) => "Avertissement",
                (C::AnnouncementWarning, En) => "Warning",
                (_, Fr) => "Information",
                (_, En) => "Announcement",
            };
            (head.to_owned(), title.clone())
        }
        EventText::Message { from, from_name, subject } => {
            let who = from_name.as_deref().unwrap_or(from);
            let head = match lang {
                Fr => "Nouveau message de",
                En => "New message from",
            };
            (format!("{head} {who}"), subject.clone())
        }
        EventText::Reminder { text } => {
            let head = match lang {
                Fr => "Rappel de la bibliothèque",
                En => "Library reminder",
            };
            (head.to_owned(), text.clone())
        }
        EventText::Summary { count, items } => {
            let titles: Vec<String> =
                items.iter().map(|(c, t)| render(*c, t, lang).title).collect();
            let head = match (lang, *count) {
                (Fr, 1) => "1 notification pendant les heures calmes".to_owned(),
                (Fr, n) => format!("{n} notifications pendant les heures calmes"),
                (En, 1) => "1 notification during quiet hours".to_owned(),
                (En, n) => format!("{n} notifications during quiet hours"),
            };
            (head, titles.join(" · "))
        }
    };
    Text { title: clip(&title, 120), body: clip(&body, 240) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_french_and_english_words() {
        let session = EventText::Session {
            subject: "Réseaux".into(),
            // 2026-11-26 07:00 UTC = 08:00 in Paris.
            start_ms: 1_795_676_400_000,
            zone: "Europe/Paris".into(),
            rooms: vec!["B12".into()],
            probably: false,
        };
        let fr = render(Category::ClassCancelled, &session, Lang::Fr);
        assert_eq!(fr.title, "Cours annulé · Réseaux");
        let mut guess = session.clone();
        if let EventText::Session { probably, .. } = &mut guess {
            *probably = true;
        }
        let fr = render(Category::ClassCancelled, &guess, Lang::Fr);
        assert_eq!(fr.title, "Cours probablement annulé · Réseaux");
        let en = render(Category::ClassCancelled, &guess, Lang::En);
        assert_eq!(en.title, "Class probably cancelled · Réseaux");
        assert_eq!(fr.body, "26/11 à 08:00");
        let en = render(Category::RoomChanged, &session, Lang::En);
        assert_eq!(en.body, "26/11 at 08:00 · room B12");
        for category in Category::ALL {
            let text = EventText::Reminder { text: "x".into() };
            for lang in [Lang::Fr, Lang::En] {
                assert!(!render(category, &text, lang).title.is_empty());
            }
        }
        let long = EventText::Announcement { title: "a".repeat(500) };
        assert_eq!(render(Category::AnnouncementAlert, &long, Lang::Fr).body.chars().count(), 240);
    }
}
