//! Roles, the principal behind a request, and the access rules of DESIGN §2.
//!
//! The server is the gate: it builds a [`Principal`] from the session and the memberships stored
//! in its database, and asks [`Principal::access`] before it sends or accepts anything. The app
//! uses the same rules only to decide what to show; no rule lives only in the client.

use serde::{Deserialize, Serialize};

use crate::ids::{DocId, DocKind, GroupId, UserId};

/// What a user is in the institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A student: reads the documents of their groups and their own grades.
    Student,
    /// A parent or guardian: reads what their wards read, writes nothing of theirs.
    Guardian,
    /// A teacher: publishes for the groups they teach, in the subjects they teach.
    Teacher,
    /// School staff: announcements and administration of the school life.
    Staff,
    /// An administrator: reads and writes every document.
    Admin,
}

impl Role {
    /// The role as stored and sent (`student`, `teacher`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Guardian => "guardian",
            Role::Teacher => "teacher",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        [Role::Student, Role::Guardian, Role::Teacher, Role::Staff, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A role name that is not one of Cartable's roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

/// The authenticated user behind a request or a sync connection, with what the server knows of
/// their memberships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The account.
    pub user: UserId,
    /// Its role.
    pub role: Role,
    /// Groups the user belongs to (students), or whose wards belong to (guardians).
    pub groups: Vec<GroupId>,
    /// Groups the user teaches (teachers).
    pub teaches: Vec<GroupId>,
    /// Students a guardian is responsible for.
    pub wards: Vec<UserId>,
    /// Subjects a teacher teaches: a teacher may only write grades of these.
    #[serde(default)]
    pub subjects: Vec<String>,
}

/// What a principal may do with one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Nothing: the document is not even revealed to exist.
    None,
    /// Receive the document and its changes, send none.
    Read,
    /// Read, and send changes (which the server still validates entry by entry).
    Write,
}

impl Access {
    /// Whether the document may be received.
    pub fn can_read(self) -> bool {
        self >= Access::Read
    }

    /// Whether changes to the document may be sent.
    pub fn can_write(self) -> bool {
        self == Access::Write
    }
}

impl Principal {
    fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g.as_str() == group)
    }

    fn teaches_group(&self, group: &str) -> bool {
        self.teaches.iter().any(|g| g.as_str() == group)
    }

    /// The access this principal has to `doc`. `thread_participants` is only consulted for
    /// `thread:` documents, whose readers are their participants.
    pub fn access(&self, doc: &DocId, thread_participants: &[UserId]) -> Access {
        let scope = doc.scope();
        // Threads and `me` layers are private (DESIGN §2): not even admins read them.
        if self.role == Role::Admin && !matches!(doc.kind(), DocKind::Thread | DocKind::Me) {
            return Access::Write;
        }
        let read_if = |ok: bool| if ok { Access::Read } else { Access::None };
        match doc.kind() {
            DocKind::Timetable | DocKind::Homework | DocKind::Library => match self.role {
                Role::Teacher if self.teaches_group(scope) => Access::Write,
                Role::Teacher | Role::Staff => Access::Read,
                Role::Student | Role::Guardian => read_if(self.in_group(scope)),
                Role::Admin => Access::Write,
            },
            DocKind::Grades => match self.role {
                Role::Teacher => Access::Write,
                Role::Student => read_if(self.user.as_str() == scope),
                Role::Guardian => read_if(self.wards.iter().any(|w| w.as_str() == scope)),
                Role::Staff => Access::None,
                Role::Admin => Access::Write,
            },
            DocKind::Announcements => match self.role {
                Role::Staff | Role::Admin => Access::Write,
                // A teacher announces to the groups they teach (issue 7), not to everyone.
                Role::Teacher if self.teaches_group(scope) => Access::Write,
                _ if scope == ANNOUNCEMENTS_EVERYONE => Access::Read,
                Role::Teacher => {
                    read_if(scope == ANNOUNCEMENTS_TEACHERS || self.teaches_group(scope))
                }
                Role::Student | Role::Guardian => read_if(self.in_group(scope)),
            },
            DocKind::Thread => {
                if thread_participants.contains(&self.user) {
                    Access::Write
                } else {
                    Access::None
                }
            }
            DocKind::Me => {
                if self.user.as_str() == scope {
                    Access::Write
                } else {
                    Access::None
                }
            }
            // Drafts and grades not yet published: the group's teachers only (admins above).
            DocKind::Gradebook => match self.role {
                Role::Teacher if self.teaches_group(scope) => Access::Write,
                _ => Access::None,
            },
        }
    }

    /// The documents this principal may read that exist by construction of their memberships:
    /// their groups' timetables, homework and libraries, their own grades and `me` layer, and the
    /// announcements addressed to them. Threads come from the server's list of participants.
    pub fn standing_documents(&self) -> Vec<DocId> {
        let mut docs = Vec::new();
        let groups = self.groups.iter().chain(self.teaches.iter());
        for g in groups {
            for kind in [DocKind::Timetable, DocKind::Homework, DocKind::Library] {
                docs.push(DocId::new(kind, g.as_str()).expect("group ids are valid scopes"));
            }
            docs.push(DocId::new(DocKind::Announcements, g.as_str()).expect("valid scope"));
        }
        docs.push(DocId::new(DocKind::Announcements, ANNOUNCEMENTS_EVERYONE).expect("valid"));
        match self.role {
            Role::Student => {
                docs.push(DocId::new(DocKind::Grades, self.user.as_str()).expect("valid"))
            }
            Role::Guardian => {
                for w in &self.wards {
                    docs.push(DocId::new(DocKind::Grades, w.as_str()).expect("valid"));
                }
            }
            Role::Teacher => {
                docs.push(
                    DocId::new(DocKind::Announcements, ANNOUNCEMENTS_TEACHERS).expect("valid"),
                );
                for g in &self.teaches {
                    docs.push(DocId::new(DocKind::Gradebook, g.as_str()).expect("valid scope"));
                }
            }
            Role::Staff | Role::Admin => {}
        }
        docs.push(DocId::me(&self.user));
        docs.sort();
        docs.dedup();
        docs
    }
}

/// The announcements audience that every account reads.
pub const ANNOUNCEMENTS_EVERYONE: &str = "everyone";
/// The announcements audience of the teaching staff.
pub const ANNOUNCEMENTS_TEACHERS: &str = "teachers";

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(user: &str, role: Role, groups: &[&str], teaches: &[&str]) -> Principal {
        Principal {
            user: user.parse().unwrap(),
            role,
            groups: groups.iter().map(|g| g.parse().unwrap()).collect(),
            teaches: teaches.iter().map(|g| g.parse().unwrap()).collect(),
            wards: vec![],
            subjects: vec![],
        }
    }

    fn doc(s: &str) -> DocId {
        s.parse().unwrap()
    }

    #[test]
    fn student_reads_own_group_timetable_and_writes_nothing_of_it() {
        let lea = principal("lea", Role::Student, &["l2-a"], &[]);
        assert_eq!(lea.access(&doc("timetable:l2-a"), &[]), Access::Read);
        assert_eq!(lea.access(&doc("timetable:l2-b"), &[]), Access::None);
        assert_eq!(lea.access(&doc("grades:lea"), &[]), Access::Read);
        assert_eq!(lea.access(&doc("grades:tom"), &[]), Access::None);
        assert_eq!(lea.access(&doc("me:lea"), &[]), Access::Write);
        assert_eq!(lea.access(&doc("me:tom"), &[]), Access::None);
    }

    #[test]
    fn teacher_writes_only_timetables_of_groups_taught() {
        let prof = principal("prof", Role::Teacher, &[], &["l2-a"]);
        assert_eq!(prof.access(&doc("timetable:l2-a"), &[]), Access::Write);
        assert_eq!(prof.access(&doc("timetable:l2-b"), &[]), Access::Read);
        assert_eq!(prof.access(&doc("announcements:l2-a"), &[]), Access::Write);
        assert_eq!(prof.access(&doc("announcements:l2-b"), &[]), Access::None);
        assert_eq!(prof.access(&doc("announcements:everyone"), &[]), Access::Read);
        assert_eq!(prof.access(&doc("announcements:teachers"), &[]), Access::Read);
    }

    #[test]
    fn thread_is_open_to_its_participants_only() {
        let lea = principal("lea", Role::Student, &["l2-a"], &[]);
        let parts: Vec<UserId> = vec!["lea".parse().unwrap(), "prof".parse().unwrap()];
        assert_eq!(lea.access(&doc("thread:t1"), &parts), Access::Write);
        assert_eq!(lea.access(&doc("thread:t1"), &parts[1..]), Access::None);
        let admin = principal("root", Role::Admin, &[], &[]);
        assert_eq!(admin.access(&doc("thread:t1"), &parts), Access::None);
        assert_eq!(admin.access(&doc("me:lea"), &[]), Access::None);
        assert_eq!(admin.access(&doc("grades:lea"), &[]), Access::Write);
    }

    #[test]
    fn a_gradebook_is_read_by_its_teachers_and_admins_only() {
        let book = doc("gradebook:l2-a");
        let prof = principal("prof", Role::Teacher, &[], &["l2-a"]);
        assert_eq!(prof.access(&book, &[]), Access::Write);
        assert!(prof.standing_documents().contains(&book));
        let other = principal("other", Role::Teacher, &[], &["l2-b"]);
        assert_eq!(other.access(&book, &[]), Access::None);
        assert!(!other.standing_documents().contains(&book));
        let lea = principal("lea", Role::Student, &["l2-a"], &[]);
        assert_eq!(lea.access(&book, &[]), Access::None);
        assert!(!lea.standing_documents().contains(&book));
        let mut parent = principal("parent", Role::Guardian, &["l2-a"], &[]);
        parent.wards = vec!["lea".parse().unwrap()];
        assert_eq!(parent.access(&book, &[]), Access::None);
        assert_eq!(
            principal("cpe", Role::Staff, &["l2-a"], &["l2-a"]).access(&book, &[]),
            Access::None
        );
        assert_eq!(principal("root", Role::Admin, &[], &[]).access(&book, &[]), Access::Write);
    }

    #[test]
    fn standing_documents_are_all_readable() {
        let lea = principal("lea", Role::Student, &["l2-a"], &[]);
        let docs = lea.standing_documents();
        assert!(docs.contains(&doc("timetable:l2-a")));
        assert!(docs.iter().all(|d| lea.access(d, &[]).can_read()));
    }

    /// The server lists a student's or guardian's documents from `standing_documents` alone
    /// (`readable_documents`): every other document they may read must be in it.
    #[test]
    fn a_student_or_guardian_reads_no_document_outside_their_standing_ones() {
        let mut parent = principal("parent", Role::Guardian, &["l2-a"], &[]);
        parent.wards = vec!["lea".parse().unwrap()];
        let people = ["lea", "tom", "parent", "prof", "root"];
        let scopes = ["l2-a", "l2-b", ANNOUNCEMENTS_EVERYONE, ANNOUNCEMENTS_TEACHERS];
        let mut universe = Vec::new();
        for kind in DocKind::ALL.into_iter().filter(|k| *k != DocKind::Thread) {
            for scope in people.iter().chain(&scopes) {
                universe.extend(DocId::new(kind, scope).ok());
            }
        }
        for who in [principal("lea", Role::Student, &["l2-a"], &[]), parent] {
            let standing = who.standing_documents();
            let readable: Vec<&DocId> =
                universe.iter().filter(|d| who.access(d, &[]).can_read()).collect();
            assert!(readable.len() >= 5, "{}: {readable:?}", who.user);
            for d in readable {
                assert!(standing.contains(d), "{} reads {d}, not a standing document", who.user);
            }
        }
    }
}
