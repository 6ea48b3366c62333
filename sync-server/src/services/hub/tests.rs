//! The sync layer driven in memory: a real store in a temporary directory, the hub, and
//! devices played by `shared::sync::ClientSession` talking to [`Connection`]s.

use std::time::Duration;

use automerge::ReadDoc;
use cartable_shared::ids::DocId;
use cartable_shared::protocol::{ClientFrame, ErrorCode, ServerFrame};
use cartable_shared::roles::{Principal, Role};
use cartable_shared::sync::{ClientSession, read, write};
use cartable_shared::timetable::{Session, SessionKind, SessionStatus, Timetable};

use super::*;
use crate::services::sync::{Connection, Flow, Outbox};

const GROUP: &str = "g1";
/// The time of the hub's clock in these tests.
const NOW_MS: i64 = 1_764_000_000_000;

fn doc_id() -> DocId {
    format!("timetable:{GROUP}").parse().unwrap()
}

fn session(subject: &str) -> Session {
    Session {
        start_ms: 1_700_000_000_000,
        end_ms: 1_700_003_600_000,
        zone: "Europe/Paris".into(),
        subject: subject.into(),
        kind: SessionKind::Td,
        rooms: vec!["B012".into()],
        teachers: vec!["Paul Durand".into()],
        status: SessionStatus::Scheduled,
        probably: false,
        previous: None,
        note: None,
        source: "manual".into(),
    }
}

fn principal(user: &str, role: Role) -> Principal {
    let g = vec![GROUP.parse().unwrap()];
    let (groups, teaches) = match role {
        Role::Teacher => (vec![], g),
        _ => (g, vec![]),
    };
    Principal {
        user: user.parse().unwrap(),
        role,
        groups,
        teaches,
        wards: vec![],
        subjects: vec![],
    }
}

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    hub: Hub,
}

async fn world_with_compaction(compact_after: u64) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    let clock = Arc::new(crate::services::ManualClock::new(NOW_MS));
    let hub = Hub::with_compaction(store.clone(), CancellationToken::new(), clock, compact_after);
    let mut doc = Automerge::new();
    let mut t = Timetable::new(GROUP);
    t.sessions.insert("s1".into(), session("Algorithmique"));
    write(&mut doc, &t).unwrap();
    assert!(hub.create(&doc_id(), &doc, 0).await.unwrap());
    World { _dir: dir, store, hub }
}

async fn world() -> World {
    world_with_compaction(COMPACT_AFTER).await
}

/// A device: its session, and its connection on the server.
struct Device {
    client: ClientSession,
    conn: Connection,
    outbox: Outbox,
    errors: Vec<(Option<DocId>, ErrorCode, String)>,
    acks: usize,
}

impl Device {
    async fn connect(w: &World, who: Principal) -> Device {
        let (conn, outbox) = Connection::open(&w.hub, &w.store, who);
        let mut client = ClientSession::new();
        client.connected();
        let mut d = Device { client, conn, outbox, errors: vec![], acks: 0 };
        let welcome = ServerFrame::decode(&d.conn.welcome().await.unwrap()).unwrap();
        let out = d.client.receive(welcome).unwrap();
        d.send(out.send).await;
        d
    }

    async fn send(&mut self, frames: Vec<ClientFrame>) {
        for f in frames {
            assert_eq!(self.conn.on_binary(&f.encode()).await, Flow::Continue);
        }
    }

    /// Frames queued for the device, once the document's actor has handled everything sent
    /// before (its `inspect` answer is the barrier).
    async fn drain(&mut self, w: &World) -> Vec<ServerFrame> {
        self.drain_on(w, &doc_id()).await
    }

    /// [`Device::drain`] with the actor of `doc` as the barrier.
    async fn drain_on(&mut self, w: &World, doc: &DocId) -> Vec<ServerFrame> {
        let handle = w.hub.open(doc).await.unwrap().unwrap();
        tokio::time::timeout(Duration::from_secs(5), handle.inspect()).await.unwrap().unwrap();
        let mut frames = vec![];
        while let Ok(bytes) = self.outbox.frames.try_recv() {
            frames.push(ServerFrame::decode(&bytes).unwrap());
        }
        frames
    }

    /// Exchanges frames until the server has nothing more for this device.
    async fn settle(&mut self, w: &World) {
        self.settle_on(w, &doc_id()).await
    }

    /// [`Device::settle`] with the actor of `doc` as the barrier.
    async fn settle_on(&mut self, w: &World, doc: &DocId) {
        for _ in 0..50 {
            let frames = self.drain_on(w, doc).await;
            if frames.is_empty() {
                return;
            }
            for f in frames {
                if let ServerFrame::Ack { .. } = f {
                    self.acks += 1;
                }
                let out = self.client.receive(f).unwrap();
                self.errors.extend(out.errors);
                self.send(out.send).await;
            }
        }
        panic!("sync did not settle in 50 rounds");
    }

    fn timetable(&self) -> Timetable {
        read(self.client.document(&doc_id()).unwrap()).unwrap().unwrap()
    }

    async fn edit(&mut self, f: impl FnOnce(&mut Timetable)) {
        let (_, out) = self
            .client
            .edit(&doc_id(), |doc| {
                let mut t: Timetable = read(doc).unwrap().unwrap();
                f(&mut t);
                write(doc, &t).unwrap();
            })
            .unwrap();
        self.send(out.send).await;
    }
}

async fn server_timetable(w: &World) -> (Timetable, u64) {
    let id = doc_id();
    let (stored, count) = w
        .store
        .read(move |dao| {
            Ok::<_, StoreError>((dao.load_document(&id)?.unwrap(), dao.change_count(&id)?))
        })
        .await
        .unwrap();
    let doc = build_document(&doc_id(), &stored).unwrap();
    (read(&doc).unwrap().unwrap(), count)
}

#[tokio::test]
async fn a_device_receives_the_documents_it_may_read() {
    let w = world().await;
    let mut lea = Device::connect(&w, principal("lea", Role::Student)).await;
    lea.settle(&w).await;
    assert_eq!(lea.timetable().sessions["s1"].subject, "Algorithmique");
    assert!(lea.errors.is_empty());
}

#[tokio::test]
async fn welcome_lists_only_readable_existing_documents() {
    let w = world().await;
    let (outsider, _) = Connection::open(&w.hub, &w.store, {
        let mut p = principal("tom", Role::Student);
        p.groups = vec!["other".parse().unwrap()];
        p
    });
    assert_eq!(outsider.readable_documents().await.unwrap(), vec![]);
    let (member, _) = Connection::open(&w.hub, &w.store, principal("lea", Role::Student));
    assert_eq!(member.readable_documents().await.unwrap(), vec![doc_id()]);
}

#[tokio::test]
async fn reader_cannot_push_changes_and_the_document_is_untouched() {
    let w = world().await;
    let mut lea = Device::connect(&w, principal("lea", Role::Student)).await;
    lea.settle(&w).await;
    let before = w.hub.open(&doc_id()).await.unwrap().unwrap().inspect().await.unwrap().0;

    lea.edit(|t| {
        t.sessions.get_mut("s1").unwrap().status = SessionStatus::Cancelled;
    })
    .await;
    lea.settle(&w).await;

    assert!(
        lea.errors.iter().any(|(d, c, _)| *c == ErrorCode::Forbidden && d == &Some(doc_id())),
        "the reader is told: {:?}",
        lea.errors
    );
    assert_eq!(lea.acks, 0, "nothing acknowledged");
    let after = w.hub.open(&doc_id()).await.unwrap().unwrap().inspect().await.unwrap().0;
    assert_eq!(before, after, "the in-memory document is unchanged");
    let (stored, count) = server_timetable(&w).await;
    assert_eq!(stored.sessions["s1"].status, SessionStatus::Scheduled);
    assert_eq!(count, 1, "only the initial change is stored");

    // The connection stays usable: a later server change still reaches the reader.
    let mut prof = Device::connect(&w, principal("prof", Role::Teacher)).await;
    prof.settle(&w).await;
    prof.edit(|t| {
        t.sessions.insert("s2".into(), session("Réseaux"));
    })
    .await;
    prof.settle(&w).await;
    lea.settle(&w).await;
    assert!(lea.timetable().sessions.contains_key("s2"));
}

#[tokio::test]
async fn writer_changes_are_stored_acknowledged_and_fanned_out() {
    let w = world().await;
    let mut lea = Device::connect(&w, principal("lea", Role::Student)).await;
    let mut prof = Device::connect(&w, principal("prof", Role::Teacher)).await;
    lea.settle(&w).await;
    prof.settle(&w).await;

    prof.edit(|t| {
        t.sessions.get_mut("s1").unwrap().rooms = vec!["Amphi A".into()];
    })
    .await;
    prof.settle(&w).await;
    assert_eq!(prof.acks, 1);
    assert_eq!(prof.client.pending(), 0, "the Ack releases the pending change");
    assert!(prof.errors.is_empty(), "{:?}", prof.errors);

    let (stored, count) = server_timetable(&w).await;
    assert_eq!(stored.sessions["s1"].rooms, vec!["Amphi A".to_string()]);
    assert_eq!(count, 2);

    // Fan-out: the student's device is told without asking.
    let pushed = lea.drain(&w).await;
    assert!(pushed.iter().any(|f| matches!(f, ServerFrame::Sync { .. })));
    for f in pushed {
        let out = lea.client.receive(f).unwrap();
        lea.send(out.send).await;
    }
    lea.settle(&w).await;
    assert_eq!(lea.timetable().sessions["s1"].rooms, vec!["Amphi A".to_string()]);
}

#[tokio::test]
async fn unknown_and_unreadable_documents_get_the_same_not_found() {
    let w = world().await;
    let (mut conn, mut outbox) =
        Connection::open(&w.hub, &w.store, principal("lea", Role::Student));
    let data = {
        let mut s = automerge::sync::State::new();
        use automerge::sync::SyncDoc;
        Automerge::new().generate_sync_message(&mut s).unwrap().encode()
    };
    let unknown: DocId = "timetable:nope".parse().unwrap();
    let unreadable: DocId = "grades:someone-else".parse().unwrap();
    let frames = [&unknown, &unreadable].into_iter().flat_map(|doc| {
        [
            ClientFrame::Sync { doc: doc.clone(), data: data.clone() },
            ClientFrame::Reset { doc: doc.clone(), epoch: 1 },
        ]
    });
    for frame in frames {
        let (ClientFrame::Sync { doc, .. } | ClientFrame::Reset { doc, .. }) = &frame;
        assert_eq!(conn.on_binary(&frame.encode()).await, Flow::Continue);
        let reply = ServerFrame::decode(&outbox.frames.try_recv().unwrap()).unwrap();
        let ServerFrame::Error { doc: Some(d), code, message } = reply else {
            panic!("expected an error, got {reply:?}")
        };
        assert_eq!((&d, code, message.as_str()), (doc, ErrorCode::NotFound, "no such document"));
    }
    assert!(outbox.frames.try_recv().is_err(), "one error per frame, nothing else");
}

#[tokio::test]
async fn a_malformed_frame_closes_the_connection_with_an_error() {
    let w = world().await;
    let (mut conn, _outbox) = Connection::open(&w.hub, &w.store, principal("lea", Role::Student));
    let Flow::Close(last) = conn.on_binary(&[9, 9, 9]).await else { panic!("must close") };
    let ServerFrame::Error { code, .. } = ServerFrame::decode(&last).unwrap() else {
        panic!("an error frame")
    };
    assert_eq!(code, ErrorCode::Malformed);
    assert!(matches!(conn.on_text(), Flow::Close(_)));
}

#[tokio::test]
async fn an_invalid_automerge_message_is_refused_and_nothing_is_stored() {
    let w = world().await;
    let (mut conn, mut outbox) =
        Connection::open(&w.hub, &w.store, principal("prof", Role::Teacher));
    let frame = ClientFrame::Sync { doc: doc_id(), data: vec![0x42, 0xff, 0xff] };
    assert_eq!(conn.on_binary(&frame.encode()).await, Flow::Continue);
    let handle = w.hub.open(&doc_id()).await.unwrap().unwrap();
    handle.inspect().await.unwrap();
    let reply = ServerFrame::decode(&outbox.frames.try_recv().unwrap()).unwrap();
    assert!(matches!(reply, ServerFrame::Error { code: ErrorCode::InvalidData, .. }), "{reply:?}");
    assert_eq!(server_timetable(&w).await.1, 1);
}

#[tokio::test]
async fn a_writer_change_that_breaks_the_schema_is_refused_and_not_stored() {
    let w = world().await;
    let mut prof = Device::connect(&w, principal("prof", Role::Teacher)).await;
    prof.settle(&w).await;
    let (_, out) = prof
        .client
        .edit(&doc_id(), |doc| {
            use automerge::transaction::Transactable;
            let mut tx = doc.transaction();
            tx.put(automerge::ROOT, "group", "another-group").unwrap();
            tx.commit();
        })
        .unwrap();
    prof.send(out.send).await;
    prof.settle(&w).await;
    assert!(prof.errors.iter().any(|(_, c, _)| *c == ErrorCode::Forbidden), "{:?}", prof.errors);
    assert_eq!(prof.acks, 0);
    let (stored, count) = server_timetable(&w).await;
    assert_eq!(stored.group, GROUP);
    assert_eq!(count, 1);
}

#[tokio::test]
async fn new_devices_share_one_encoded_copy_of_the_document() {
    let w = world().await;
    let mut a = Device::connect(&w, principal("a", Role::Student)).await;
    let mut b = Device::connect(&w, principal("b", Role::Student)).await;
    // Only the timetable's answers: each device also has its own `me` document.
    let timetable_only = |frames: Vec<ServerFrame>| -> Vec<ServerFrame> {
        frames
            .into_iter()
            .filter(|f| matches!(f, ServerFrame::Sync { doc, .. } if *doc == doc_id()))
            .collect()
    };
    let fa = timetable_only(a.drain(&w).await);
    let fb = timetable_only(b.drain(&w).await);
    assert_eq!(fa.len(), 1);
    assert_eq!(fa, fb, "identical first answers");
    for (device, frames) in [(&mut a, fa), (&mut b, fb)] {
        for f in frames {
            let out = device.client.receive(f).unwrap();
            device.send(out.send).await;
        }
    }
    a.settle(&w).await;
    b.settle(&w).await;
    assert_eq!(a.timetable(), b.timetable());
}

#[tokio::test]
async fn a_service_edit_is_stored_and_reaches_connected_devices() {
    let w = world().await;
    let mut lea = Device::connect(&w, principal("lea", Role::Student)).await;
    lea.settle(&w).await;
    let handle = w.hub.open(&doc_id()).await.unwrap().unwrap();
    let out: Result<&str, ()> = handle
        .edit(|doc| {
            let mut t: Timetable = read(doc).unwrap().unwrap();
            t.sessions.get_mut("s1").unwrap().status = SessionStatus::Cancelled;
            write(doc, &t).unwrap();
            Ok("done")
        })
        .await
        .unwrap();
    assert_eq!(out, Ok("done"));
    lea.settle(&w).await;
    assert_eq!(lea.timetable().sessions["s1"].status, SessionStatus::Cancelled);
    assert_eq!(server_timetable(&w).await.1, 2);

    // An edit that gives up changes nothing.
    let refused: Result<(), &str> = handle
        .edit(|doc| {
            let mut t: Timetable = read(doc).unwrap().unwrap();
            t.sessions.clear();
            write(doc, &t).unwrap();
            Err("changed my mind")
        })
        .await
        .unwrap();
    assert_eq!(refused, Err("changed my mind"));
    assert_eq!(server_timetable(&w).await.0.sessions.len(), 1);
}

#[tokio::test]
async fn a_device_that_leaves_is_forgotten() {
    let w = world().await;
    let mut lea = Device::connect(&w, principal("lea", Role::Student)).await;
    lea.settle(&w).await;
    let handle = w.hub.open(&doc_id()).await.unwrap().unwrap();
    assert_eq!(handle.inspect().await.unwrap().1, 1);
    lea.conn.close().await;
    assert_eq!(handle.inspect().await.unwrap().1, 0);
}

#[tokio::test]
async fn compaction_folds_stored_changes_into_a_snapshot_without_losing_any() {
    let w = world_with_compaction(3).await;
    let mut prof = Device::connect(&w, principal("prof", Role::Teacher)).await;
    prof.settle(&w).await;
    for i in 0..6 {
        prof.edit(|t| {
            t.sessions.insert(format!("extra-{i}"), session("Anglais"));
        })
        .await;
        prof.settle(&w).await;
    }
    // The compaction runs in the background; wait for it, bounded.
    let mut count = u64::MAX;
    for _ in 0..100 {
        count = server_timetable(&w).await.1;
        if count <= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(count <= 3, "changes were folded into the snapshot ({count} left)");
    let id = doc_id();
    let snapshot = w.store.read(move |dao| dao.load_document(&id)).await.unwrap().unwrap().snapshot;
    assert!(snapshot.is_some());
    let (stored, _) = server_timetable(&w).await;
    assert_eq!(stored.sessions.len(), 7);
    assert_eq!(stored, prof.timetable());
    let heads = w.hub.open(&doc_id()).await.unwrap().unwrap().inspect().await.unwrap().0;
    let id = doc_id();
    let reloaded = build_document(
        &doc_id(),
        &w.store.read(move |dao| dao.load_document(&id)).await.unwrap().unwrap(),
    )
    .unwrap();
    assert_eq!(reloaded.get_heads(), heads);
    assert!(reloaded.length(automerge::ROOT) > 0);
}

#[tokio::test]
async fn a_stored_v0_document_without_schema_is_upgraded_to_the_current_version_when_loaded() {
    let w = world().await;
    // A `me` layer as an older version wrote it: no `schema` field, no containers.
    let id: DocId = "me:lea".parse().unwrap();
    let mut old = Automerge::new();
    {
        use automerge::transaction::Transactable;
        let mut tx = old.transaction();
        tx.put(automerge::ROOT, "user", "lea").unwrap();
        tx.commit();
    }
    assert!(w.hub.create(&id, &old, 0).await.unwrap());
    let handle = w.hub.open(&id).await.unwrap().unwrap();
    let (heads, _) = handle.inspect().await.unwrap();
    assert_eq!(heads.len(), 1);
    assert_ne!(heads, old.get_heads(), "the upgrade is a change of its own");

    // Stored before anyone saw it: a reload from SQLite is current and reads as the schema.
    let doc_id = id.clone();
    let stored = w.store.read(move |dao| dao.load_document(&doc_id)).await.unwrap().unwrap();
    let reloaded = build_document(&id, &stored).unwrap();
    let current = cartable_shared::me::ME_SCHEMA;
    assert_eq!(cartable_shared::upgrade::stored_version(&reloaded), Ok(current));
    let layer: cartable_shared::me::MyLayer = read(&reloaded).unwrap().unwrap();
    assert_eq!((layer.schema, layer.user.as_str()), (current, "lea"));
}

#[tokio::test]
async fn a_leaving_device_keeps_its_sync_state_for_its_session_and_resumes_from_it() {
    let w = world().await;
    let token = [7u8; 32];
    let lea: cartable_shared::ids::UserId = "lea".parse().unwrap();
    w.store
        .write(move |dao| {
            dao.insert_user(&crate::store::NewUser {
                id: &lea,
                display_name: "Léa",
                role: Role::Student,
                password_hash: "!",
                demo: false,
                created_ms: 0,
            })?;
            dao.insert_session(&token, &lea, 0, i64::MAX, None, None)
        })
        .await
        .unwrap();
    let (conn, outbox) =
        Connection::open_session(&w.hub, &w.store, principal("lea", Role::Student), Some(token));
    let mut client = ClientSession::new();
    client.connected();
    let mut d = Device { client, conn, outbox, errors: vec![], acks: 0 };
    let welcome = ServerFrame::decode(&d.conn.welcome().await.unwrap()).unwrap();
    let out = d.client.receive(welcome).unwrap();
    d.send(out.send).await;
    d.settle(&w).await;
    let Device { conn, client, .. } = d;
    conn.close().await;
    // The state is written in the background; wait for it, bounded.
    let mut kept = Vec::new();
    for _ in 0..100 {
        kept = w.store.read(move |dao| dao.sync_states(&token)).await.unwrap();
        if kept.iter().any(|(id, _)| *id == doc_id()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, state) = kept.iter().find(|(id, _)| *id == doc_id()).expect("state kept");
    let state = automerge::sync::State::decode(state).unwrap();
    let mut held = client.document(&doc_id()).unwrap().get_heads();
    let mut shared = state.shared_heads.clone();
    held.sort();
    shared.sort();
    assert_eq!(shared, held, "the server remembers what the device holds");

    // Reconnecting with the same session: the kept state is loaded for its documents.
    let (mut again, _outbox) =
        Connection::open_session(&w.hub, &w.store, principal("lea", Role::Student), Some(token));
    again.welcome().await.unwrap();
    assert!(again.has_kept_state(&doc_id()));
}

/// The events of the outbox, in order: (category, at_ms, about).
async fn outbox_events(w: &World) -> Vec<(String, i64, String)> {
    let rows = w.store.read(|dao| dao.push_events_to_expand(100)).await.unwrap();
    rows.iter()
        .map(|r| {
            let e: serde_json::Value = serde_json::from_str(&r.event).unwrap();
            let category = e["category"].as_str().unwrap().to_owned();
            (category, e["at_ms"].as_i64().unwrap(), e["about"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn each_change_is_diffed_against_the_one_before_it_and_stamped_by_the_servers_clock() {
    let w = world().await;
    let handle = w.hub.open(&doc_id()).await.unwrap().unwrap();
    let mut prof = Device::connect(&w, principal("prof", Role::Teacher)).await;
    prof.settle(&w).await;
    // 1. A service edit (the actor reads the current version, then keeps the edited one).
    handle
        .edit_by("prof".parse().unwrap(), |doc| {
            let mut t: Timetable = read(doc).unwrap().unwrap();
            t.sessions.get_mut("s1").unwrap().status = SessionStatus::Cancelled;
            t.sessions.insert("s2".into(), session("Anglais"));
            write(doc, &t).map_err(|_| ())
        })
        .await
        .unwrap()
        .unwrap();
    // 2. A device's change, made on what it holds after the edit.
    prof.settle(&w).await;
    prof.edit(|t| t.sessions.get_mut("s2").unwrap().rooms = vec!["C301".into()]).await;
    prof.settle(&w).await;
    assert!(prof.errors.is_empty(), "{:?}", prof.errors);
    // 3. A refused change leaves the kept version as it was.
    let refused =
        handle.edit(|doc| write(doc, &Timetable::new("another-group")).map_err(|_| ())).await;
    assert!(matches!(refused, Err(HubError::Rule(_))), "{refused:?}");
    // 4. Another service edit.
    handle
        .edit(|doc| {
            let mut t: Timetable = read(doc).unwrap().unwrap();
            t.sessions.get_mut("s2").unwrap().status = SessionStatus::Cancelled;
            write(doc, &t).map_err(|_| ())
        })
        .await
        .unwrap()
        .unwrap();
    let about = |s: &str| format!("{}/{s}", doc_id());
    assert_eq!(
        outbox_events(&w).await,
        [
            ("class_cancelled".to_owned(), NOW_MS, about("s1")),
            ("room_changed".to_owned(), NOW_MS, about("s2")),
            ("class_cancelled".to_owned(), NOW_MS, about("s2")),
        ],
        "one event per change, none repeated from an earlier change"
    );
    assert_eq!(server_timetable(&w).await.0.sessions["s2"].rooms, ["C301"]);
}

#[tokio::test]
async fn a_rebuild_replaces_the_history_resets_devices_and_ignores_their_old_epoch() {
    let w = world().await;
    let mut paul = Device::connect(&w, principal("paul", Role::Teacher)).await;
    paul.settle(&w).await;
    paul.edit(|t| {
        t.sessions.insert("s2".into(), session("Réseaux"));
    })
    .await;
    paul.settle(&w).await;
    let old: Vec<automerge::ChangeHash> = paul
        .client
        .document(&doc_id())
        .unwrap()
        .get_changes(&[])
        .iter()
        .map(|c| c.hash())
        .collect();
    assert_eq!(server_timetable(&w).await.1, 2);

    // The rebuild: the same value in one change of the server's actor for epoch 1.
    let handle = w.hub.open(&doc_id()).await.unwrap().unwrap();
    let epoch = handle
        .rebuild(|doc, epoch| {
            let value: Timetable = read(doc).map_err(|e| e.to_string())?.ok_or("empty")?;
            let mut fresh =
                Automerge::new().with_actor(cartable_shared::erase::server_actor(epoch));
            write(&mut fresh, &value).map_err(|e| e.to_string())?;
            Ok(Some(fresh))
        })
        .await
        .unwrap();
    assert_eq!(epoch, Some(1));
    let (value, count) = server_timetable(&w).await;
    assert_eq!(count, 1, "one stored change, nothing older");
    assert!(value.sessions.contains_key("s2"));
    let id = doc_id();
    let (stored_epoch, rebuilt) = w
        .store
        .read(move |dao| Ok::<_, StoreError>((dao.document_epoch(&id)?, dao.rebuilt_documents()?)))
        .await
        .unwrap();
    assert_eq!((stored_epoch, rebuilt), (1, vec![(doc_id(), 1)]));

    // The connected device is told; a sync message of its old copy is not merged.
    let frames = paul.drain(&w).await;
    assert_eq!(frames, [ServerFrame::Reset { doc: doc_id(), epoch: 1 }]);
    paul.edit(|t| {
        t.sessions.insert("stale".into(), session("Ancien"));
    })
    .await;
    let frames = paul.drain(&w).await;
    assert_eq!(frames, [ServerFrame::Reset { doc: doc_id(), epoch: 1 }], "answered, not merged");
    assert!(!server_timetable(&w).await.0.sessions.contains_key("stale"));
    assert_eq!(server_timetable(&w).await.1, 1);

    // It drops its copy, confirms, and syncs the new epoch from empty.
    let out = paul.client.receive(ServerFrame::Reset { doc: doc_id(), epoch: 1 }).unwrap();
    assert_eq!(out.reset, [doc_id()]);
    paul.send(out.send).await;
    paul.settle(&w).await;
    let doc = paul.client.document(&doc_id()).unwrap();
    assert_eq!(doc.get_heads(), handle.inspect().await.unwrap().0);
    assert!(old.iter().all(|h| doc.get_change_by_hash(h).is_none()));
    assert!(!paul.timetable().sessions.contains_key("stale"));
    paul.edit(|t| {
        t.sessions.insert("s3".into(), session("Anglais"));
    })
    .await;
    paul.settle(&w).await;
    assert!(server_timetable(&w).await.0.sessions.contains_key("s3"), "syncing again");
    assert!(paul.errors.is_empty(), "{:?}", paul.errors);

    // A compaction started before the rebuild (at epoch 0) writes nothing: its snapshot would
    // bring the old history back.
    assert_eq!(actor::compact(&w.store, &doc_id(), 0).await.unwrap(), 0);
    let id = doc_id();
    let snapshot = w
        .store
        .read(move |dao| Ok::<_, StoreError>(dao.load_document(&id)?.unwrap().snapshot))
        .await
        .unwrap();
    assert_eq!(snapshot, None);
    assert_eq!(actor::compact(&w.store, &doc_id(), 1).await.unwrap(), 2, "at its epoch it does");

    // A new connection is told right after its Welcome.
    let (mut conn, mut outbox) =
        Connection::open(&w.hub, &w.store, principal("lea", Role::Student));
    conn.welcome().await.unwrap();
    let queued = ServerFrame::decode(&outbox.frames.try_recv().unwrap()).unwrap();
    assert_eq!(queued, ServerFrame::Reset { doc: doc_id(), epoch: 1 });
}

#[tokio::test]
async fn a_writers_queued_messages_are_checked_stored_and_acknowledged_together() {
    let w = world().await;
    let mut prof = Device::connect(&w, principal("prof", Role::Teacher)).await;
    prof.settle(&w).await;
    // Three edits sent at once: their messages wait in the actor's inbox together.
    for room in ["Amphi A", "Amphi B", "Amphi C"] {
        prof.edit(|t| t.sessions.get_mut("s1").unwrap().rooms = vec![room.into()]).await;
    }
    prof.settle(&w).await;
    assert!(prof.errors.is_empty(), "{:?}", prof.errors);
    assert_eq!(prof.acks, 1, "one acknowledgement for the three messages");
    assert_eq!(prof.client.pending(), 0, "it releases every pending change");
    let (stored, count) = server_timetable(&w).await;
    assert_eq!(stored.sessions["s1"].rooms, vec!["Amphi C".to_string()]);
    assert_eq!(count, 4, "the three changes are stored");
}

#[tokio::test]
async fn a_refused_change_among_queued_messages_is_refused_as_if_they_came_one_by_one() {
    let w = world().await;
    let mut prof = Device::connect(&w, principal("prof", Role::Teacher)).await;
    prof.settle(&w).await;
    prof.edit(|t| t.sessions.get_mut("s1").unwrap().rooms = vec!["Amphi A".into()]).await;
    prof.edit(|t| t.group = "another-group".into()).await;
    prof.edit(|t| t.sessions.get_mut("s1").unwrap().rooms = vec!["Amphi C".into()]).await;
    prof.settle(&w).await;
    // The first change is accepted; the second breaks a rule; the third builds on it.
    assert_eq!(prof.acks, 1);
    let refused: Vec<_> =
        prof.errors.iter().filter(|(_, c, _)| *c == ErrorCode::Forbidden).collect();
    assert_eq!(refused.len(), 2, "{:?}", prof.errors);
    assert!(refused[0].2.starts_with("change refused"), "{:?}", refused[0]);
    assert!(refused[1].2.contains("earlier change"), "{:?}", refused[1]);
    let (stored, count) = server_timetable(&w).await;
    assert_eq!(stored.group, GROUP);
    assert_eq!(stored.sessions["s1"].rooms, vec!["Amphi A".to_string()]);
    assert_eq!(count, 2, "only the first change is stored");
}

#[tokio::test]
async fn a_document_one_device_syncs_leaves_memory_when_idle_and_still_syncs() {
    use cartable_shared::me::MyLayer;
    let w = world().await;
    let me: DocId = "me:lea".parse().unwrap();
    let mut lea = Device::connect(&w, principal("lea", Role::Student)).await;
    let mut max = Device::connect(&w, principal("max", Role::Student)).await;
    lea.settle_on(&w, &me).await;
    lea.settle(&w).await;
    max.settle(&w).await;
    let handle = w.hub.open(&me).await.unwrap().unwrap();
    handle.inspect().await.unwrap();
    assert!(!handle.in_memory().await.unwrap(), "idle, synced by one device: out of memory");
    let timetable = w.hub.open(&doc_id()).await.unwrap().unwrap();
    assert!(timetable.in_memory().await.unwrap(), "two devices sync the timetable");

    // Another device of the same user, from nothing, gets the whole document.
    let Device { conn, .. } = lea;
    conn.close().await;
    let mut lea = Device::connect(&w, principal("lea", Role::Student)).await;
    lea.settle_on(&w, &me).await;
    let layer: MyLayer = read(lea.client.document(&me).unwrap()).unwrap().unwrap();
    assert_eq!(layer.user, "lea");
    assert!(!handle.in_memory().await.unwrap());

    // It writes: the document is loaded, the change checked, stored and acknowledged.
    let (_, out) = lea
        .client
        .edit(&me, |doc| {
            let mut layer: MyLayer = read(doc).unwrap().unwrap();
            layer.notes.insert("s1".into(), "bring a calculator".into());
            write(doc, &layer).unwrap();
        })
        .unwrap();
    lea.send(out.send).await;
    lea.settle_on(&w, &me).await;
    assert!(lea.errors.is_empty(), "{:?}", lea.errors);
    assert_eq!(lea.acks, 1);
    assert!(handle.in_memory().await.unwrap(), "a document being written stays in memory");
    let id = me.clone();
    let stored = w.store.read(move |dao| dao.load_document(&id)).await.unwrap().unwrap();
    let layer: MyLayer = read(&build_document(&me, &stored).unwrap()).unwrap().unwrap();
    assert_eq!(layer.notes["s1"], "bring a calculator");
}
