//! Teachers publishing from the app against the real server (loopback, demo institution): the
//! engine's edits of group documents (`EngineCommand::Edit`, applied with the same
//! `edits::apply_to_doc` as the app's engine) stand when the writer may make them and are
//! refused otherwise (staff manage every announcement, a teacher only their own); who
//! acknowledged an announcement; messages to a whole group.

use automerge::Automerge;
use cartable_shared::announcements::{Announcement, Announcements, Severity};
use cartable_shared::api::{Acknowledgements, GroupStudents, GroupThreadsCreated, SessionChange};
use cartable_shared::edits::{DocEdit, apply_to_doc};
use cartable_shared::homework::{Assignment, Homework};
use cartable_shared::ids::{DocId, DocKind};
use cartable_shared::me::MyLayer;
use cartable_shared::protocol::ErrorCode;
use cartable_shared::sync::{read, write};
use cartable_shared::thread::Thread;
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

/// A new account of `role` created by the demo administrator, signed in.
async fn new_account(server: &TestServer, login: &str, name: &str, role: &str) -> Account {
    let admin = Account::demo(server, "admin").await.unwrap();
    let resp = admin
        .request(Method::POST, "/api/admin/accounts")
        .json(&json!({
            "login": login, "display_name": name, "role": role,
            "password": "correct horse battery staple"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    Account::login(server, login, "correct horse battery staple").await.unwrap()
}

/// A teacher account that teaches no group of the demo institution.
async fn outside_teacher(server: &TestServer) -> Account {
    new_account(server, "nina.roy", "Nina Roy", "teacher").await
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
    // Another teacher's assignment may be neither removed nor taken over.
    let theirs = DocEdit::RemoveAssignment { id: "bdd-normalisation".into() };
    assert!(!publish(&mut teacher, &doc(HOMEWORK), &theirs).await);
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

/// Applies `edit` on a new device of `who` and returns the server's refusal. A device of its
/// own: a refused change stays in its device's history, and every later change of that
/// document there depends on it.
async fn refused(server: &TestServer, who: &Account, id: &DocId, edit: &DocEdit) -> String {
    let mut device = who.synced(server).await.unwrap();
    assert!(!publish(&mut device, id, edit).await, "{edit:?} was accepted");
    let (_, _, message) = device
        .errors
        .iter()
        .rev()
        .find(|(d, c, _)| d.as_ref() == Some(id) && *c == ErrorCode::Forbidden)
        .unwrap();
    message.clone()
}

#[tokio::test]
async fn staff_manage_every_announcement_and_a_teacher_only_their_own() {
    let server = TestServer::start().await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut teacher = paul.synced(&server).await.unwrap();
    let lea_account = Account::demo(&server, "lea.martin").await.unwrap();
    let mut lea = lea_account.synced(&server).await.unwrap();
    // A second member of the vie scolaire, besides the demo's `vie.scolaire`.
    let cpe = new_account(&server, "cpe.roux", "Agnès Roux", "staff").await;
    let mut staff = cpe.synced(&server).await.unwrap();

    let put = DocEdit::PutAnnouncement {
        id: "an-musee".into(),
        announcement: announcement("paul.durand"),
    };
    assert!(publish(&mut teacher, &doc(GROUP_ANNOUNCEMENTS), &put).await);
    staff
        .until_doc(&doc(GROUP_ANNOUNCEMENTS), |a: &Announcements| a.items.contains_key("an-musee"))
        .await
        .unwrap();

    // The staff member corrects the teacher's announcement: it stays his, and Léa reads the
    // correction.
    let mut corrected = announcement("paul.durand");
    corrected.title = "Sortie au musée : départ 8 h 30".into();
    let put = DocEdit::PutAnnouncement { id: "an-musee".into(), announcement: corrected.clone() };
    assert!(publish(&mut staff, &doc(GROUP_ANNOUNCEMENTS), &put).await);
    let seen: Announcements = lea
        .until_doc(&doc(GROUP_ANNOUNCEMENTS), |a: &Announcements| {
            a.items.get("an-musee").is_some_and(|n| n.title == corrected.title)
        })
        .await
        .unwrap();
    assert_eq!(seen.items["an-musee"].author, "paul.durand");

    // Withdrawing the teacher's and a colleague's announcements reaches Léa.
    let remove = DocEdit::RemoveAnnouncement { id: "an-musee".into() };
    assert!(publish(&mut staff, &doc(GROUP_ANNOUNCEMENTS), &remove).await);
    let remove = DocEdit::RemoveAnnouncement { id: "bibliotheque-horaires".into() };
    assert!(publish(&mut staff, &doc(EVERYONE), &remove).await);
    lea.until_doc(&doc(GROUP_ANNOUNCEMENTS), |a: &Announcements| !a.items.contains_key("an-musee"))
        .await
        .unwrap();
    lea.until_doc(&doc(EVERYONE), |a: &Announcements| {
        !a.items.contains_key("bibliotheque-horaires")
    })
    .await
    .unwrap();

    // Refused: the staff member taking a colleague's announcement over or publishing under a
    // colleague's name; the teacher changing or removing the vie scolaire's announcements to
    // his group.
    let before: Announcements = teacher.read(&doc(GROUP_ANNOUNCEMENTS)).unwrap();
    let delegues = before.items["delegues"].clone();
    assert_eq!(delegues.author, "vie.scolaire");
    let mut changed = before.items["salle-tp1"].clone();
    changed.title = "Salle TP 1 disponible".into();
    let put = |id: &str, announcement| DocEdit::PutAnnouncement { id: id.into(), announcement };
    let attempts = [
        (&cpe, GROUP_ANNOUNCEMENTS, put("delegues", announcement("cpe.roux")), "names another"),
        (&cpe, EVERYONE, put("an-faux", announcement("vie.scolaire")), "names another"),
        (&paul, GROUP_ANNOUNCEMENTS, put("salle-tp1", changed), "only its author"),
        (
            &paul,
            GROUP_ANNOUNCEMENTS,
            DocEdit::RemoveAnnouncement { id: "delegues".into() },
            "only its author",
        ),
    ];
    for (who, id, edit, why) in attempts {
        let message = refused(&server, who, &doc(id), &edit).await;
        assert!(message.contains(why), "{edit:?}: {message}");
    }

    // Nothing of the refused edits was stored: a new device of Léa's reads the announcements
    // as the accepted edits left them.
    let fresh = lea_account.synced(&server).await.unwrap();
    let group: Announcements = fresh.read(&doc(GROUP_ANNOUNCEMENTS)).unwrap();
    assert_eq!(group.items["delegues"], delegues);
    assert_eq!(group.items["salle-tp1"], before.items["salle-tp1"]);
    assert!(!group.items.contains_key("an-musee"));
    let everyone: Announcements = fresh.read(&doc(EVERYONE)).unwrap();
    assert!(!everyone.items.contains_key("bibliotheque-horaires"));
    assert!(!everyone.items.contains_key("an-faux"));
    assert!(everyone.items.contains_key("chauffage-batiment-b"));
}

async fn acks(account: &Account, audience: &str, id: &str) -> reqwest::Response {
    let path = format!("/api/announcements/{audience}/{id}/acknowledgements");
    account.request(Method::GET, &path).send().await.unwrap()
}

#[tokio::test]
async fn the_author_staff_and_admins_see_who_acknowledged_and_others_are_refused() {
    let server = TestServer::start().await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut teacher = paul.synced(&server).await.unwrap();
    let put = DocEdit::PutAnnouncement {
        id: "an-musee".into(),
        announcement: announcement("paul.durand"),
    };
    assert!(publish(&mut teacher, &doc(GROUP_ANNOUNCEMENTS), &put).await);

    // Before anyone acknowledged: every student of the group is pending, the author is not.
    let resp = acks(&paul, "l2-info-a", "an-musee").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let before: Acknowledgements = resp.json().await.unwrap();
    assert!(before.acknowledged.is_empty());
    assert_eq!(before.pending.len(), 30, "{:?}", before.pending);
    assert!(
        before.pending.iter().any(|p| p.user.as_str() == "lea.martin" && p.name == "Léa Martin")
    );
    assert!(!before.pending.iter().any(|p| p.user.as_str() == "paul.durand"));
    // In French order: `Maël` before `Manon` (byte order would put it after).
    let at = |name: &str| before.pending.iter().position(|p| p.name == name).expect(name);
    assert!(at("Maël Blanc") < at("Manon Garcia") && at("Manon Garcia") < at("Zoé André"));

    // Léa acknowledges it on her device (her `me` document, as the app does).
    let lea_account = Account::demo(&server, "lea.martin").await.unwrap();
    let mut lea = lea_account.synced(&server).await.unwrap();
    let me = DocId::me(&lea_account.me.user);
    lea.edit(&me, |am| {
        let mut layer: MyLayer = read(am).unwrap().unwrap();
        layer.acknowledged.insert("l2-info-a/an-musee".into(), 1_234_567);
        write(am, &layer).unwrap();
    })
    .await
    .unwrap();
    lea.until("the acknowledgement is stored", |c| c.session.unacked(&me).is_empty())
        .await
        .unwrap();

    let after: Acknowledgements = acks(&paul, "l2-info-a", "an-musee").await.json().await.unwrap();
    assert_eq!(after.acknowledged.len(), 1);
    assert_eq!(after.acknowledged[0].user.as_str(), "lea.martin");
    assert_eq!(after.acknowledged[0].at_ms, 1_234_567);
    assert_eq!(after.pending.len(), 29);
    assert!(!after.pending.iter().any(|p| p.user.as_str() == "lea.martin"));
    for login in ["vie.scolaire", "admin"] {
        let who = Account::demo(&server, login).await.unwrap();
        let resp = acks(&who, "l2-info-a", "an-musee").await;
        assert_eq!(resp.status(), StatusCode::OK, "{login}");
        let seen: Acknowledgements = resp.json().await.unwrap();
        assert_eq!(seen, after, "{login} sees the same list");
    }

    // Students, guardians and teachers of other groups may not; unknown ones are not found.
    let parent = Account::demo(&server, "parent.martin").await.unwrap();
    let nina = outside_teacher(&server).await;
    for (who, name) in [(&lea_account, "student"), (&parent, "guardian"), (&nina, "other teacher")]
    {
        let resp = acks(who, "l2-info-a", "an-musee").await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{name}");
    }
    let staff = Account::demo(&server, "vie.scolaire").await.unwrap();
    assert_eq!(acks(&paul, "l2-info-a", "no-such").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(acks(&staff, "no-such-group", "an-musee").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(acks(&staff, "Bad%20Scope", "an-musee").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_teacher_writes_to_each_student_of_a_group_taught_in_a_private_thread() {
    let server = TestServer::start().await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let lea_account = Account::demo(&server, "lea.martin").await.unwrap();
    let mut lea = lea_account.synced(&server).await.unwrap();
    let threads_before: Vec<DocId> =
        lea.session.documents().filter(|d| d.kind() == DocKind::Thread).cloned().collect();

    // Whom he may write to: the students of his group.
    let resp = paul.request(Method::GET, "/api/groups/l2-info-a/students").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let students: GroupStudents = resp.json().await.unwrap();
    assert_eq!(students.students.len(), 30);
    let resp =
        lea_account.request(Method::GET, "/api/groups/l2-info-a/students").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let message = json!({"subject": "Sortie de jeudi", "body": "Pensez à l'autorisation signée."});
    let resp = paul
        .request(Method::POST, "/api/groups/l2-info-a/threads")
        .json(&message)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: GroupThreadsCreated = resp.json().await.unwrap();
    assert_eq!(created.threads.len(), 30, "one thread per student");

    // Léa gets exactly one new thread, with the teacher alone: her reply goes to him only.
    lea.until("the new thread arrives", |c| {
        c.session.documents().any(|d| d.kind() == DocKind::Thread && !threads_before.contains(d))
    })
    .await
    .unwrap();
    let new: Vec<DocId> = lea
        .session
        .documents()
        .filter(|d| d.kind() == DocKind::Thread && !threads_before.contains(d))
        .cloned()
        .collect();
    assert_eq!(new.len(), 1);
    assert!(created.threads.contains(&new[0]));
    let thread: Thread = lea.until_doc(&new[0], |t: &Thread| !t.messages.is_empty()).await.unwrap();
    assert_eq!(thread.participants, ["lea.martin", "paul.durand"]);
    assert_eq!(thread.messages[0].body, "Pensez à l'autorisation signée.");

    // Refused: a student, a teacher of another group, an empty message; unknown group: 404.
    let nina = outside_teacher(&server).await;
    for (who, name) in [(&lea_account, "student"), (&nina, "other teacher")] {
        let resp = who
            .request(Method::POST, "/api/groups/l2-info-a/threads")
            .json(&message)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{name}");
    }
    let empty = json!({"subject": "Sortie", "body": "  "});
    let resp = paul
        .request(Method::POST, "/api/groups/l2-info-a/threads")
        .json(&empty)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let admin = Account::demo(&server, "admin").await.unwrap();
    let resp = admin
        .request(Method::POST, "/api/groups/no-such-group/threads")
        .json(&message)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    // One student: a teacher only writes to students of the groups they teach.
    let one = json!({"subject": "TP", "participants": ["lea.martin"], "body": "Bonjour"});
    let resp = nina.request(Method::POST, "/api/threads").json(&one).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = paul.request(Method::POST, "/api/threads").json(&one).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
}
