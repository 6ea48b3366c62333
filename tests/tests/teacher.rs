//! Teachers publishing from the app against the real server (loopback, demo institution): the
//! engine's edits of group documents (`EngineCommand::Edit`, applied with the same
//! `edits::apply_to_doc` as the app's engine) stand when the writer may make them and are
//! refused otherwise; who acknowledged an announcement; messages to a whole group.

use automerge::Automerge;
use cartable_shared::announcements::{Announcement, Announcements, Severity};
use cartable_shared::api::SessionChange;
use cartable_shared::edits::{DocEdit, apply_to_doc};
use cartable_shared::homework::{Assignment, Homework};
use cartable_shared::ids::DocId;
use cartable_shared::protocol::ErrorCode;
use cartable_shared::timetable::{SessionStatus, Timetable};
use cartable_tests::{Account, SyncClient, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

const TIMETABLE: &str = "timetable:l2-info-a";
const HOMEWORK: &str = "homework:l2-info-a";
const GROUP_ANNOUNCEMENTS: &str = "announcements:l2-info-a";
const EVERYONE: &str = "announcements:everyone";

fn doc(s: &str) -> DocId {
    s.parse().unwrap()
}

fn forbidden(client: &SyncClient, id: &DocId) -> usize {
    client
        .errors
        .iter()
        .filter(|(d, c, _)| d.as_ref() == Some(id) && *c == ErrorCode::Forbidden)
        .count()
}

/// Applies `edit` on the device as the app's engine does and waits for the server's verdict:
/// `true` if acknowledged, `false` if refused.
async fn publish(client: &mut SyncClient, id: &DocId, edit: &DocEdit) -> bool {
    let before = forbidden(client, id);
    let target = id.clone();
    client.edit(id, |am: &mut Automerge| apply_to_doc(am, &target, edit).unwrap()).await.unwrap();
    client
        .until(&format!("a verdict on the edit of {id}"), |c| {
            c.session.unacked(id).is_empty() || forbidden(c, id) > before
        })
        .await
        .unwrap();
    client.session.unacked(id).is_empty()
}

fn announcement(author: &str) -> Announcement {
    Announcement {
        title: "Sortie au musée".into(),
        body: "Départ 8 h devant l'université.".into(),
        severity: Severity::Warning,
        visible_from_ms: 0,
        visible_until_ms: None,
        ack_required: true,
        author: author.into(),
    }
}

fn assignment(author: &str) -> Assignment {
    Assignment {
        subject: "Algorithmique".into(),
        title: "TD 4".into(),
        text: "Exercices 1 à 3".into(),
        set_on_ms: 1,
        due_ms: 2,
        attachments: vec![],
        hand_in: true,
        author: author.into(),
    }
}

/// A teacher account that teaches no group of the demo institution.
async fn outside_teacher(server: &TestServer) -> Account {
    let admin = Account::demo(server, "admin").await.unwrap();
    let resp = admin
        .request(Method::POST, "/api/admin/accounts")
        .json(&json!({
            "login": "nina.roy", "display_name": "Nina Roy", "role": "teacher",
            "password": "correct horse battery staple"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    Account::login(server, "nina.roy", "correct horse battery staple").await.unwrap()
}

#[tokio::test]
async fn a_teachers_edits_of_groups_taught_reach_students_and_others_are_refused() {
    let server = TestServer::start().await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut teacher = paul.synced(&server).await.unwrap();
    let mut lea =
        Account::demo(&server, "lea.martin").await.unwrap().synced(&server).await.unwrap();

    // Cancel a session of the group he teaches: stored, and Léa's open device gets it.
    let tt: Timetable = teacher.read(&doc(TIMETABLE)).unwrap();
    let (session, _) =
        tt.sessions.iter().find(|(_, s)| s.status == SessionStatus::Scheduled).unwrap();
    let cancel = DocEdit::Session {
        session: session.clone(),
        change: SessionChange::Cancel { note: Some("Grève".into()) },
    };
    assert!(publish(&mut teacher, &doc(TIMETABLE), &cancel).await);
    let seen: Timetable = lea
        .until_doc(&doc(TIMETABLE), |t: &Timetable| {
            t.sessions[session].status == SessionStatus::Cancelled
        })
        .await
        .unwrap();
    assert_eq!(seen.sessions[session].note.as_deref(), Some("Grève"));

    // Homework and an announcement to his group stand.
    let put = DocEdit::PutAssignment { id: "hw-td4".into(), assignment: assignment("paul.durand") };
    assert!(publish(&mut teacher, &doc(HOMEWORK), &put).await);
    let put = DocEdit::PutAnnouncement {
        id: "an-musee".into(),
        announcement: announcement("paul.durand"),
    };
    assert!(publish(&mut teacher, &doc(GROUP_ANNOUNCEMENTS), &put).await);
    lea.until_doc(&doc(HOMEWORK), |h: &Homework| h.assignments.contains_key("hw-td4"))
        .await
        .unwrap();
    lea.until_doc(&doc(GROUP_ANNOUNCEMENTS), |a: &Announcements| a.items.contains_key("an-musee"))
        .await
        .unwrap();

    // An announcement to everyone is for staff and admins: refused, and undone on a new device.
    let to_all =
        DocEdit::PutAnnouncement { id: "an-all".into(), announcement: announcement("paul.durand") };
    assert!(!publish(&mut teacher, &doc(EVERYONE), &to_all).await);
    // An entry signed with someone else's name is refused too.
    let forged =
        DocEdit::PutAssignment { id: "hw-x".into(), assignment: assignment("sophie.bernard") };
    assert!(!publish(&mut teacher, &doc(HOMEWORK), &forged).await);
    let fresh = paul.synced(&server).await.unwrap();
    let everyone: Announcements = fresh.read(&doc(EVERYONE)).unwrap();
    assert!(!everyone.items.contains_key("an-all"));
    let homework: Homework = fresh.read(&doc(HOMEWORK)).unwrap();
    assert!(
        homework.assignments.contains_key("hw-td4") && !homework.assignments.contains_key("hw-x")
    );
}

#[tokio::test]
async fn a_teacher_who_does_not_teach_the_group_cannot_change_its_timetable() {
    let server = TestServer::start().await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap().synced(&server).await.unwrap();
    let nina = outside_teacher(&server).await;
    let mut device = nina.synced(&server).await.unwrap();
    // Teachers may read every group's timetable; a device that does not hold it yet (or a
    // modified app) takes a copy, and sends an edit of it anyway.
    if device.session.document(&doc(TIMETABLE)).is_none() {
        let bytes = lea.session.save(&doc(TIMETABLE)).unwrap();
        device.session.restore(doc(TIMETABLE), &bytes, []).unwrap();
    }
    let tt: Timetable = device.read(&doc(TIMETABLE)).unwrap();
    let (session, _) =
        tt.sessions.iter().find(|(_, s)| s.status == SessionStatus::Scheduled).unwrap();
    let cancel =
        DocEdit::Session { session: session.clone(), change: SessionChange::Cancel { note: None } };
    assert!(!publish(&mut device, &doc(TIMETABLE), &cancel).await);
    let (_, _, message) = device
        .errors
        .iter()
        .rev()
        .find(|(d, c, _)| d.as_ref() == Some(&doc(TIMETABLE)) && *c == ErrorCode::Forbidden)
        .unwrap();
    assert!(!message.is_empty());
    // Nothing changed on the server.
    let fresh = Account::demo(&server, "lea.martin").await.unwrap().synced(&server).await.unwrap();
    let stored: Timetable = fresh.read(&doc(TIMETABLE)).unwrap();
    assert_eq!(stored.sessions[session].status, SessionStatus::Scheduled);
}
