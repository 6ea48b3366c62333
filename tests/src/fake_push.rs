//! [`FakePush`]: the fake Web Push service of `tests/fake_push/fake_push.py` as a child
//! process, with its control API (see the comment at the top of that file).
//!
//! The interpreter is `$CARTABLE_FAKE_PUSH_PYTHON`, else the venv that `cargo xtask test`
//! creates under `target/fake-push-venv` (it holds the pinned `http-ece` and `cryptography`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::{TIMEOUT, bounded, http};

/// The fake push service; killed when dropped.
#[derive(Debug)]
pub struct FakePush {
    /// `http://127.0.0.1:PORT`, the origin to pass to `--push-allow`.
    pub origin: String,
    /// The child process; `kill_on_drop` ends it with this value.
    _child: Child,
}

/// A subscription made by the fake service: what `PushSubscription.toJSON()` would give.
#[derive(Debug, Clone)]
pub struct FakeSubscription {
    /// The service's id of it (the last segment of the endpoint).
    pub id: String,
    /// `http://127.0.0.1:PORT/push/ID`.
    pub endpoint: String,
    /// `{"p256dh": …, "auth": …}`.
    pub keys: Value,
}

/// The interpreter that runs the fake service.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CARTABLE_FAKE_PUSH_PYTHON") {
        return p.into();
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or(root.join("target"), |t| root.join(t));
    target.join("fake-push-venv").join("bin").join("python")
}

/// The script of the fake service.
pub fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fake_push").join("fake_push.py")
}

impl FakePush {
    /// Starts the service and waits (bounded) for its `listening on` line.
    pub async fn start() -> anyhow::Result<Self> {
        let python = python();
        if !python.exists() {
            bail!(
                "{} is missing: run `cargo xtask test` once (it creates the fake push service's \
                 venv), or set CARTABLE_FAKE_PUSH_PYTHON to a python with tests/fake_push/requirements.txt",
                python.display()
            );
        }
        let mut child = Command::new(&python)
            .arg(script())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", python.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = bounded("fake push service start", lines.next_line())
            .await??
            .ok_or_else(|| anyhow!("the fake push service exited before listening"))?;
        let origin = line
            .strip_prefix("listening on ")
            .ok_or_else(|| anyhow!("unexpected first line of the fake push service: {line}"))?
            .to_string();
        Ok(Self { origin, _child: child })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.origin, path)
    }

    /// `POST /subscriptions`: a new subscription with its own keys.
    pub async fn subscribe(&self) -> anyhow::Result<FakeSubscription> {
        let resp = bounded(
            "fake subscribe",
            http().post(self.url("/subscriptions")).json(&json!({})).send(),
        )
        .await??;
        if resp.status() != 201 {
            bail!("fake push: POST /subscriptions answered {}", resp.status());
        }
        let v: Value = resp.json().await?;
        Ok(FakeSubscription {
            id: v["id"].as_str().context("id")?.to_string(),
            endpoint: v["endpoint"].as_str().context("endpoint")?.to_string(),
            keys: v["keys"].clone(),
        })
    }

    /// `DELETE /subscriptions/ID`: later pushes to it are answered 410.
    pub async fn expire(&self, sub: &FakeSubscription) -> anyhow::Result<()> {
        let resp = bounded(
            "fake expire",
            http().delete(self.url(&format!("/subscriptions/{}", sub.id))).send(),
        )
        .await??;
        if resp.status() != 204 {
            bail!("fake push: DELETE answered {}", resp.status());
        }
        Ok(())
    }

    /// `POST /script`: the next answers to pushes for `sub`, e.g.
    /// `json!([{"status": 429, "retry_after": 1}])`.
    pub async fn script(&self, sub: &FakeSubscription, responses: Value) -> anyhow::Result<()> {
        let body = json!({"subscription": sub.id, "responses": responses});
        let resp =
            bounded("fake script", http().post(self.url("/script")).json(&body).send()).await??;
        if resp.status() != 204 {
            bail!("fake push: POST /script answered {}", resp.status());
        }
        Ok(())
    }

    async fn list(&self, what: &str, sub: Option<&FakeSubscription>) -> anyhow::Result<Vec<Value>> {
        let path = match sub {
            Some(s) => format!("/{what}?subscription={}", s.id),
            None => format!("/{what}"),
        };
        let resp = bounded("fake list", http().get(self.url(&path)).send()).await??;
        Ok(resp.json().await?)
    }

    /// `GET /messages`: the accepted (2xx) pushes, decrypted, oldest first.
    pub async fn messages(&self, sub: Option<&FakeSubscription>) -> anyhow::Result<Vec<Value>> {
        self.list("messages", sub).await
    }

    /// `GET /attempts`: every push request with the status it got.
    pub async fn attempts(&self, sub: Option<&FakeSubscription>) -> anyhow::Result<Vec<Value>> {
        self.list("attempts", sub).await
    }

    /// Polls `GET /messages` until `pred` holds on the list, for at most `within` (bounded).
    pub async fn wait_messages(
        &self,
        sub: Option<&FakeSubscription>,
        within: Duration,
        pred: impl Fn(&[Value]) -> bool,
    ) -> anyhow::Result<Vec<Value>> {
        let deadline = tokio::time::Instant::now() + within.min(TIMEOUT * 3);
        loop {
            let got = self.messages(sub).await?;
            if pred(&got) {
                return Ok(got);
            }
            if tokio::time::Instant::now() >= deadline {
                bail!("fake push: condition not met within {within:?}; messages: {got:#?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
