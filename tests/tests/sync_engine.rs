//! The sync engine against the real server (loopback, demo institution): who receives and who
//! may change which document (DESIGN §2), forged messages, live membership changes, resuming
//! after a reconnect, and flood control.

use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash};
use cartable_shared::announcements::{Announcement, Announcements, Severity};
use cartable_shared::api::SessionChange;
use cartable_shared::gradebook::{Gradebook, GradebookAssessment, Score};
use cartable_shared::grades::{Assessment, Grades};
use cartable_shared::homework::{Assignment, Homework};
use cartable_shared::ids::{DocId, DocKind};
use cartable_shared::library::{Library, LibraryItem};
use cartable_shared::me::MyLayer;
use cartable_shared::protocol::{ClientFrame, ErrorCode, ServerFrame};
use cartable_shared::sync::{read, write};
use cartable_shared::thread::{Thread, ThreadMessage};
use cartable_shared::timetable::{SessionStatus, Timetable};
use cartable_tests::{Account, SyncClient, TestServer, demo};

const TIMETABLE: &str = "timetable:l2-info-a";
const HOMEWORK: &str = "homework:l2-info-a";
const GRADES: &str = "grades:lea.martin";
const LIBRARY: &str = "library:l2-info-a";
const ANNOUNCEMENTS: &str = "announcements:everyone";
const GROUP_ANNOUNCEMENTS: &str = "announcements:l2-info-a";
const THREAD: &str = "thread:lea-paul-projet";
const ME: &str = "me:lea.martin";
const GRADEBOOK: &str = "gradebook:l2-info-a";

fn doc(s: &str) -> DocId {
    s.parse().unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    None,
    Read,
    Write,
}
use Expect::{None as N, Read as R, Write as W};

/// One document of every kind, and what each demo role may do with it (DESIGN §2, as the
/// server's rules read it: staff read the groups' documents and publish announcements;
/// threads and `me` layers are private even to administrators).
/// Columns: student (lea.martin), guardian (parent.martin, her parent), teacher (paul.durand,
/// teaches the group), staff (vie.scolaire), admin.
const MATRIX: &[(&str, [Expect; 5])] = &[
    (TIMETABLE, [R, R, W, R, W]),
    (HOMEWORK, [R, R, W, R, W]),
    (GRADES, [R, R, W, N, W]),
    (LIBRARY, [R, R, W, R, W]),
    (ANNOUNCEMENTS, [R, R, R, W, W]),
    (THREAD, [W, N, W, N, N]),
    (ME, [W, N, N, N, N]),
    (GRADEBOOK, [N, N, W, N, W]),
];
const ROLES: [&str; 5] = ["lea.martin", "parent.martin", "paul.durand", "vie.scolaire", "admin"];

fn sorted_heads(doc: &Automerge) -> Vec<ChangeHash> {
    let mut h = doc.get_heads();
    h.sort();
    h
}

fn heads_of(client: &SyncClient, id: &DocId) -> Vec<ChangeHash> {
    client.session.document(id).map(sorted_heads).unwrap_or_default()
}

/// A change `user` is entitled to make to a document of `id`'s kind (if they may write it).
fn valid_edit(user: &str, id: &DocId, doc: &mut Automerge) {
    let key = format!("matrix-{user}");
    match id.kind() {
        DocKind::Timetable => {
            let mut t: Timetable = read(doc).unwrap().unwrap();
            let s = t.sessions.values_mut().next().unwrap();
            s.note = Some(format!("Note de {user}"));
            write(doc, &t).unwrap();
        }
        DocKind::Homework => {
            let mut h: Homework = read(doc).unwrap().unwrap();
            h.assignments.insert(
                key,
                Assignment {
                    subject: "Algorithmique".into(),
                    title: "Exercice supplémentaire".into(),
                    text: "Relire le chapitre 4.".into(),
                    set_on_ms: 1_764_000_000_000,
                    due_ms: 1_764_600_000_000,
                    attachments: vec![],
                    hand_in: false,
                    author: user.into(),
                },
            );
            write(doc, &h).unwrap();
        }
        DocKind::Grades => {
            let mut g: Grades = read(doc).unwrap().unwrap();
            g.assessments.insert(
                key,
                Assessment {
                    subject: "Algorithmique".into(),
                    title: "Interrogation surprise".into(),
                    date_ms: 1_764_000_000_000,
                    score: Some(15.0),
                    out_of: 20.0,
                    coefficient: 1.0,
                    comment: None,
                    author: user.into(),
                    published_ms: Some(1_764_000_000_000),
                },
            );
            write(doc, &g).unwrap();
        }
        DocKind::Library => {
            let mut l: Library = read(doc).unwrap().unwrap();
            l.items.insert(
                key.clone(),
                LibraryItem {
                    title: "Fiche de révision".into(),
                    subject: "Algorithmique".into(),
                    kind: "fiche".into(),
                    language: "fr".into(),
                    size: 1234,
                    sha256: "0".repeat(64),
                    added_ms: 1_764_000_000_000,
                    author: user.into(),
                },
            );
            write(doc, &l).unwrap();
        }
        DocKind::Announcements => {
            let mut a: Announcements = read(doc).unwrap().unwrap();
            a.items.insert(
                key,
                Announcement {
                    title: "Fermeture exceptionnelle".into(),
                    body: "Le campus ferme à 18 h vendredi.".into(),
                    severity: Severity::Information,
                    visible_from_ms: 1_764_000_000_000,
                    visible_until_ms: None,
                    ack_required: false,
                    author: user.into(),
                },
            );
            write(doc, &a).unwrap();
        }
        DocKind::Thread => {
            let mut t: Thread = read(doc).unwrap().unwrap();
            t.messages.push(ThreadMessage {
                id: key,
                author: user.into(),
                sent_ms: 1_764_000_000_000,
                body: "Merci pour votre réponse.".into(),
            });
            write(doc, &t).unwrap();
        }
        DocKind::Me => {
            let mut m: MyLayer = read(doc).unwrap().unwrap();
            m.notes.insert(key, "Penser à réviser".into());
            write(doc, &m).unwrap();
        }
        DocKind::Gradebook => {
            let mut b: Gradebook = read(doc).unwrap().unwrap();
            let scores =
                [("lea.martin".to_owned(), Score { score: Some(12.0), comment: "".into() })];
            b.assessments.insert(
                key,
                GradebookAssessment {
                    subject: "Algorithmique".into(),
                    title: "Interrogation à venir".into(),
                    date_ms: 1_764_000_000_000,
                    out_of: 20.0,
                    coefficient: 1.0,
                    author: user.into(),
                    publish_at_ms: None,
                    published_ms: None,
                    scores: scores.into_iter().collect(),
                },
            );
            write(doc, &b).unwrap();
        }
    }
}

/// The first sync message of a device that holds nothing.
fn first_message() -> Vec<u8> {
    Automerge::new().generate_sync_message(&mut sync::State::new()).unwrap().encode()
}

fn count_errors(client: &SyncClient, id: &DocId, code: ErrorCode) -> usize {
    client.errors.iter().filter(|(d, c, _)| d.as_ref() == Some(id) && *c == code).count()
}

/// Asks for a document the device may not read: answered NotFound, nothing received.
async fn assert_not_found(client: &mut SyncClient, id: &DocId) -> anyhow::Result<()> {
    let before = count_errors(client, id, ErrorCode::NotFound);
    client.send_raw(ClientFrame::Sync { doc: id.clone(), data: first_message() }.encode()).await?;
    client
        .until(&format!("NotFound for {id}"), |c| count_errors(c, id, ErrorCode::NotFound) > before)
        .await?;
    assert!(client.session.document(id).is_none_or(|d| d.get_heads().is_empty()));
    Ok(())
}

/// Applies a local edit and waits for the server's verdict: `true` if acknowledged, `false`
/// if refused with Forbidden.
async fn push(
    client: &mut SyncClient,
    id: &DocId,
    f: impl FnOnce(&mut Automerge),
) -> anyhow::Result<bool> {
    let forbidden = count_errors(client, id, ErrorCode::Forbidden);
    client.edit(id, f).await?;
    client
        .until(&format!("a verdict on the change of {id}"), |c| {
            c.session.unacked(id).is_empty()
                || count_errors(c, id, ErrorCode::Forbidden) > forbidden
        })
        .await?;
    Ok(client.session.unacked(id).is_empty())
}

#[tokio::test]
async fn every_role_receives_and_writes_every_document_kind_exactly_as_design_section_2_says() {
    let server = TestServer::start().await.unwrap();
    for (col, login) in ROLES.iter().enumerate() {
        let account = Account::demo(&server, login).await.unwrap();
        let mut device = account.synced(&server).await.unwrap();
        let welcome = device.welcome.clone().unwrap();
        let mut stored: Vec<(DocId, Vec<ChangeHash>)> = Vec::new();
        for (doc_id, row) in MATRIX {
            let id = doc(doc_id);
            let expect = row[col];
            assert_eq!(welcome.contains(&id), expect != N, "{login} is told of {id}: {expect:?}");
            if expect == N {
                assert_not_found(&mut device, &id).await.unwrap();
                continue;
            }
            let before = heads_of(&device, &id);
            assert!(!before.is_empty(), "{login} received the content of {id}");
            let accepted = push(&mut device, &id, |d| valid_edit(login, &id, d)).await.unwrap();
            assert_eq!(accepted, expect == W, "{login} writing {id}: expected {expect:?}");
            if accepted {
                stored.push((id.clone(), heads_of(&device, &id)));
            } else {
                stored.push((id.clone(), before));
            }
        }
        // What the server stored, seen by a new device of the same account.
        let fresh = account.synced(&server).await.unwrap();
        for (id, heads) in stored {
            assert_eq!(heads_of(&fresh, &id), heads, "{login}: {id} as stored");
        }
        device.close().await.unwrap();
        fresh.close().await.unwrap();
    }
}

/// Sends `forger`'s own sync messages for `id` built from `doc`, as a device that believes the
/// server holds nothing: the message carries every change of `doc`.
async fn push_forged(forger: &mut SyncClient, id: &DocId, doc: &Automerge) -> anyhow::Result<()> {
    let (mut mine, mut theirs) = (sync::State::new(), sync::State::new());
    let mut empty = Automerge::new();
    let first = doc.generate_sync_message(&mut mine).unwrap();
    empty.receive_sync_message(&mut theirs, first)?;
    let answer = empty.generate_sync_message(&mut theirs).unwrap();
    doc.clone().receive_sync_message(&mut mine, answer)?;
    let with_changes = doc.generate_sync_message(&mut mine).unwrap();
    assert!(!with_changes.changes.is_empty());
    forger
        .send_raw(ClientFrame::Sync { doc: id.clone(), data: with_changes.encode() }.encode())
        .await
}

#[tokio::test]
async fn forged_changes_are_refused_and_leave_the_stored_documents_untouched() {
    let server = TestServer::start().await.unwrap();
    let lea_account = Account::demo(&server, "lea.martin").await.unwrap();
    let paul_account = Account::demo(&server, "paul.durand").await.unwrap();
    let mut lea = lea_account.synced(&server).await.unwrap();
    let mut paul = paul_account.synced(&server).await.unwrap();
    let ids = [doc(GRADES), doc(TIMETABLE), doc(THREAD), doc(ME)];
    let before: Vec<Vec<ChangeHash>> = ids.iter().map(|id| heads_of(&lea, id)).collect();

    // A student raises her own grade.
    let refused = !push(&mut lea, &doc(GRADES), |d| {
        let mut g: Grades = read(d).unwrap().unwrap();
        g.assessments.get_mut("algo-partiel").unwrap().score = Some(20.0);
        write(d, &g).unwrap();
    })
    .await
    .unwrap();
    assert!(refused, "a student may not change a grade");

    // A reader cancels a class.
    let refused = !push(&mut lea, &doc(TIMETABLE), |d| {
        let mut t: Timetable = read(d).unwrap().unwrap();
        t.sessions.values_mut().for_each(|s| s.status = SessionStatus::Cancelled);
        write(d, &t).unwrap();
    })
    .await
    .unwrap();
    assert!(refused, "a reader may not change the timetable");

    // A participant rewrites the teacher's message.
    let refused = !push(&mut lea, &doc(THREAD), |d| {
        let mut t: Thread = read(d).unwrap().unwrap();
        let m = t.messages.iter_mut().find(|m| m.author == "paul.durand").unwrap();
        m.body = "Le projet est annulé, pas besoin de le rendre.".into();
        write(d, &t).unwrap();
    })
    .await
    .unwrap();
    assert!(refused, "a thread message may not be rewritten");

    // The connection stays usable for her other documents.
    let accepted =
        push(&mut lea, &doc(ME), |d| valid_edit("lea.martin", &doc(ME), d)).await.unwrap();
    assert!(accepted, "her own me layer still accepts her changes");
    let me_after = heads_of(&lea, &doc(ME));

    // A teacher of algorithms changes a databases grade.
    let refused = !push(&mut paul, &doc(GRADES), |d| {
        let mut g: Grades = read(d).unwrap().unwrap();
        g.assessments.get_mut("bdd-cc1").unwrap().score = Some(2.0);
        write(d, &g).unwrap();
    })
    .await
    .unwrap();
    assert!(refused, "a teacher may only touch grades of their own subjects");

    // A teacher impersonates the student in the thread (a new message under her name).
    let mut impostor = paul_account.synced(&server).await.unwrap();
    let refused = !push(&mut impostor, &doc(THREAD), |d| {
        let mut t: Thread = read(d).unwrap().unwrap();
        t.messages.push(ThreadMessage {
            id: "fake".into(),
            author: "lea.martin".into(),
            sent_ms: 1_764_000_000_000,
            body: "Je renonce au projet.".into(),
        });
        write(d, &t).unwrap();
    })
    .await
    .unwrap();
    assert!(refused, "a message carries its true author");

    // Another user writes into the student's me layer with changes in the first message.
    let mut forged = Automerge::new();
    let layer = MyLayer {
        schema: 1,
        user: "lea.martin".into(),
        notes: [("forged".to_string(), "écrit par un autre".to_string())].into(),
        ..MyLayer::default()
    };
    write(&mut forged, &layer).unwrap();
    push_forged(&mut paul, &doc(ME), &forged).await.unwrap();
    paul.until("NotFound for the foreign me layer", |c| {
        count_errors(c, &doc(ME), ErrorCode::NotFound) > 0
    })
    .await
    .unwrap();

    // Everything as it was (the me layer only with her own change), seen by a new device.
    let fresh = lea_account.synced(&server).await.unwrap();
    for (id, heads) in ids.iter().zip(&before) {
        let expected = if *id == doc(ME) { &me_after } else { heads };
        assert_eq!(&heads_of(&fresh, id), expected, "{id} untouched");
    }
    let me: MyLayer = fresh.read(&doc(ME)).unwrap();
    assert!(!me.notes.contains_key("forged"));
    let grades: Grades = fresh.read(&doc(GRADES)).unwrap();
    assert_ne!(grades.assessments["bdd-cc1"].score, Some(2.0));
}

async fn membership(admin: &Account, method: reqwest::Method, user: &str) -> reqwest::StatusCode {
    let path = format!("/api/groups/{}/members/{user}", demo::GROUP);
    admin.request(method, &path).send().await.unwrap().status()
}

fn revoked(client: &SyncClient, id: &DocId) -> bool {
    client.frames.iter().any(|f| matches!(f, ServerFrame::Revoked { doc } if doc == id))
}

#[tokio::test]
async fn removing_a_student_from_a_group_revokes_its_documents_on_live_connections() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let lea_account = Account::demo(&server, "lea.martin").await.unwrap();
    let mut lea = lea_account.synced(&server).await.unwrap();
    let mut parent =
        Account::demo(&server, "parent.martin").await.unwrap().synced(&server).await.unwrap();
    let timetable: Timetable = lea.read(&doc(TIMETABLE)).unwrap();
    let (session, _) =
        timetable.sessions.iter().find(|(_, s)| s.status == SessionStatus::Scheduled).unwrap();

    assert_eq!(membership(&paul, reqwest::Method::DELETE, "lea.martin").await, 403);
    assert_eq!(membership(&admin, reqwest::Method::DELETE, "nobody").await, 404);
    assert_eq!(membership(&admin, reqwest::Method::DELETE, "lea.martin").await, 204);

    let group_docs = [doc(TIMETABLE), doc(HOMEWORK), doc(LIBRARY), doc(GROUP_ANNOUNCEMENTS)];
    lea.until("the group's documents are revoked", |c| group_docs.iter().all(|d| revoked(c, d)))
        .await
        .unwrap();
    parent
        .until("her parent loses them too", |c| group_docs.iter().all(|d| revoked(c, d)))
        .await
        .unwrap();
    for d in &group_docs {
        assert!(lea.session.document(d).is_none(), "{d} dropped");
    }
    for d in [doc(GRADES), doc(ME), doc(THREAD), doc(ANNOUNCEMENTS)] {
        assert!(lea.session.document(&d).is_some(), "{d} kept");
    }

    // A change of the timetable no longer reaches her; asking for it is answered NotFound.
    let frames_before = lea.frames.len();
    let cancel = SessionChange::Cancel { note: Some("Grève des transports".into()) };
    let path = format!("/api/timetable/{}/sessions/{session}", demo::GROUP);
    let resp = paul.request(reqwest::Method::POST, &path).json(&cancel).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    lea.quiet(Duration::from_millis(500)).await.unwrap();
    assert!(
        !lea.frames[frames_before..]
            .iter()
            .any(|f| matches!(f, ServerFrame::Sync { doc: d, .. } if *d == doc(TIMETABLE))),
        "no timetable frame after the revocation"
    );
    assert_not_found(&mut lea, &doc(TIMETABLE)).await.unwrap();

    // Back in the group: a new Welcome, and the timetable with the cancellation.
    assert_eq!(membership(&admin, reqwest::Method::PUT, "lea.martin").await, 204);
    let welcomes = |c: &SyncClient| {
        c.frames.iter().filter(|f| matches!(f, ServerFrame::Welcome { .. })).count()
    };
    lea.until("a second Welcome", |c| welcomes(c) == 2).await.unwrap();
    assert!(lea.welcome.as_ref().unwrap().contains(&doc(TIMETABLE)));
    let t: Timetable = lea
        .until_doc(&doc(TIMETABLE), |t: &Timetable| {
            t.sessions[session.as_str()].status == SessionStatus::Cancelled
        })
        .await
        .unwrap();
    assert_eq!(t.sessions[session.as_str()].note.as_deref(), Some("Grève des transports"));
}

#[tokio::test]
async fn a_device_reconnecting_with_its_session_receives_only_what_it_lacks() {
    let server = TestServer::start().await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let first = lea.synced(&server).await.unwrap();
    let first_bytes = first.sync_bytes[&doc(TIMETABLE)];
    let held = heads_of(&first, &doc(TIMETABLE));
    let documents = first.disconnect().await.unwrap();

    let mut second = SyncClient::connect_with(&server, Some(&lea.cookie), documents).await.unwrap();
    second.settle().await.unwrap();
    let second_bytes = second.sync_bytes.get(&doc(TIMETABLE)).copied().unwrap_or(0);
    assert_eq!(heads_of(&second, &doc(TIMETABLE)), held);
    assert!(
        second_bytes * 20 < first_bytes,
        "a reconnect received {second_bytes} bytes of timetable, the first sync {first_bytes}"
    );
}

#[tokio::test]
async fn a_flood_of_frames_is_rate_limited_and_sustained_abuse_closes_the_connection() {
    let server = TestServer::start().await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let mut device = lea.synced(&server).await.unwrap();
    let frame = ClientFrame::Sync { doc: doc("timetable:m1-maths"), data: first_message() };
    // More than the burst the server allows (2,000 frames), faster than its sustained rate.
    for _ in 0..3000 {
        device.send_raw(frame.encode()).await.unwrap();
    }
    device
        .until("a RateLimited error", |c| {
            c.errors.iter().any(|(_, code, _)| *code == ErrorCode::RateLimited)
        })
        .await
        .unwrap();
    // Keep flooding: the server gives up on this device.
    for _ in 0..20_000 {
        if device.send_raw(frame.encode()).await.is_err() {
            break;
        }
    }
    assert!(device.closed_by_server().await, "a sustained flood closes the connection");
    // The close frame (1008, policy) may be lost to the TCP reset caused by the frames still
    // in flight; what must not happen is a close for lagging (1001).
    assert!(
        matches!(device.close_code, None | Some(1008)),
        "closed for the flood, not for lagging: {:?}",
        device.close_code
    );
}

#[tokio::test]
async fn a_new_thread_reaches_its_participants_live_and_nobody_else() {
    let server = TestServer::start().await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let mut paul =
        Account::demo(&server, "paul.durand").await.unwrap().synced(&server).await.unwrap();
    let mut parent =
        Account::demo(&server, "parent.martin").await.unwrap().synced(&server).await.unwrap();

    let bad = cartable_shared::api::NewThread {
        subject: "Seule".into(),
        participants: vec![],
        body: "Personne ?".into(),
    };
    let resp = lea.request(reqwest::Method::POST, "/api/threads").json(&bad).send().await.unwrap();
    assert_eq!(resp.status(), 400, "a thread needs someone else");

    let new = cartable_shared::api::NewThread {
        subject: "Absence au TP de vendredi".into(),
        participants: vec!["paul.durand".parse().unwrap()],
        body: "Bonjour, je serai absente vendredi (rendez-vous médical).".into(),
    };
    let resp = lea.request(reqwest::Method::POST, "/api/threads").json(&new).send().await.unwrap();
    assert_eq!(resp.status(), 201);
    let created: cartable_shared::api::ThreadCreated = resp.json().await.unwrap();

    let t: Thread =
        paul.until_doc(&created.doc, |t: &Thread| !t.messages.is_empty()).await.unwrap();
    assert_eq!(t.participants, ["lea.martin", "paul.durand"]);
    assert_eq!(t.messages[0].author, "lea.martin");
    // The teacher answers on the live connection.
    let accepted = push(&mut paul, &created.doc, |d| valid_edit("paul.durand", &created.doc, d))
        .await
        .unwrap();
    assert!(accepted);
    parent.quiet(Duration::from_millis(300)).await.unwrap();
    assert!(!parent.welcome.as_ref().unwrap().contains(&created.doc));
    assert_not_found(&mut parent, &created.doc).await.unwrap();
}
