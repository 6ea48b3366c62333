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
        | EngineCommand::SetNotificationSettings { .. } => Target::Me,
        EngineCommand::Reply { thread, .. } => Target::Thread(thread),
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
        EngineCommand::SetNotificationSettings { settings } => {
            layer.notifications = settings.clone();
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

#[cfg(test)]
mod tests {
    use super::*;
    use cartable_shared::me::PersonalEvent;

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
    fn notification_settings_replace_the_previous_ones() {
        use cartable_shared::notify::{Level, NotificationSettings, QuietHours};
        let mut l = MyLayer::default();
        let mut settings = NotificationSettings { level: Level::Complete, ..Default::default() };
        settings.overrides.insert("new_message".into(), false);
        settings.quiet_hours =
            Some(QuietHours { start_min: 1320, end_min: 420, zone: "Europe/Paris".into() });
        let cmd = EngineCommand::SetNotificationSettings { settings: settings.clone() };
        assert_eq!(target(&cmd), Target::Me);
        apply_to_layer(&mut l, &cmd);
        assert_eq!(l.notifications, settings);
        apply_to_layer(
            &mut l,
            &EngineCommand::SetNotificationSettings { settings: NotificationSettings::default() },
        );
        assert_eq!(l.notifications, NotificationSettings::default());
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
