//! The Web Push sender: one HTTP request per delivery (RFC 8030), the payload encrypted for the
//! device (RFC 8291 `aes128gcm`, [`super::ece`]), signed for the push service (VAPID,
//! RFC 8292), over a keep-alive HTTP/1.1 pool (`reqwest` with rustls; no redirects are
//! followed, so a push service cannot send the server elsewhere).
//!
//! Headers: `TTL` (how long the push service keeps an undelivered message), `Urgency` (`high`
//! for the essential categories), `Topic` (derived from what the event is about, so a later
//! update of the same session replaces the earlier message at the push service, and the same
//! value is the notification `tag` on the device).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cartable_shared::ids::SubscriptionId;
use cartable_shared::notify::PushPayload;
use serde::Serialize;
use sha2::{Digest, Sha256};
use web_push_native::vapid::VapidSignature;

use super::events::{Event, EventText};
use super::text::{self, Lang, Text};
use super::vapid::VapidKey;
use crate::store::DeliveryOutcome;

/// Requests in flight at once.
pub const CONCURRENCY: usize = 128;
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 10;
/// First retry delay without `Retry-After`; doubles with each attempt.
pub const BACKOFF_BASE_MS: i64 = 2_000;
/// Longest wait before a retry (also caps `Retry-After`).
pub const BACKOFF_MAX_MS: i64 = 3_600_000;
/// `TTL` of a message (seconds); a session's messages expire with the session.
pub const DEFAULT_TTL_S: i64 = 2 * 86_400;
/// How long a VAPID token is valid; it is reused for an origin until it has less than half of
/// this left.
const VAPID_VALID: Duration = Duration::from_secs(12 * 3600);
/// Bound on one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// One delivery to make.
#[derive(Debug, Clone)]
pub struct PushJob {
    /// The delivery row.
    pub delivery: i64,
    /// The device.
    pub subscription: SubscriptionId,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// The push service URL.
    pub endpoint: String,
    /// The device's public key (65 bytes).
    pub p256dh: Vec<u8>,
    /// The device's auth secret (16 bytes).
    pub auth: Vec<u8>,
    /// What to say.
    pub event: Arc<Event>,
    /// The message JSON of the event ([`message`]), rendered once per event.
    pub payload: Arc<Vec<u8>>,
}

/// The JSON a device receives: [`PushPayload`] (in French, the default language) plus the
/// title and body in every language (`texts.fr`, `texts.en`) for the service worker to pick.
#[derive(Debug, Serialize)]
pub struct PushMessage {
    /// The payload of `shared`.
    #[serde(flatten)]
    pub payload: PushPayload,
    /// Title and body by language tag.
    pub texts: BTreeMap<&'static str, Text>,
}

/// The payload category of a quiet-hours summary.
pub const SUMMARY_CATEGORY: &str = "quiet_hours_summary";

/// The `Topic` (and notification tag) of what an event is about: 32 base64url characters of
/// its SHA-256 (RFC 8030 §5.4 allows at most 32).
pub fn topic(about: &str) -> String {
    let mut t = URL_SAFE_NO_PAD.encode(Sha256::digest(about.as_bytes()));
    t.truncate(32);
    t
}

/// The message of an event.
pub fn message(event: &Event) -> PushMessage {
    let fr = text::render(event.category, &event.text, Lang::Fr);
    let en = text::render(event.category, &event.text, Lang::En);
    let category = match event.text {
        EventText::Summary { .. } => SUMMARY_CATEGORY.to_owned(),
        _ => event.category.as_str().to_owned(),
    };
    PushMessage {
        payload: PushPayload {
            category,
            title: fr.title.clone(),
            body: fr.body.clone(),
            tag: topic(&event.about),
            url: event.url.clone(),
            at_ms: event.at_ms,
        },
        texts: BTreeMap::from([("fr", fr), ("en", en)]),
    }
}

/// The `TTL` of an event's message at `now_ms`, in seconds.
pub fn ttl(event: &Event, now_ms: i64) -> i64 {
    match event.class {
        Some((_, end)) => ((end - now_ms) / 1000).clamp(60, DEFAULT_TTL_S),
        None => DEFAULT_TTL_S,
    }
}

/// The `Urgency` of an event's message.
pub fn urgency(event: &Event) -> &'static str {
    match event.text {
        EventText::Summary { .. } => "normal",
        _ => event.category.urgency(),
    }
}

/// What an answer of the push service means for the delivery (RFC 8030 §5, §7).
pub fn classify(
    status: u16,
    retry_after: Option<&str>,
    attempts: i64,
    now_ms: i64,
) -> DeliveryOutcome {
    match status {
        200..=299 => DeliveryOutcome::Sent,
        404 | 410 => DeliveryOutcome::Gone,
        429 | 500..=599 => retry(retry_after, attempts, now_ms),
        _ => DeliveryOutcome::Failed,
    }
}

/// A retry after `Retry-After` (seconds or an HTTP date), else after an exponential backoff;
/// `Failed` after [`MAX_ATTEMPTS`].
pub fn retry(retry_after: Option<&str>, attempts: i64, now_ms: i64) -> DeliveryOutcome {
    if attempts >= MAX_ATTEMPTS {
        return DeliveryOutcome::Failed;
    }
    let asked = retry_after.and_then(|v| {
        let v = v.trim();
        v.parse::<i64>().ok().map(|s| s.saturating_mul(1000)).or_else(|| {
            chrono::DateTime::parse_from_rfc2822(v).ok().map(|t| t.timestamp_millis() - now_ms)
        })
    });
    let backoff = BACKOFF_BASE_MS.saturating_mul(1 << (attempts - 1).clamp(0, 20));
    let delay = asked.unwrap_or(backoff).clamp(0, BACKOFF_MAX_MS);
    DeliveryOutcome::Retry { due_ms: now_ms + delay }
}

/// Sends push messages. Shared by the worker's request tasks.
#[derive(Debug)]
pub struct Sender {
    client: reqwest::Client,
    vapid: Arc<VapidKey>,
    contact: String,
    /// The operator's extra origins (`--push-allow`): every endpoint is checked again before
    /// a request, so a subscription stored under an older allowlist is not called.
    allowed: Vec<String>,
    /// VAPID headers by push service origin, with their expiry (UTC ms). A std mutex: held
    /// for a map lookup or insert, never across an await. Lives with the sender.
    tokens: Mutex<HashMap<String, (String, i64)>>,
}

impl Sender {
    /// A sender signing with `vapid`, naming `contact` (`mailto:` or `https:`) in its tokens,
    /// calling only known push services and the `allowed` origins.
    pub fn new(vapid: Arc<VapidKey>, contact: String, allowed: Vec<String>) -> Sender {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(CONCURRENCY)
            .pool_idle_timeout(Duration::from_secs(90))
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .expect("the push HTTP client builds");
        Sender { client, vapid, contact, allowed, tokens: Mutex::new(HashMap::new()) }
    }

    fn authorization(&self, endpoint: &http::Uri, now_ms: i64) -> Result<String, String> {
        let origin = format!(
            "{}://{}",
            endpoint.scheme_str().unwrap_or_default(),
            endpoint.authority().map(|a| a.as_str()).unwrap_or_default()
        );
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = now_ms + (VAPID_VALID.as_millis() as i64) / 2;
        if let Some((header, expires)) = tokens.get(&origin)
            && *expires > fresh
        {
            return Ok(header.clone());
        }
        let signature =
            VapidSignature::sign(endpoint, VAPID_VALID, &self.contact, self.vapid.pair())
                .map_err(|e| e.to_string())?;
        let header = signature.to_string();
        tokens.insert(origin, (header.clone(), now_ms + VAPID_VALID.as_millis() as i64));
        Ok(header)
    }

    /// Encrypts and sends one delivery; what became of it.
    pub async fn send(&self, job: &PushJob, now_ms: i64) -> DeliveryOutcome {
        if let Err(e) = super::endpoint::check(&job.endpoint, &self.allowed) {
            tracing::warn!(delivery = job.delivery, error = %e, "push endpoint no longer allowed");
            return DeliveryOutcome::Failed;
        }
        let uri: http::Uri = match job.endpoint.parse() {
            Ok(u) => u,
            Err(_) => return DeliveryOutcome::Failed,
        };
        let auth = match self.authorization(&uri, now_ms) {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(error = %e, "VAPID signature failed");
                return retry(None, job.attempts, now_ms);
            }
        };
        let body = match encrypt(job) {
            Some(b) => b,
            None => return DeliveryOutcome::Failed,
        };
        let request = self
            .client
            .post(&job.endpoint)
            .header("TTL", ttl(&job.event, now_ms).to_string())
            .header("Urgency", urgency(&job.event))
            .header("Topic", topic(&job.event.about))
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", auth)
            .body(body);
        match request.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                // Read the (small) body so that the connection goes back to the pool.
                let _ = resp.bytes().await;
                let outcome = classify(status, retry_after.as_deref(), job.attempts, now_ms);
                if !matches!(outcome, DeliveryOutcome::Sent) {
                    tracing::info!(
                        delivery = job.delivery,
                        status,
                        attempts = job.attempts,
                        outcome = ?outcome,
                        "push not accepted"
                    );
                }
                outcome
            }
            Err(e) => {
                tracing::info!(delivery = job.delivery, error = %e, "push request failed");
                retry(None, job.attempts, now_ms)
            }
        }
    }
}

/// The message JSON of an event, as every device receives it.
pub fn payload(event: &Event) -> Vec<u8> {
    serde_json::to_vec(&message(event)).expect("messages serialise")
}

/// The encrypted body of a delivery; `None` if the stored keys are unusable.
pub fn encrypt(job: &PushJob) -> Option<Vec<u8>> {
    super::ece::encrypt(&job.payload, &job.p256dh, &job.auth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartable_shared::notify::Category;

    fn event(text: EventText, class: Option<(i64, i64)>) -> Event {
        Event {
            category: Category::ClassCancelled,
            text,
            about: "timetable:l2-info-a/s1".into(),
            url: "/?view=week&session=s1".into(),
            class,
            at_ms: 5,
        }
    }

    #[test]
    fn answers_become_sent_gone_retry_or_failed() {
        let now = 1_000_000;
        assert_eq!(classify(201, None, 1, now), DeliveryOutcome::Sent);
        assert_eq!(classify(404, None, 1, now), DeliveryOutcome::Gone);
        assert_eq!(classify(410, None, 1, now), DeliveryOutcome::Gone);
        assert_eq!(classify(413, None, 1, now), DeliveryOutcome::Failed);
        assert_eq!(classify(400, None, 1, now), DeliveryOutcome::Failed);
        assert_eq!(classify(429, Some("7"), 1, now), DeliveryOutcome::Retry { due_ms: now + 7000 });
        let date = chrono::DateTime::from_timestamp_millis(now + 60_000).unwrap().to_rfc2822();
        assert_eq!(
            classify(503, Some(&date), 1, now),
            DeliveryOutcome::Retry { due_ms: now + 60_000 }
        );
        // Exponential backoff without Retry-After, capped; given up after MAX_ATTEMPTS.
        assert_eq!(classify(500, None, 1, now), DeliveryOutcome::Retry { due_ms: now + 2_000 });
        assert_eq!(classify(502, None, 3, now), DeliveryOutcome::Retry { due_ms: now + 8_000 });
        assert_eq!(
            classify(429, Some("999999"), 2, now),
            DeliveryOutcome::Retry { due_ms: now + BACKOFF_MAX_MS }
        );
        assert_eq!(classify(503, None, MAX_ATTEMPTS, now), DeliveryOutcome::Failed);
    }

    #[test]
    fn the_message_carries_both_languages_a_topic_and_the_deep_link() {
        let e = event(
            EventText::Session {
                subject: "Réseaux".into(),
                start_ms: 1_795_676_400_000,
                zone: "Europe/Paris".into(),
                rooms: vec!["B12".into()],
                probably: false,
            },
            Some((1_795_676_400_000, 1_795_680_000_000)),
        );
        let json = serde_json::to_value(message(&e)).unwrap();
        assert_eq!(json["category"], "class_cancelled");
        assert_eq!(json["title"], "Cours annulé · Réseaux");
        assert_eq!(json["texts"]["en"]["title"], "Class cancelled · Réseaux");
        assert_eq!(json["url"], "/?view=week&session=s1");
        let tag = json["tag"].as_str().unwrap();
        assert_eq!(tag.len(), 32);
        assert!(tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(tag, topic("timetable:l2-info-a/s1"), "the same session, the same topic");
        assert_ne!(tag, topic("timetable:l2-info-a/s2"));
        // The payload decodes as shared's PushPayload (what the app reads).
        let p: PushPayload = serde_json::from_value(json).unwrap();
        assert_eq!(p.at_ms, 5);
        assert_eq!(urgency(&e), "high");
        assert_eq!(ttl(&e, 1_795_676_400_000 - 3_600_000), 7200, "until the class ends");
        assert_eq!(ttl(&e, 1_795_680_000_000 + 1), 60, "at least a minute");
    }
}
