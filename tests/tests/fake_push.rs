//! The fake push service of the tests (`tests/fake_push/fake_push.py`) against an independent
//! sender (`web-push-native`): it decrypts what it receives, checks the VAPID signature, and
//! answers as scripted. The push suites rely on all three.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cartable_tests::fake_push::{FakePush, FakeSubscription};
use cartable_tests::{bounded, http};
use serde_json::json;
use web_push_native::jwt_simple::algorithms::ES256KeyPair;
use web_push_native::{Auth, WebPushBuilder, p256};

async fn send(sub: &FakeSubscription, key: &ES256KeyPair, body: &str) -> reqwest::Response {
    let b64 = |v: &serde_json::Value| URL_SAFE_NO_PAD.decode(v.as_str().unwrap()).unwrap();
    let builder = WebPushBuilder::new(
        sub.endpoint.parse().unwrap(),
        p256::PublicKey::from_sec1_bytes(&b64(&sub.keys["p256dh"])).unwrap(),
        Auth::clone_from_slice(&b64(&sub.keys["auth"])),
    )
    .with_valid_duration(Duration::from_secs(3600))
    .with_vapid(key, "mailto:ops@cartable.example");
    let request = builder.build(body.as_bytes().to_vec()).unwrap();
    let mut req = http().post(&sub.endpoint).body(request.body().clone());
    for (name, value) in request.headers() {
        req = req.header(name.as_str(), value.to_str().unwrap());
    }
    bounded("push", req.header("Urgency", "high").header("Topic", "s-42").send())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn the_fake_service_decrypts_checks_vapid_and_answers_as_scripted() {
    let fake = FakePush::start().await.unwrap();
    let sub = fake.subscribe().await.unwrap();
    let other = fake.subscribe().await.unwrap();
    assert!(sub.endpoint.starts_with(&fake.origin) && sub.endpoint.ends_with(&sub.id));
    let key = ES256KeyPair::generate();

    fake.script(&sub, json!([{"status": 429, "retry_after": 2}])).await.unwrap();
    let refused = send(&sub, &key, r#"{"title":"Cours annulé"}"#).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "2");
    assert_eq!(send(&sub, &key, r#"{"title":"Cours annulé"}"#).await.status(), 201);

    let messages = fake.messages(Some(&sub)).await.unwrap();
    assert_eq!(messages.len(), 1, "only the accepted push is a message: {messages:#?}");
    let m = &messages[0];
    assert_eq!(m["decrypted"], true, "{m:#}");
    assert_eq!(m["payload"]["title"], "Cours annulé");
    assert_eq!(m["vapid"]["valid"], true, "{m:#}");
    assert_eq!(m["vapid"]["sub"], "mailto:ops@cartable.example");
    assert_eq!(m["headers"]["urgency"], "high");
    assert_eq!(m["headers"]["topic"], "s-42");
    assert_eq!(m["headers"]["ttl"], "3600");
    let statuses: Vec<i64> = fake
        .attempts(Some(&sub))
        .await
        .unwrap()
        .iter()
        .map(|a| a["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [429, 201]);

    // A message encrypted for another device's keys does not decrypt; a forged VAPID
    // signature is reported invalid.
    let mut wrong = other.clone();
    wrong.keys = sub.keys.clone();
    assert_eq!(send(&wrong, &key, "x").await.status(), 201);
    let got = fake.messages(Some(&other)).await.unwrap();
    assert_eq!(got[0]["decrypted"], false, "{got:#?}");
    let forged = bounded(
        "forged",
        http()
            .post(&sub.endpoint)
            .header("Authorization", "vapid t=e30.e30.AAAA, k=BAAA")
            .header("Content-Encoding", "aes128gcm")
            .body(vec![0u8; 40])
            .send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(forged.status(), 201);
    let last = fake.messages(Some(&sub)).await.unwrap().pop().unwrap();
    assert_eq!(last["vapid"]["valid"], false, "{last:#}");

    // An expired subscription answers 410.
    fake.expire(&other).await.unwrap();
    assert_eq!(send(&other, &key, "x").await.status(), 410);
}
