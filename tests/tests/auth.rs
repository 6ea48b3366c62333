//! Authentication hardening against the real server: rate limits per address and per account,
//! the list of recent connections, and signing out everywhere.

use cartable_shared::api::{ConnectionList, RevokedSessions};
use cartable_tests::{Account, TestServer, bounded, login_raw};

#[tokio::test]
async fn twenty_failed_logins_from_one_address_refuse_even_a_right_password_from_it() {
    let server = TestServer::start().await.unwrap();
    for i in 0..20 {
        let resp = login_raw(&server, &format!("inconnu{i}"), "devine").await;
        assert_eq!(resp.status(), 401, "attempt {i}");
    }
    let resp = login_raw(&server, "lea.martin", "etudiant-demo").await;
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key(reqwest::header::RETRY_AFTER));
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_with_a_retry_after() {
    let server = TestServer::start().await.unwrap();
    for i in 0..5 {
        assert_eq!(login_raw(&server, "lea.martin", "faux").await.status(), 401, "attempt {i}");
    }
    let resp = login_raw(&server, "lea.martin", "etudiant-demo").await;
    assert_eq!(resp.status(), 429);
    let retry: u64 =
        resp.headers()[reqwest::header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
    // Another account from the same address is not locked.
    assert!(Account::demo(&server, "paul.durand").await.is_ok());
}

#[tokio::test]
async fn the_sessions_list_shows_the_last_five_connections_newest_first_with_the_current_marked() {
    let server = TestServer::start().await.unwrap();
    let mut last = None;
    for i in 1..=7 {
        last = Some(
            Account::login_as_device(&server, "lea.martin", &format!("Appareil {i}"))
                .await
                .unwrap(),
        );
    }
    let lea = last.unwrap();
    let resp = lea.request(reqwest::Method::GET, "/api/sessions").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let list: ConnectionList = resp.json().await.unwrap();
    let devices: Vec<_> = list.connections.iter().map(|c| c.device.clone().unwrap()).collect();
    assert_eq!(devices, ["Appareil 7", "Appareil 6", "Appareil 5", "Appareil 4", "Appareil 3"]);
    assert!(list.connections[0].current);
    assert!(list.connections[1..].iter().all(|c| !c.current));
    for c in &list.connections {
        assert!(c.at_ms > 1_600_000_000_000, "a real time");
        assert!(c.address.as_deref().is_some_and(|a| a.starts_with("127.0.0.1")), "{c:?}");
        assert!(c.active);
    }
    // Another account sees only its own.
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let list: ConnectionList = paul
        .request(reqwest::Method::GET, "/api/sessions")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.connections.len(), 1);
    // Without a session: 401.
    let anonymous = cartable_tests::http().get(server.url("/api/sessions")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_and_closes_another_devices_live_connection() {
    let server = TestServer::start().await.unwrap();
    let phone = Account::login_as_device(&server, "lea.martin", "Téléphone").await.unwrap();
    let laptop = Account::login_as_device(&server, "lea.martin", "Portable").await.unwrap();
    let mut live = laptop.synced(&server).await.unwrap();

    let foreign = phone
        .request(reqwest::Method::POST, "/api/sessions/revoke-all")
        .header(reqwest::header::ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403, "a cross-site sign-out is refused");

    let resp =
        phone.request(reqwest::Method::POST, "/api/sessions/revoke-all").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let revoked: RevokedSessions = resp.json().await.unwrap();
    assert_eq!(revoked.sessions, 2);
    assert_eq!(revoked.connections, 1);

    assert!(live.closed_by_server().await, "the laptop's sync connection is closed");
    assert_eq!(live.close_code, Some(1008));
    for account in [&phone, &laptop] {
        let me = bounded("me", account.request(reqwest::Method::GET, "/api/me").send())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(me.status(), 401);
    }
    assert!(laptop.sync(&server).await.is_err(), "no new sync connection either");
}
