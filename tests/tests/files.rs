//! Files (DESIGN §4) against the real server: uploads by the group's teachers only, the size
//! limit, types from the content, the declared hash, course documents and attachments written
//! through the hub (a connected student receives them), downloads for readers only, with
//! `ETag` / `If-None-Match` and `Range`, and the clean-up of files nothing references.

use std::path::Path;

use cartable_shared::api::{ErrorBody, LibraryItemAdded, NewLibraryItem, StoredFile};
use cartable_shared::homework::{BlobRef, Homework};
use cartable_shared::ids::{DocId, DocKind};
use cartable_shared::library::Library;
use cartable_tests::{Account, TestServer, bounded, demo};
use reqwest::{Method, StatusCode, header};
use sha2::{Digest, Sha256};

/// A small valid-looking PDF whose bytes differ with `tag`.
fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% Cartable test {tag}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
        .into_bytes()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn doc(kind: DocKind) -> DocId {
    DocId::new(kind, demo::GROUP).unwrap()
}

async fn upload(who: &Account, query: &str, body: Vec<u8>) -> reqwest::Response {
    let path = format!("/api/groups/{}/files?{query}", demo::GROUP);
    bounded("upload", who.request(Method::POST, &path).body(body).send()).await.unwrap().unwrap()
}

async fn get(
    who: &Account,
    sha256: &str,
    headers: &[(header::HeaderName, &str)],
) -> reqwest::Response {
    let mut req = who.request(Method::GET, &format!("/files/{sha256}"));
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    bounded("download", req.send()).await.unwrap().unwrap()
}

async fn error_of(resp: reqwest::Response) -> ErrorBody {
    resp.json().await.unwrap()
}

/// Files stored under the data directory (not counting interrupted uploads in `tmp/`).
fn stored_files(data_dir: &Path) -> usize {
    let root = data_dir.join("files");
    std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.ends_with("tmp"))
        .map(|d| std::fs::read_dir(d).unwrap().count())
        .sum()
}

fn temp_files(data_dir: &Path) -> usize {
    std::fs::read_dir(data_dir.join("files/tmp")).unwrap().count()
}

async fn add_to_library(who: &Account, sha256: &str, title: &str) -> reqwest::Response {
    let body = NewLibraryItem {
        title: title.into(),
        subject: "Algorithmique".into(),
        kind: "diapositives".into(),
        language: "fr".into(),
        sha256: sha256.into(),
    };
    let path = format!("/api/groups/{}/library", demo::GROUP);
    bounded("library", who.request(Method::POST, &path).json(&body).send()).await.unwrap().unwrap()
}

async fn membership(admin: &Account, method: Method, user: &str) {
    let path = format!("/api/groups/{}/members/{user}", demo::GROUP);
    let resp = bounded("membership", admin.request(method, &path).send()).await.unwrap().unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_course_document_added_by_a_teacher_reaches_a_connected_student_who_may_download_it() {
    let server = TestServer::start().await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut device = lea.synced(&server).await.unwrap();

    let bytes = pdf("cm8");
    let resp = upload(
        &paul,
        &format!("name=CM%208%20%E2%80%94%20graphes.pdf&sha256={}", sha(&bytes)),
        bytes.clone(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let stored: StoredFile = resp.json().await.unwrap();
    assert_eq!(stored.sha256, sha(&bytes));
    assert_eq!((stored.size, stored.mime.as_str()), (bytes.len() as u64, "application/pdf"));
    assert_eq!(stored.name, "CM 8 — graphes.pdf");
    // The same content again: stored once, answered 200.
    let again = upload(&paul, "name=copie.pdf", bytes.clone()).await;
    assert_eq!(again.status(), StatusCode::OK);

    let resp = add_to_library(&paul, &stored.sha256, "CM 8 — graphes").await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let added: LibraryItemAdded = resp.json().await.unwrap();
    assert_eq!(added.item.author, "paul.durand");
    assert_eq!(added.item.size, bytes.len() as u64);

    let library: Library = device
        .until_doc(&doc(DocKind::Library), |l: &Library| l.items.contains_key(&added.id))
        .await
        .unwrap();
    assert_eq!(library.items[&added.id], added.item);
    assert!(device.errors.is_empty(), "{:?}", device.errors);

    let resp = get(&lea, &stored.sha256, &[]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers().clone();
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(h[header::ETAG], format!("\"{}\"", stored.sha256).as_str());
    assert_eq!(h[header::CACHE_CONTROL], "private, max-age=31536000, immutable");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::ACCEPT_RANGES], "bytes");
    assert_eq!(
        h[header::CONTENT_DISPOSITION],
        "inline; filename=\"CM 8 _ graphes.pdf\"; filename*=UTF-8''CM%208%20%E2%80%94%20graphes.pdf"
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // Not an uploader, a member of the group, nor a reader of any referencing document: 404.
    let admin = Account::demo(&server, "admin").await.unwrap();
    membership(&admin, Method::DELETE, "lea.martin").await;
    assert_eq!(get(&lea, &stored.sha256, &[]).await.status(), StatusCode::NOT_FOUND);
    device.close().await.unwrap();
}

#[tokio::test]
async fn only_the_groups_teachers_and_admins_may_upload() {
    let server = TestServer::start().await.unwrap();
    let before = stored_files(server.data_dir());
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let resp = upload(&lea, "name=a.pdf", pdf("lea")).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let staff = Account::demo(&server, "vie.scolaire").await.unwrap();
    assert_eq!(upload(&staff, "name=a.pdf", pdf("staff")).await.status(), StatusCode::FORBIDDEN);

    // Paul no longer teaches the group: he is a teacher of no group of it.
    let admin = Account::demo(&server, "admin").await.unwrap();
    membership(&admin, Method::DELETE, "paul.durand").await;
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    assert_eq!(upload(&paul, "name=a.pdf", pdf("paul")).await.status(), StatusCode::FORBIDDEN);
    let bytes = pdf("x");
    let resp = add_to_library(&paul, &sha(&bytes), "x").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored_files(server.data_dir()), before, "nothing stored");

    assert_eq!(upload(&admin, "name=a.pdf", pdf("admin")).await.status(), StatusCode::CREATED);
    let unknown_group = bounded(
        "upload",
        admin.request(Method::POST, "/api/groups/nope/files?name=a.pdf").body(pdf("n")).send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(unknown_group.status(), StatusCode::NOT_FOUND);
    let anonymous = bounded(
        "upload",
        cartable_tests::http()
            .post(server.url(&format!("/api/groups/{}/files?name=a.pdf", demo::GROUP)))
            .body(pdf("anon"))
            .send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(stored_files(server.data_dir()), before + 1);
}

#[tokio::test]
async fn an_oversized_upload_gets_413_and_nothing_is_stored() {
    let limit = 64 * 1024;
    let server = TestServer::start_with_upload_limit(limit).await.unwrap();
    let before = stored_files(server.data_dir());
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut big = pdf("big");
    big.resize(limit as usize + 1, b' ');

    let resp = upload(&paul, "name=gros.pdf", big.clone()).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(resp).await.error, "file_too_large");

    // Without Content-Length (chunked): the server stops reading past the limit.
    let status = chunked_upload(&server, &paul, "gros.pdf", &big).await;
    assert_eq!(status, 413);

    assert_eq!(stored_files(server.data_dir()), before);
    assert_eq!(temp_files(server.data_dir()), 0, "the partial upload was deleted");
    // Exactly at the limit is fine.
    big.truncate(limit as usize);
    assert_eq!(upload(&paul, "name=juste.pdf", big).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_disguised_file_or_a_wrong_hash_is_refused_and_nothing_is_stored() {
    let server = TestServer::start().await.unwrap();
    let before = stored_files(server.data_dir());
    let paul = Account::demo(&server, "paul.durand").await.unwrap();

    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let path = format!("/api/groups/{}/files?name=cours.pdf", demo::GROUP);
    let resp = bounded(
        "upload",
        paul.request(Method::POST, &path)
            .header(header::CONTENT_TYPE, "application/pdf")
            .body(html)
            .send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_of(resp).await.error, "unsupported_file_type");

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let resp = upload(&paul, "name=cours.pdf", png).await;
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let message = error_of(resp).await.message;
    assert!(message.contains("PNG") && message.contains(".pdf"), "{message}");

    let bytes = pdf("hash");
    let wrong = sha(b"something else");
    let resp = upload(&paul, &format!("name=a.pdf&sha256={wrong}"), bytes).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(resp).await.error, "hash_mismatch");

    assert_eq!(upload(&paul, "name=", pdf("noname")).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(upload(&paul, "name=vide.pdf", Vec::new()).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(stored_files(server.data_dir()), before);
    assert_eq!(temp_files(server.data_dir()), 0);
}

#[tokio::test]
async fn downloads_answer_etag_and_ranges_and_only_readers_get_a_file() {
    let server = TestServer::start().await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let today = demo::paris_date(chrono_now_ms());
    let item = demo::library(today).items.remove("algo-cm7").unwrap();
    let whole = get(&lea, &item.sha256, &[]).await;
    assert_eq!(whole.status(), StatusCode::OK);
    let whole = whole.bytes().await.unwrap();
    assert_eq!(whole.len() as u64, item.size);
    assert!(whole.starts_with(b"%PDF-"));

    let etag = format!("\"{}\"", item.sha256);
    let resp = get(&lea, &item.sha256, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(resp.headers()[header::ETAG], etag.as_str());
    assert!(resp.bytes().await.unwrap().is_empty());

    let resp = get(&lea, &item.sha256, &[(header::RANGE, "bytes=0-4")]).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    let range = format!("bytes 0-4/{}", item.size);
    assert_eq!(resp.headers()[header::CONTENT_RANGE], range.as_str());
    assert_eq!(resp.bytes().await.unwrap().as_ref(), b"%PDF-");
    let resp = get(&lea, &item.sha256, &[(header::RANGE, "bytes=-6")]).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), b"%%EOF\n");
    let past = format!("bytes={}-", item.size);
    let resp = get(&lea, &item.sha256, &[(header::RANGE, &past)]).await;
    assert_eq!(resp.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(resp.headers()[header::CONTENT_RANGE], format!("bytes */{}", item.size).as_str());

    // A file uploaded but referenced by nothing: its uploader only.
    let draft = pdf("draft");
    assert_eq!(
        upload(&paul, "name=brouillon.pdf", draft.clone()).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(get(&paul, &sha(&draft), &[]).await.status(), StatusCode::OK);
    assert_eq!(get(&lea, &sha(&draft), &[]).await.status(), StatusCode::NOT_FOUND);
    let staff = Account::demo(&server, "vie.scolaire").await.unwrap();
    assert_eq!(get(&staff, &sha(&draft), &[]).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get(&staff, &item.sha256, &[]).await.status(),
        StatusCode::OK,
        "staff read every library"
    );
    // Unknown or malformed hashes, and no session.
    assert_eq!(get(&lea, &"0".repeat(64), &[]).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&lea, "..%2F..%2Fcartable.sqlite3", &[]).await.status(), StatusCode::NOT_FOUND);
    let anonymous = bounded(
        "anon",
        cartable_tests::http().get(server.url(&format!("/files/{}", item.sha256))).send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_teacher_attaches_a_file_to_their_own_assignment_and_students_may_download_it() {
    let server = TestServer::start().await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let mut device = lea.synced(&server).await.unwrap();
    let bytes = pdf("corrigé");
    assert_eq!(
        upload(&paul, "name=corrige.pdf", bytes.clone()).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(get(&lea, &sha(&bytes), &[]).await.status(), StatusCode::NOT_FOUND);

    let attach = |assignment: &str, sha256: String| {
        let path = format!("/api/groups/{}/homework/{assignment}/attachments", demo::GROUP);
        let body = serde_json::json!({ "sha256": sha256, "name": "Corrigé TD 7.pdf" });
        paul.request(Method::POST, &path).json(&body).send()
    };
    let resp = bounded("attach", attach("algo-tri-fusion", sha(&bytes))).await.unwrap().unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let blob: BlobRef = resp.json().await.unwrap();
    assert_eq!(blob.name, "Corrigé TD 7.pdf");
    assert_eq!(blob.mime, "application/pdf");

    let homework: Homework = device
        .until_doc(&doc(DocKind::Homework), |h: &Homework| {
            h.assignments["algo-tri-fusion"].attachments.contains(&blob)
        })
        .await
        .unwrap();
    assert_eq!(homework.assignments["algo-tri-fusion"].attachments.len(), 2, "the first one kept");
    let resp = get(&lea, &sha(&bytes), &[]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // Another teacher's assignment, an unknown one, an unknown file.
    let other = bounded("attach", attach("bdd-normalisation", sha(&bytes))).await.unwrap().unwrap();
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    let unknown = bounded("attach", attach("nope", sha(&bytes))).await.unwrap().unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let missing =
        bounded("attach", attach("algo-tri-fusion", "1".repeat(64))).await.unwrap().unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let by_lea = bounded(
        "attach",
        lea.request(
            Method::POST,
            &format!("/api/groups/{}/homework/algo-tri-fusion/attachments", demo::GROUP),
        )
        .json(&serde_json::json!({ "sha256": sha(&bytes) }))
        .send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(by_lea.status(), StatusCode::FORBIDDEN);
    device.close().await.unwrap();
}

/// Uploads `body` with `Transfer-Encoding: chunked` (no `Content-Length`) over a raw socket;
/// returns the status of the answer.
async fn chunked_upload(server: &TestServer, who: &Account, name: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket =
        bounded("connect", tokio::net::TcpStream::connect(server.addr)).await.unwrap().unwrap();
    let head = format!(
        "POST /api/groups/{}/files?name={name} HTTP/1.1\r\nHost: {}\r\n\
         Cookie: cartable_session={}\r\nTransfer-Encoding: chunked\r\n\r\n",
        demo::GROUP,
        server.addr,
        who.cookie
    );
    let mut request = head.into_bytes();
    for chunk in body.chunks(8 * 1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before it has read everything: a failed write is fine.
    let _ = bounded("send", socket.write_all(&request)).await.unwrap();
    let mut answer = vec![0u8; 64];
    let n = bounded("answer", socket.read(&mut answer)).await.unwrap().unwrap();
    let line = String::from_utf8_lossy(&answer[..n]).into_owned();
    line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{line:?}"))
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// `GET /files/<sha256>`'s status for `who`.
async fn download_status(who: &Account, sha256: &str) -> StatusCode {
    get(who, sha256, &[]).await.status()
}

/// The hashes of `tags`, sorted.
fn shas(sha_of: &std::collections::HashMap<&str, String>, tags: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = tags.iter().map(|t| sha_of[t].clone()).collect();
    out.sort();
    out
}

/// Whether the server has a record of `sha256`.
async fn recorded(server: &TestServer, sha256: &str) -> bool {
    let sha = sha256.to_owned();
    server.state().store().read(move |dao| dao.file(&sha)).await.unwrap().is_some()
}

#[tokio::test]
async fn files_nothing_references_are_deleted_after_thirty_days_unused_and_no_other() {
    use cartable_sync_server::services::files::unused::{KEPT_UNUSED_MS, delete, sweep, unused};
    use cartable_sync_server::services::{Clock, ManualClock};

    const DAY: i64 = 24 * 3600 * 1000;
    let clock = std::sync::Arc::new(ManualClock::new(chrono_now_ms()));
    let server = TestServer::start_with_clock(vec![], clock.clone()).await.unwrap();
    let mut paul = Account::demo(&server, "paul.durand").await.unwrap();
    let state = server.state();

    let mut sha_of = std::collections::HashMap::new();
    for tag in ["kept", "orphan", "unlinked", "late", "reuploaded", "archived"] {
        let bytes = pdf(&format!("gc-{tag}"));
        let resp = upload(&paul, &format!("name={tag}.pdf"), bytes.clone()).await;
        assert_eq!(resp.status(), StatusCode::CREATED, "{tag}");
        sha_of.insert(tag, sha(&bytes));
    }
    let before_gc = stored_files(server.data_dir());
    assert_eq!(add_to_library(&paul, &sha_of["kept"], "Gardé").await.status(), StatusCode::CREATED);
    // Referenced, then the entry is removed (as a teacher's device would, over /sync).
    let resp = add_to_library(&paul, &sha_of["unlinked"], "Retiré").await;
    let unlinked: LibraryItemAdded = resp.json().await.unwrap();
    let handle = state.hub().open(&doc(DocKind::Library)).await.unwrap().unwrap();
    let id = unlinked.id.clone();
    handle
        .edit(move |am| {
            use automerge::transaction::Transactable;
            use automerge::{ObjType, ReadDoc, Value};
            let Ok(Some((Value::Object(ObjType::Map), items))) = am.get(automerge::ROOT, "items")
            else {
                return Err("no items");
            };
            let mut tx = am.transaction();
            tx.delete(&items, id.as_str()).map_err(|_| "delete")?;
            tx.commit();
            Ok(())
        })
        .await
        .unwrap()
        .unwrap();

    // Referenced by a closed year's archive only (the rollover copies libraries there).
    let archived_sha = sha_of["archived"].clone();
    state
        .store()
        .write(move |dao| {
            let item = cartable_shared::library::LibraryItem {
                title: "Archivé".into(),
                subject: "Maths".into(),
                kind: "cours".into(),
                language: "fr".into(),
                size: 1,
                sha256: archived_sha,
                added_ms: 0,
                author: "paul.durand".into(),
            };
            let group = cartable_shared::admin::GroupArchive {
                group: "5b".parse().unwrap(),
                name: "5e B".into(),
                students: vec![],
                teachers: vec![],
                library: Library { items: [("i1".to_owned(), item)].into(), ..Library::default() },
                homework: Homework::default(),
            };
            let done = cartable_sync_server::store::ArchiveState::Done;
            dao.start_archive("2024-2025", &"admin".parse().unwrap(), 0)?;
            dao.put_archived_group("2024-2025", done, &group)?;
            dao.complete_archive("2024-2025", 0)
        })
        .await
        .unwrap();

    // Twenty days later the same content is uploaded again: it counts as used from then.
    clock.advance(20 * DAY);
    // (A new session: sessions last thirty days.)
    paul = Account::demo(&server, "paul.durand").await.unwrap();
    let again = upload(&paul, "name=encore.pdf", pdf("gc-reuploaded")).await;
    assert_eq!(again.status(), StatusCode::OK);
    // Nothing is old enough yet.
    assert_eq!(sweep(state.store(), state.blobs(), clock.now_ms()).await.unwrap().files.len(), 0);

    clock.advance(KEPT_UNUSED_MS - 20 * DAY + 1);
    // Uploaded now: not old enough, whatever references it.
    let recent = upload(&paul, "name=recent.pdf", pdf("gc-recent")).await;
    assert_eq!(recent.status(), StatusCode::CREATED);
    sha_of.insert("recent", sha(&pdf("gc-recent")));
    let cutoff = clock.now_ms() - KEPT_UNUSED_MS;
    let mut listed = unused(state.store(), cutoff).await.unwrap();
    listed.sort();
    let expected = shas(&sha_of, &["orphan", "unlinked", "late"]);
    assert_eq!(listed, expected, "unused for thirty days and referenced by nothing");

    // Between the listing and the deletion, a teacher attaches one of them: it stays.
    assert_eq!(
        add_to_library(&paul, &sha_of["late"], "Juste à temps").await.status(),
        StatusCode::CREATED
    );
    let swept = delete(state.store(), state.blobs(), listed, cutoff).await.unwrap();
    let mut gone = swept.files.clone();
    gone.sort();
    let expected = shas(&sha_of, &["orphan", "unlinked"]);
    assert_eq!(gone, expected);
    assert_eq!(
        swept.bytes,
        ["orphan", "unlinked"].iter().map(|t| pdf(&format!("gc-{t}")).len() as u64).sum::<u64>()
    );
    assert_eq!(stored_files(server.data_dir()), before_gc + 1 - 2, "their content left the disk");
    for tag in ["orphan", "unlinked"] {
        assert!(!recorded(&server, &sha_of[tag]).await, "{tag}");
        // Even for their uploader: nothing is served.
        assert_eq!(download_status(&paul, &sha_of[tag]).await, StatusCode::NOT_FOUND, "{tag}");
    }
    for tag in ["kept", "late", "reuploaded", "recent", "archived"] {
        assert!(recorded(&server, &sha_of[tag]).await, "{tag}");
        assert_eq!(download_status(&paul, &sha_of[tag]).await, StatusCode::OK, "{tag}");
    }
    // A deleted file cannot be referenced any more, and uploading it again brings it back.
    let late = add_to_library(&paul, &sha_of["orphan"], "Trop tard").await;
    assert_eq!(late.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(late).await.message.contains("upload it first"));
    let back = upload(&paul, "name=orphan.pdf", pdf("gc-orphan")).await;
    assert_eq!(back.status(), StatusCode::CREATED);
    assert_eq!(download_status(&paul, &sha_of["orphan"]).await, StatusCode::OK);
    // The demo institution's own files are all referenced: a sweep later keeps them.
    clock.advance(KEPT_UNUSED_MS + 1);
    let later = sweep(state.store(), state.blobs(), clock.now_ms()).await.unwrap();
    let mut gone = later.files;
    gone.sort();
    let expected = shas(&sha_of, &["orphan", "reuploaded", "recent"]);
    assert_eq!(gone, expected, "only what nothing references, whatever the demo holds");
}
