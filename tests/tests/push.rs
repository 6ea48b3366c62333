//! Web Push against the real server over HTTP: the VAPID key, and the subscriptions of a
//! user's devices with the endpoint allowlist (`--push-allow`).

use cartable_shared::api::{ErrorBody, PushKey, PushSubscriptionCreated, PushSubscriptionList};
use cartable_tests::{Account, TestServer, bounded, http};
use reqwest::Method;

/// A subscription body as `PushSubscription.toJSON()` gives it, plus a label.
fn subscription(endpoint: &str) -> serde_json::Value {
    // A valid-looking uncompressed point (65 bytes: 0x04 then 64 bytes) and a 16-byte secret,
    // base64url without padding.
    serde_json::json!({
        "endpoint": endpoint,
        "keys": {
            "p256dh": format!("BA{}", "c".repeat(85)),
            "auth": "CQkJCQkJCQkJCQkJCQkJCQ",
        },
        "label": "Téléphone de Léa",
    })
}

async fn key_of(server: &TestServer) -> PushKey {
    let resp =
        bounded("push key", http().get(server.url("/api/push/key")).send()).await.unwrap().unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

async fn subscribe(lea: &Account, endpoint: &str) -> reqwest::Response {
    bounded(
        "subscribe",
        lea.request(Method::POST, "/api/push/subscriptions").json(&subscription(endpoint)).send(),
    )
    .await
    .unwrap()
    .unwrap()
}

#[tokio::test]
async fn the_vapid_public_key_is_the_same_after_a_restart() {
    let server = TestServer::start().await.unwrap();
    let first = key_of(&server).await;
    assert!(first.public_key.starts_with('B') && first.public_key.len() == 87, "{first:?}");
    let dir = server.data_dir().to_path_buf();
    let temp = server.stop().await.unwrap();
    let again = TestServer::start_in(&dir).await.unwrap();
    assert_eq!(key_of(&again).await, first);
    drop(again);
    drop(temp);
}

#[tokio::test]
async fn an_endpoint_on_a_private_or_unknown_host_is_refused_unless_its_origin_is_allowed() {
    let allowed = "http://127.0.0.1:43123";
    let server = TestServer::start_with(vec![allowed.into()]).await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    for endpoint in [
        "http://127.0.0.1:43124/push/1",
        "http://localhost:43123/push/1",
        "https://10.1.2.3/push",
        "https://169.254.169.254/latest/meta-data",
        "https://push.example.com/push",
        "https://fcm.googleapis.com.evil.example/push",
        "https://fcm.googleapis.com:8443/push",
    ] {
        let resp = subscribe(&lea, endpoint).await;
        assert_eq!(resp.status(), 400, "{endpoint}");
        let body: ErrorBody = resp.json().await.unwrap();
        assert_eq!(body.error, "push_endpoint_refused", "{endpoint}");
    }
    let resp = subscribe(&lea, &format!("{allowed}/push/1")).await;
    assert_eq!(resp.status(), 201, "the origin given with --push-allow is accepted");
    let created: PushSubscriptionCreated = resp.json().await.unwrap();

    // Without the flag, the same loopback endpoint is refused.
    let strict = TestServer::start().await.unwrap();
    let lea_elsewhere = Account::demo(&strict, "lea.martin").await.unwrap();
    assert_eq!(subscribe(&lea_elsewhere, &format!("{allowed}/push/1")).await.status(), 400);

    // The device is listed to its owner only (the host, not the endpoint), and only its owner
    // can delete it.
    let list: PushSubscriptionList = lea
        .request(Method::GET, "/api/push/subscriptions")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.subscriptions.len(), 1);
    assert_eq!(list.subscriptions[0].id, created.id);
    assert_eq!(list.subscriptions[0].endpoint_host, "127.0.0.1");
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let path = format!("/api/push/subscriptions/{}", created.id);
    assert_eq!(paul.request(Method::DELETE, &path).send().await.unwrap().status(), 404);
    assert_eq!(lea.request(Method::DELETE, &path).send().await.unwrap().status(), 204);
    let list: PushSubscriptionList = lea
        .request(Method::GET, "/api/push/subscriptions")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list.subscriptions.is_empty());
}

#[tokio::test]
async fn signing_out_everywhere_deletes_the_accounts_push_subscriptions() {
    let allowed = "http://127.0.0.1:43125";
    let server = TestServer::start_with(vec![allowed.into()]).await.unwrap();
    let phone = Account::login_as_device(&server, "lea.martin", "Téléphone").await.unwrap();
    let laptop = Account::login_as_device(&server, "lea.martin", "Portable").await.unwrap();
    assert_eq!(subscribe(&phone, &format!("{allowed}/push/phone")).await.status(), 201);
    assert_eq!(subscribe(&laptop, &format!("{allowed}/push/laptop")).await.status(), 201);
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    assert_eq!(subscribe(&paul, &format!("{allowed}/push/paul")).await.status(), 201);

    let resp =
        bounded("revoke all", laptop.request(Method::POST, "/api/sessions/revoke-all").send())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(resp.status(), 200);

    let count = |account: Account| async move {
        let list: PushSubscriptionList =
            bounded("list", account.request(Method::GET, "/api/push/subscriptions").send())
                .await
                .unwrap()
                .unwrap()
                .json()
                .await
                .unwrap();
        list.subscriptions.len()
    };
    let again = Account::login_as_device(&server, "lea.martin", "Téléphone").await.unwrap();
    assert_eq!(count(again).await, 0, "neither of Léa's devices keeps her notifications");
    assert_eq!(count(paul).await, 1, "another account's device is untouched");
}
