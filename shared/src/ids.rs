//! Identifiers. Each is a newtype with `Display`, `FromStr` and a validation error, so that no
//! bare string crosses a crate boundary as an id.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The string is empty.
    #[error("identifier is empty")]
    Empty,
    /// The string is longer than [`MAX_ID_LEN`] bytes.
    #[error("identifier is longer than {MAX_ID_LEN} bytes")]
    TooLong,
    /// The string holds a character outside `[A-Za-z0-9._@-]`.
    #[error("identifier contains the invalid character {0:?}")]
    InvalidChar(char),
    /// A document id is not of the form `kind:scope`.
    #[error("document id must look like `kind:scope`")]
    NotKindScope,
    /// The kind of a document id is not one Cartable knows.
    #[error("unknown document kind {0:?}")]
    UnknownKind(String),
}

/// Longest accepted identifier (and document scope), in bytes.
pub const MAX_ID_LEN: usize = 128;

fn validate(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.len() > MAX_ID_LEN {
        return Err(IdError::TooLong);
    }
    match s.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))) {
        Some(c) => Err(IdError::InvalidChar(c)),
        None => Ok(()),
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                validate(s)?;
                Ok(Self(s.to_owned()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                validate(&s)?;
                Ok(Self(s))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

string_id!(
    /// A user account (also its login name), e.g. `lea.martin`.
    UserId
);
string_id!(
    /// A group of students (a class, a tutorial group), e.g. `l2-info-a`.
    GroupId
);
string_id!(
    /// A timetable session (one class meeting), unique within its timetable.
    SessionId
);
string_id!(
    /// A device's Web Push subscription, chosen by the server (random hex).
    SubscriptionId
);
string_id!(
    /// A registered calendar feed (iCalendar URL imported into a group's timetable), chosen by
    /// the server (`feed-` + random hex).
    FeedId
);

/// The kinds of Automerge documents (DESIGN §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// `timetable:<group>`: the sessions of a group.
    Timetable,
    /// `homework:<group>`: the assignments of a group.
    Homework,
    /// `grades:<student>`: one student's assessments.
    Grades,
    /// `library:<group>`: course documents of a group.
    Library,
    /// `announcements:<audience>`: announcements for an audience.
    Announcements,
    /// `thread:<id>`: a conversation.
    Thread,
    /// `me:<user>`: the user's private layer.
    Me,
    /// `gradebook:<group>`: a group's assessments as its teachers prepare them (never read by
    /// students or guardians).
    Gradebook,
}

impl DocKind {
    /// Every kind, in a stable order.
    pub const ALL: [DocKind; 8] = [
        DocKind::Timetable,
        DocKind::Homework,
        DocKind::Grades,
        DocKind::Library,
        DocKind::Announcements,
        DocKind::Thread,
        DocKind::Me,
        DocKind::Gradebook,
    ];

    /// The kind as written in a document id.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Timetable => "timetable",
            DocKind::Homework => "homework",
            DocKind::Grades => "grades",
            DocKind::Library => "library",
            DocKind::Announcements => "announcements",
            DocKind::Thread => "thread",
            DocKind::Me => "me",
            DocKind::Gradebook => "gradebook",
        }
    }
}

impl FromStr for DocKind {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        DocKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| IdError::UnknownKind(s.to_owned()))
    }
}

/// A document id, `kind:scope`, e.g. `timetable:l2-info-a`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocId {
    kind: DocKind,
    scope: String,
}

impl DocId {
    /// The timetable of a group.
    pub fn timetable(group: &GroupId) -> Self {
        Self { kind: DocKind::Timetable, scope: group.to_string() }
    }

    /// The private layer of a user.
    pub fn me(user: &UserId) -> Self {
        Self { kind: DocKind::Me, scope: user.to_string() }
    }

    /// The course documents of a group.
    pub fn library(group: &GroupId) -> Self {
        Self { kind: DocKind::Library, scope: group.to_string() }
    }

    /// The homework of a group.
    pub fn homework(group: &GroupId) -> Self {
        Self { kind: DocKind::Homework, scope: group.to_string() }
    }

    /// A student's grades.
    pub fn grades(student: &UserId) -> Self {
        Self { kind: DocKind::Grades, scope: student.to_string() }
    }

    /// A document of any kind; the scope must be a valid identifier.
    pub fn new(kind: DocKind, scope: &str) -> Result<Self, IdError> {
        validate(scope)?;
        Ok(Self { kind, scope: scope.to_owned() })
    }

    /// The kind of the document.
    pub fn kind(&self) -> DocKind {
        self.kind
    }

    /// The scope: a group, a user, an audience or a thread id, depending on the kind.
    pub fn scope(&self) -> &str {
        &self.scope
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.scope)
    }
}

impl FromStr for DocId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let (kind, scope) = s.split_once(':').ok_or(IdError::NotKindScope)?;
        DocId::new(kind.parse()?, scope)
    }
}

impl TryFrom<String> for DocId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        s.parse()
    }
}

impl From<DocId> for String {
    fn from(id: DocId) -> String {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_id_round_trips_through_its_text_form() {
        let id: DocId = "timetable:l2-info-a".parse().unwrap();
        assert_eq!(id.kind(), DocKind::Timetable);
        assert_eq!(id.scope(), "l2-info-a");
        assert_eq!(id.to_string(), "timetable:l2-info-a");
    }

    #[test]
    fn doc_id_rejects_unknown_kinds_and_bad_scopes() {
        assert_eq!("nope:x".parse::<DocId>(), Err(IdError::UnknownKind("nope".into())));
        assert_eq!("timetable".parse::<DocId>(), Err(IdError::NotKindScope));
        assert_eq!("timetable:".parse::<DocId>(), Err(IdError::Empty));
        assert_eq!("timetable:a/b".parse::<DocId>(), Err(IdError::InvalidChar('/')));
        assert_eq!(
            format!("me:{}", "x".repeat(MAX_ID_LEN + 1)).parse::<DocId>(),
            Err(IdError::TooLong)
        );
    }

    #[test]
    fn ids_refuse_invalid_text_when_deserialized() {
        assert!(serde_json::from_str::<UserId>("\"lea martin\"").is_err());
        assert_eq!(
            serde_json::from_str::<UserId>("\"lea.martin\"").unwrap().as_str(),
            "lea.martin"
        );
    }
}
