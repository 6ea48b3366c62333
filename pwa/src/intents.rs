//! The user's edits (intents, `EngineCommand`s such as "mark homework done") applied to the
//! plain values of the documents they change. Pure: the engine reads the document, calls these,
//! and writes the result back as one Automerge change. Tested natively.

use cartable_shared::engine::EngineCommand;
use cartable_shared::me::MyLayer;
use cartable_shared::thread::{Thread, ThreadMessage};

/// The key of a homework done flag in [`MyLayer::homework_done`].
pub fn homework_key(group: &str, assignment: &str) -> String {
    format!("{group}/{assignment}")
}

/// The key of an acknowledgement in [`MyLayer::acknowledged`].
pub fn ack_key(audience: &str, id: &str) -> String {
    format!("{audience}/{id}")
}

/// Where an intent is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// The user's own `me` document.
    Me,
    /// A thread, by id.
    Thread(&'a str),
    /// A group document named by its id (`kind:scope`), edited by a publisher.
    Doc(&'a str),
    /// Not an intent.
    None,
}

/// Which document `cmd` edits.
pub fn target(cmd: &EngineCommand) -> Target<'_> {
    match cmd {
        EngineCommand::SetHomeworkDone { .. }
        | EngineCommand::AddPersonalEvent { .. }
        | EngineCommand::RemovePersonalEvent { .. }
        | EngineCommand::SetNote { .. }
        | EngineCommand::Acknowledge { .. }
        | EngineCommand::SetNotifications { .. }
        | EngineCommand::SetCourseHidden { .. } => Target::Me,
        EngineCommand::Reply { thread, .. } => Target::Thread(thread),
        EngineCommand::Edit { doc, .. } => Target::Doc(doc),
        EngineCommand::Start
        | EngineCommand::Reconnect
        | EngineCommand::NetworkLost
        | EngineCommand::Stop { .. } => Target::None,
    }
}

/// Applies an intent of [`Target::Me`] to the user's layer; other commands change nothing.
pub fn apply_to_layer(layer: &mut MyLayer, cmd: &EngineCommand) {
    match cmd {
        EngineCommand::SetHomeworkDone { group, assignment, done } => {
            layer.homework_done.insert(homework_key(group, assignment), *done);
        }
        EngineCommand::AddPersonalEvent { id, event } => {
            layer.events.insert(id.clone(), event.clone());
        }
        EngineCommand::RemovePersonalEvent { id } => {
            layer.events.remove(id);
        }
        EngineCommand::SetNote { key, text: Some(text) } => {
            layer.notes.insert(key.clone(), text.clone());
        }
        EngineCommand::SetNote { key, text: None } => {
            layer.notes.remove(key);
        }
        EngineCommand::Acknowledge { audience, id, at_ms } => {
            // The first acknowledgement stands.
            layer.acknowledged.entry(ack_key(audience, id)).or_insert(*at_ms);
        }
        EngineCommand::SetNotifications { change } => {
            layer.notifications = crate::settings::apply_change(&layer.notifications, change);
        }
        EngineCommand::SetCourseHidden { subject, hidden: true } if !layer.hides(subject) => {
            layer.hidden_courses.push(subject.clone());
        }
        EngineCommand::SetCourseHidden { subject, hidden: false } => {
            // Every copy: two devices may each have added it.
            layer.hidden_courses.retain(|s| s != subject);
        }
        _ => {}
    }
}

/// Appends a reply to a thread (once: a message id already there is not added again).
pub fn apply_to_thread(thread: &mut Thread, cmd: &EngineCommand) {
    if let EngineCommand::Reply { id, author, sent_ms, body, .. } = cmd
        && !thread.messages.iter().any(|m| m.id == *id)
    {
        thread.messages.push(ThreadMessage {
            id: id.clone(),
            author: author.clone(),
            sent_ms: *sent_ms,
            body: body.clone(),
        });
    }
}

/// An intent applied to its document whose changes the server has not acknowledged yet. The
/// engine keeps it (in IndexedDB, `meta/unacked`) until they are: if the server resets the
/// document meanwhile (a new epoch, see `docs/protocol.md`), the changes go with the old copy
/// and the intent is queued again, to be applied to the new one.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Unacked {
    /// The document it was applied to.
    pub doc: String,
    /// Hex hashes of the changes it made.
    pub hashes: Vec<String>,
    /// The intent.
    pub command: EngineCommand,
}

/// Forgets the entries none of whose changes `pending(doc, hash)` still says unacknowledged;
/// whether any was forgotten.
pub fn release(list: &mut Vec<Unacked>, pending: impl Fn(&str, &str) -> bool) -> bool {
    let before = list.len();
    list.retain(|u| u.hashes.iter().any(|h| pending(&u.doc, h)));
    list.len() != before
}

/// Takes the entries of `doc` out of `list` and puts their intents back at the front of
/// `queue`, in the order they were made (before any later edit of the same document that was
/// still waiting). Returns how many.
pub fn requeue(list: &mut Vec<Unacked>, doc: &str, queue: &mut Vec<EngineCommand>) -> usize {
    let (mine, rest): (Vec<Unacked>, Vec<Unacked>) = list.drain(..).partition(|u| u.doc == doc);
    *list = rest;
    let n = mine.len();
    queue.splice(0..0, mine.into_iter().map(|u| u.command));
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartable_shared::me::PersonalEvent;

    fn reply(id: &str) -> EngineCommand {
        EngineCommand::Reply {
            thread: "t1".into(),
            id: id.into(),
            author: "paul.durand".into(),
            sent_ms: 1,
            body: id.into(),
        }
    }

    fn unacked(doc: &str, hashes: &[&str], id: &str) -> Unacked {
        Unacked {
            doc: doc.into(),
            hashes: hashes.iter().map(|h| h.to_string()).collect(),
            command: reply(id),
        }
    }

    #[test]
    fn an_applied_intent_is_kept_until_every_change_of_it_is_acknowledged() {
        let mut list = vec![unacked("thread:t1", &["a", "b"], "r1"), unacked("me:u", &["c"], "r2")];
        assert!(!release(&mut list, |_, _| true));
        assert_eq!(list.len(), 2);
        // "a" acknowledged, "b" not yet: kept. "c" acknowledged: forgotten.
        assert!(release(&mut list, |doc, h| doc == "thread:t1" && h == "b"));
        assert_eq!(list, [unacked("thread:t1", &["a", "b"], "r1")]);
        assert!(release(&mut list, |_, _| false));
        assert!(list.is_empty());
    }

    #[test]
    fn a_reset_puts_the_documents_unacknowledged_intents_back_first_in_order() {
        let mut list = vec![
            unacked("thread:t1", &["a"], "r1"),
            unacked("me:u", &["b"], "m1"),
            unacked("thread:t1", &["c"], "r2"),
        ];
        let mut queue = vec![reply("r3")];
        assert_eq!(requeue(&mut list, "thread:t1", &mut queue), 2);
        assert_eq!(queue, [reply("r1"), reply("r2"), reply("r3")]);
        assert_eq!(list, [unacked("me:u", &["b"], "m1")]);
        assert_eq!(requeue(&mut list, "thread:t9", &mut queue), 0);
        assert_eq!(queue.len(), 3);
        // Re-applying a reply the new copy already has (the server had it) adds nothing.
        let mut t = Thread::default();
        apply_to_thread(&mut t, &reply("r1"));
        apply_to_thread(&mut t, &reply("r1"));
        assert_eq!(t.messages.len(), 1);
    }

    #[test]
    fn homework_done_and_undone_are_recorded_by_group_and_assignment() {
        let mut l = MyLayer::default();
        let cmd = |done| EngineCommand::SetHomeworkDone {
            group: "l2-info-a".into(),
            assignment: "hw1".into(),
            done,
        };
        apply_to_layer(&mut l, &cmd(true));
        assert!(l.homework_done["l2-info-a/hw1"]);
        apply_to_layer(&mut l, &cmd(false));
        assert!(!l.homework_done["l2-info-a/hw1"]);
    }

    #[test]
    fn events_are_added_and_removed_and_notes_set_and_cleared() {
        let mut l = MyLayer::default();
        let event = PersonalEvent {
            title: "Dentiste".into(),
            start_ms: 1,
            end_ms: 2,
            zone: "Europe/Paris".into(),
            note: None,
        };
        apply_to_layer(&mut l, &EngineCommand::AddPersonalEvent { id: "e1".into(), event });
        assert_eq!(l.events["e1"].title, "Dentiste");
        apply_to_layer(&mut l, &EngineCommand::RemovePersonalEvent { id: "e1".into() });
        assert!(l.events.is_empty());
        apply_to_layer(
            &mut l,
            &EngineCommand::SetNote { key: "s1".into(), text: Some("x".into()) },
        );
        assert_eq!(l.notes["s1"], "x");
        apply_to_layer(&mut l, &EngineCommand::SetNote { key: "s1".into(), text: None });
        assert!(l.notes.is_empty());
    }

    #[test]
    fn the_first_acknowledgement_stands() {
        let mut l = MyLayer::default();
        let ack = |at_ms| EngineCommand::Acknowledge {
            audience: "everyone".into(),
            id: "a1".into(),
            at_ms,
        };
        apply_to_layer(&mut l, &ack(5));
        apply_to_layer(&mut l, &ack(9));
        assert_eq!(l.acknowledged["everyone/a1"], 5);
    }

    #[test]
    fn notification_changes_apply_to_the_settings_as_they_are_then() {
        use cartable_shared::engine::NotificationChange;
        use cartable_shared::notify::{Category, Level, QuietHours};
        let mut l = MyLayer::default();
        let quiet = QuietHours { start_min: 1320, end_min: 420, zone: "Europe/Paris".into() };
        // Two edits sent one after the other, from views that had not seen each other.
        for change in [
            NotificationChange::Level(Level::Complete),
            NotificationChange::Category { category: Category::GradePublished, on: false },
            NotificationChange::QuietHours(Some(quiet.clone())),
        ] {
            let cmd = EngineCommand::SetNotifications { change };
            assert_eq!(target(&cmd), Target::Me);
            apply_to_layer(&mut l, &cmd);
        }
        let n = &l.notifications;
        assert_eq!(n.level, Level::Complete);
        assert!(!n.wants(Category::GradePublished) && n.wants(Category::NewHomework));
        assert_eq!(n.quiet_hours, Some(quiet));
        let cmd = EngineCommand::SetNotifications { change: NotificationChange::QuietHours(None) };
        apply_to_layer(&mut l, &cmd);
        assert_eq!(l.notifications.quiet_hours, None);
        assert!(!l.notifications.wants(Category::GradePublished), "the override stays");
    }

    #[test]
    fn hiding_a_course_is_idempotent_and_showing_it_removes_every_copy() {
        let mut l = MyLayer::default();
        let set = |subject: &str, hidden| EngineCommand::SetCourseHidden {
            subject: subject.into(),
            hidden,
        };
        assert_eq!(target(&set("Sport", true)), Target::Me);
        apply_to_layer(&mut l, &set("Sport", true));
        apply_to_layer(&mut l, &set("Sport", true));
        apply_to_layer(&mut l, &set("Anglais", true));
        assert_eq!(l.hidden_courses, ["Sport", "Anglais"]);
        // As merged from two devices that both hid it offline.
        l.hidden_courses.push("Sport".into());
        apply_to_layer(&mut l, &set("Sport", false));
        assert_eq!(l.hidden_courses, ["Anglais"]);
        apply_to_layer(&mut l, &set("Sport", false));
        assert_eq!(l.hidden_courses, ["Anglais"]);
    }

    #[test]
    fn a_publisher_edit_targets_the_document_it_names() {
        use cartable_shared::api::SessionChange;
        use cartable_shared::edits::DocEdit;
        let cmd = EngineCommand::Edit {
            doc: "timetable:l2-info-a".into(),
            edit: DocEdit::Session {
                session: "s1".into(),
                change: SessionChange::Cancel { note: None },
            },
        };
        assert_eq!(target(&cmd), Target::Doc("timetable:l2-info-a"));
        assert!(cmd.is_intent());
        // Edits of two documents do not wait for each other.
        let other = EngineCommand::Edit {
            doc: "homework:l2-info-a".into(),
            edit: DocEdit::RemoveAssignment { id: "hw".into() },
        };
        assert_ne!(target(&cmd), target(&other));
        let json = serde_json::to_string(&cmd).unwrap();
        assert_eq!(serde_json::from_str::<EngineCommand>(&json).unwrap(), cmd);
    }

    #[test]
    fn a_reply_is_appended_once() {
        let mut t = Thread::default();
        let reply = EngineCommand::Reply {
            thread: "t1".into(),
            id: "m1".into(),
            author: "lea.martin".into(),
            sent_ms: 3,
            body: "Merci !".into(),
        };
        assert_eq!(target(&reply), Target::Thread("t1"));
        apply_to_thread(&mut t, &reply);
        apply_to_thread(&mut t, &reply);
        assert_eq!(t.messages.len(), 1);
        assert_eq!(t.messages[0].author, "lea.martin");
    }
}
