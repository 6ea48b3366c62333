//! A document's content as its typed value (feature `crdt`).
//!
//! Hydrating a whole document is the costly part of checking a write and of deriving its
//! notification events, so the server's document actor reads each version once into a
//! [`TypedDoc`] and hands the same values to [`crate::rules::check_typed`] and to the event
//! diff.

use automerge::Automerge;
use autosurgeon::{Hydrate, HydrateError};

use crate::announcements::Announcements;
use crate::gradebook::Gradebook;
use crate::grades::Grades;
use crate::homework::Homework;
use crate::ids::DocKind;
use crate::library::Library;
use crate::me::MyLayer;
use crate::sync::read;
use crate::thread::Thread;
use crate::timetable::Timetable;

/// The content of a document, by kind. A document with no content yet reads as the kind's
/// default value.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedDoc {
    /// `timetable:<group>`.
    Timetable(Timetable),
    /// `homework:<group>`.
    Homework(Homework),
    /// `grades:<student>`.
    Grades(Grades),
    /// `library:<group>`.
    Library(Library),
    /// `announcements:<audience>`.
    Announcements(Announcements),
    /// `thread:<id>`.
    Thread(Thread),
    /// `me:<user>`.
    Me(MyLayer),
    /// `gradebook:<group>`.
    Gradebook(Gradebook),
}

fn typed<T: Hydrate + Default>(doc: &Automerge) -> Result<T, HydrateError> {
    read::<T>(doc).map(Option::unwrap_or_default)
}

impl TypedDoc {
    /// Reads the content of a document of `kind`.
    pub fn read(kind: DocKind, doc: &Automerge) -> Result<Self, HydrateError> {
        Ok(match kind {
            DocKind::Timetable => Self::Timetable(typed(doc)?),
            DocKind::Homework => Self::Homework(typed(doc)?),
            DocKind::Grades => Self::Grades(typed(doc)?),
            DocKind::Library => Self::Library(typed(doc)?),
            DocKind::Announcements => Self::Announcements(typed(doc)?),
            DocKind::Thread => Self::Thread(typed(doc)?),
            DocKind::Me => Self::Me(typed(doc)?),
            DocKind::Gradebook => Self::Gradebook(typed(doc)?),
        })
    }

    /// The kind of document this is the content of.
    pub fn kind(&self) -> DocKind {
        match self {
            Self::Timetable(_) => DocKind::Timetable,
            Self::Homework(_) => DocKind::Homework,
            Self::Grades(_) => DocKind::Grades,
            Self::Library(_) => DocKind::Library,
            Self::Announcements(_) => DocKind::Announcements,
            Self::Thread(_) => DocKind::Thread,
            Self::Me(_) => DocKind::Me,
            Self::Gradebook(_) => DocKind::Gradebook,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::write;

    #[test]
    fn an_empty_document_reads_as_the_default_and_a_broken_one_fails() {
        let empty = Automerge::new();
        assert_eq!(
            TypedDoc::read(DocKind::Timetable, &empty).unwrap(),
            TypedDoc::Timetable(Timetable::default())
        );
        let mut doc = Automerge::new();
        write(&mut doc, &Timetable::new("g")).unwrap();
        let read = TypedDoc::read(DocKind::Timetable, &doc).unwrap();
        assert_eq!(
            (read.kind(), read),
            (DocKind::Timetable, TypedDoc::Timetable(Timetable::new("g")))
        );
        assert!(TypedDoc::read(DocKind::Thread, &doc).is_err(), "a timetable is not a thread");
    }
}
