//! The erasure of a deleted account, history included, against the real server: the documents
//! that named the student are rebuilt without history under a new epoch, a connected device
//! gets `Reset` and ends with a clean copy, and a device that was offline with an unsent edit
//! cannot bring the old history back but does not lose its edit.

use automerge::sync::SyncDoc;
use automerge::{Automerge, ReadDoc};
use cartable_shared::admin::{AccountDeleted, DELETED_AUTHOR};
use cartable_shared::erase::history_mentions;
use cartable_shared::gradebook::{Gradebook, Score};
use cartable_shared::ids::DocId;
use cartable_shared::protocol::{ClientFrame, ServerFrame};
use cartable_shared::sync::{read, write};
use cartable_shared::thread::{Thread, ThreadMessage};
use cartable_sync_server::store::Store;
use cartable_tests::{Account, SyncClient, TestServer, demo};
use reqwest::{Method, StatusCode};

const LOGIN: &str = "lea.martin";

/// Appends a message by `author` to the thread held in `doc`, as one change.
fn append(doc: &mut Automerge, id: &str, author: &str, body: &str) {
    let mut t: Thread = read(doc).unwrap().expect("the thread has content");
    t.messages.push(ThreadMessage {
        id: id.into(),
        author: author.into(),
        sent_ms: 1_764_000_000_000,
        body: body.into(),
    });
    write(doc, &t).unwrap();
}

/// The document as the server stores it (snapshot + changes), read from its SQLite file.
fn stored(store: &Store, id: &DocId) -> (Automerge, Vec<Vec<u8>>) {
    let who = id.clone();
    let s = store.read_blocking(move |dao| dao.load_document(&who)).unwrap().expect("stored");
    let mut doc = match &s.snapshot {
        Some(bytes) => Automerge::load(bytes).unwrap(),
        None => Automerge::new(),
    };
    doc.load_incremental(&s.changes.concat()).unwrap();
    let mut raw = s.changes.clone();
    raw.extend(s.snapshot);
    (doc, raw)
}

fn resets(client: &SyncClient, id: &DocId) -> Vec<u32> {
    client
        .frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Reset { doc, epoch } if doc == id => Some(*epoch),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_deleted_student_is_erased_from_thread_and_gradebook_histories_on_every_device() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let lea = Account::demo(&server, LOGIN).await.unwrap();
    let paul = Account::login_as_device(&server, "paul.durand", "phone").await.unwrap();
    let paul_laptop = Account::login_as_device(&server, "paul.durand", "laptop").await.unwrap();
    let thread_id: DocId = format!("thread:{}", demo::THREAD).parse().unwrap();
    let book_id: DocId = format!("gradebook:{}", demo::GROUP).parse().unwrap();

    // The student writes in the thread; her teacher gives her a score.
    let mut lea_device = lea.synced(&server).await.unwrap();
    lea_device.edit(&thread_id, |d| append(d, "lea-2", LOGIN, "Voici mon rapport")).await.unwrap();
    lea_device
        .until("her message is stored", |c| c.session.unacked(&thread_id).is_empty())
        .await
        .unwrap();
    let mut phone = paul.synced(&server).await.unwrap();
    let mut book: Gradebook = phone.read(&book_id).unwrap();
    let assessment = book.assessments.values_mut().next().expect("a demo assessment");
    assessment.scores.insert(LOGIN.into(), Score { score: Some(15.0), comment: "Bien".into() });
    phone.edit(&book_id, |d| write(d, &book).unwrap()).await.unwrap();
    phone.until("the score is stored", |c| c.session.unacked(&book_id).is_empty()).await.unwrap();
    phone
        .until_doc::<Thread>(&thread_id, |t| t.messages.iter().any(|m| m.id == "lea-2"))
        .await
        .unwrap();
    assert!(history_mentions(phone.session.document(&thread_id).unwrap(), LOGIN));
    assert!(history_mentions(phone.session.document(&book_id).unwrap(), LOGIN));

    // His laptop syncs, goes offline, and he writes a reply there that the server never sees.
    let laptop = paul_laptop.synced(&server).await.unwrap();
    let mut offline = laptop.disconnect().await.unwrap();
    let reply = |d: &mut Automerge| append(d, "paul-offline", "paul.durand", "Reçu, merci");
    offline.edit(&thread_id, reply).expect("the laptop holds the thread");
    let old_history: Vec<Vec<u8>> = offline
        .document(&thread_id)
        .unwrap()
        .get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    assert_eq!(offline.pending(), 1);

    let resp = admin
        .request(Method::DELETE, &format!("/api/admin/accounts/{LOGIN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let deleted: AccountDeleted = resp.json().await.unwrap();
    assert!(deleted.rebuilt >= 2, "thread and gradebook rebuilt: {deleted:?}");

    // (b) The connected phone is told, drops its copies, and syncs clean ones.
    phone
        .until("both documents are reset", |c| {
            resets(c, &thread_id) == [1] && resets(c, &book_id) == [1]
        })
        .await
        .unwrap();
    let thread = phone
        .until_doc::<Thread>(&thread_id, |t| t.participants.iter().any(|p| p == DELETED_AUTHOR))
        .await
        .unwrap();
    phone.quiet(std::time::Duration::from_millis(300)).await.unwrap();
    assert_eq!(phone.session.epoch(&thread_id), 1);
    assert!(!history_mentions(phone.session.document(&thread_id).unwrap(), LOGIN));
    assert!(thread.messages.iter().all(|m| m.author != LOGIN));
    let hers = thread.messages.iter().find(|m| m.id == "lea-2").expect("her message stays");
    assert_eq!((hers.author.as_str(), hers.body.as_str()), (DELETED_AUTHOR, "Voici mon rapport"));
    assert_eq!(thread.participants, [DELETED_AUTHOR, "paul.durand"]);
    let book: Gradebook = phone.read(&book_id).expect("the gradebook is back");
    assert!(!history_mentions(phone.session.document(&book_id).unwrap(), LOGIN));
    assert!(!book.roster.contains_key(LOGIN) && !book.roster.is_empty());
    assert!(book.assessments.values().all(|a| !a.scores.contains_key(LOGIN)));
    assert!(phone.errors.is_empty(), "{:?}", phone.errors);

    // (c) The laptop reconnects with its old copy. It first pushes its whole old history as
    // a forged sync message: the server merges none of it and tells it to reset.
    let mut laptop =
        SyncClient::connect_with(&server, Some(&paul_laptop.cookie), offline).await.unwrap();
    let mut forged = automerge::sync::Message::decode(
        &Automerge::new()
            .generate_sync_message(&mut automerge::sync::State::new())
            .unwrap()
            .encode(),
    )
    .unwrap();
    forged.changes = old_history.into();
    let frame = ClientFrame::Sync { doc: thread_id.clone(), data: forged.encode() };
    laptop.send_raw(frame.encode()).await.unwrap();
    laptop.until("the thread is reset", |c| c.session.epoch(&thread_id) == 1).await.unwrap();
    assert_eq!(laptop.session.pending(), 0, "its unsent change went with the old copy");
    let fresh = laptop
        .until_doc::<Thread>(&thread_id, |t| t.participants.iter().any(|p| p == DELETED_AUTHOR))
        .await
        .unwrap();
    assert!(fresh.messages.iter().all(|m| m.id != "paul-offline"));
    // The reply, kept as an intent, is applied again to the new copy and reaches the server.
    laptop.edit(&thread_id, reply).await.unwrap();
    laptop
        .until("the reply is stored", |c| c.session.unacked(&thread_id).is_empty())
        .await
        .unwrap();
    assert!(laptop.errors.is_empty(), "{:?}", laptop.errors);
    let seen = phone
        .until_doc::<Thread>(&thread_id, |t| t.messages.iter().any(|m| m.id == "paul-offline"))
        .await
        .unwrap();
    assert_eq!(seen.messages.len(), thread.messages.len() + 1);

    // (a) What the server stores: no change of either document names her, as a key or a
    // value, and not even her login's bytes remain in the stored changes.
    phone.close().await.unwrap();
    laptop.close().await.unwrap();
    let dir = server.data_dir().to_path_buf();
    let temp = server.stop().await.unwrap();
    let store = Store::open(&dir.join(cartable_sync_server::DATABASE_FILE)).unwrap();
    for id in [&thread_id, &book_id] {
        let (doc, raw) = stored(&store, id);
        assert!(!doc.get_heads().is_empty());
        assert!(!history_mentions(&doc, LOGIN), "{id} still names her");
        let needle = LOGIN.as_bytes();
        assert!(raw.iter().all(|b| !b.windows(needle.len()).any(|w| w == needle)), "{id}");
        let epoch = store.read_blocking(|dao| dao.document_epoch(id)).unwrap();
        assert_eq!(epoch, 1, "{id}");
    }
    let (doc, _) = stored(&store, &thread_id);
    let kept: Thread = read(&doc).unwrap().unwrap();
    assert!(kept.messages.iter().any(|m| m.id == "paul-offline"));
    assert_eq!(doc.get_changes(&[]).len(), 2, "the rebuild and the reply, nothing older");
    assert!(doc.length(automerge::ROOT) > 0);
    drop(temp);
}
