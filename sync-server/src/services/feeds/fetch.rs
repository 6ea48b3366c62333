//! Fetching a feed URL without letting it reach what it should not: only `http(s)` URLs with no
//! user information, whose host resolves to public addresses only (no loopback, private,
//! link-local, shared, documentation, multicast… ranges), unless the operator allowed the exact
//! origin (`--feed-allow`, e.g. a test feed on loopback). The connection goes to the address
//! that was checked (no second DNS answer), redirects are followed by hand and each target is
//! checked again, and the body is cut off past a size limit.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};

/// Longest accepted feed, in bytes.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Longest a whole fetch (each hop) may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;

/// Why a fetch failed. The message is shown to the administrator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The URL (or a redirect's target) is not allowed.
    #[error("address refused: {0}")]
    Refused(String),
    /// The host could not be resolved or reached, or the connection failed.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The server answered with an error status.
    #[error("the server answered HTTP {0}")]
    Status(u16),
    /// The feed is larger than [`MAX_BYTES`].
    #[error("the feed is larger than {MAX_BYTES} bytes")]
    TooLarge,
    /// Too many redirects.
    #[error("too many redirects")]
    Redirects,
}

/// What the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// `304 Not Modified`: the validators matched.
    NotModified,
    /// A new body, with its validators for the next fetch.
    Body {
        /// The feed's text (invalid UTF-8 replaced).
        text: String,
        /// The `ETag` header.
        etag: Option<String>,
        /// The `Last-Modified` header.
        last_modified: Option<String>,
    },
}

/// Whether an address is on the public Internet (not loopback, private, link-local, shared,
/// documentation, benchmarking, multicast, reserved, or an IPv6 form of one of those).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) embeds an IPv4 address: judge that one.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return is_public_v4(v4);
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || s[0..6] == [0, 0, 0, 0, 0, 0])
}

/// `scheme://host[:port]` of a URL, lower-cased, the way `--feed-allow` origins are written.
fn origin(url: &Url) -> String {
    match url.port() {
        Some(p) => format!("{}://{}:{p}", url.scheme(), url.host_str().unwrap_or_default()),
        None => format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default()),
    }
    .to_ascii_lowercase()
}

/// Checks the shape of a feed URL (scheme, no user information, a host, a sane length);
/// the addresses it resolves to are checked at fetch time.
pub fn check_url(url: &str) -> Result<Url, FetchError> {
    if url.len() > 2048 {
        return Err(FetchError::Refused("the URL is too long".into()));
    }
    let parsed =
        Url::parse(url.trim()).map_err(|e| FetchError::Refused(format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError::Refused("only http and https URLs".into()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(FetchError::Refused("user information in the URL".into()));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(FetchError::Refused("no host".into()));
    }
    Ok(parsed)
}

/// [`check_url`], and the address rules when the host resolves now (a host that does not
/// resolve yet is accepted: its fetches will say why they fail).
pub async fn check_address(url: &str, allowed: &[String]) -> Result<Url, FetchError> {
    let parsed = check_url(url)?;
    match resolve(&parsed, allowed).await {
        Err(FetchError::Refused(why)) => Err(FetchError::Refused(why)),
        _ => Ok(parsed),
    }
}

/// The addresses to connect to for `url`: its resolved addresses, all public, or whatever it
/// resolves to if its origin is allowed.
async fn resolve(url: &Url, allowed: &[String]) -> Result<Vec<SocketAddr>, FetchError> {
    let host = url.host_str().ok_or_else(|| FetchError::Refused("no host".into()))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match literal.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| FetchError::Unreachable(format!("resolving {host} timed out")))?
            .map_err(|e| FetchError::Unreachable(format!("cannot resolve {host}: {e}")))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(FetchError::Unreachable(format!("{host} has no address")));
    }
    if allowed.contains(&origin(url)) {
        return Ok(addrs);
    }
    if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(FetchError::Refused(format!(
            "{host} is a private or local address ({})",
            bad.ip()
        )));
    }
    Ok(addrs)
}

/// Fetches `url`, sending the validators of the previous fetch; follows redirects (each
/// target checked like the first URL).
pub async fn fetch(
    url: &str,
    allowed: &[String],
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> Result<Fetched, FetchError> {
    let mut current = check_url(url)?;
    for _ in 0..=MAX_REDIRECTS {
        let addrs = resolve(&current, allowed).await?;
        let host = current.host_str().unwrap_or_default().to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("Cartable/", env!("CARGO_PKG_VERSION"), " (calendar import)"))
            .resolve_to_addrs(&host, &addrs)
            .build()
            .map_err(|e| FetchError::Unreachable(format!("client: {e}")))?;
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/calendar, */*;q=0.5"));
        if let Some(v) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
            headers.insert(header::IF_NONE_MATCH, v);
        }
        if let Some(v) = last_modified.and_then(|e| HeaderValue::from_str(e).ok()) {
            headers.insert(header::IF_MODIFIED_SINCE, v);
        }
        let mut response = client
            .get(current.clone())
            .headers(headers)
            .send()
            .await
            .map_err(|e| FetchError::Unreachable(without_url(&e)))?;
        let status = response.status();
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or(FetchError::Status(status.as_u16()))?;
            let next = current
                .join(location)
                .map_err(|_| FetchError::Refused("a redirect to an invalid URL".into()))?;
            current = check_url(next.as_str())?;
            continue;
        }
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        if response.content_length().is_some_and(|n| n > MAX_BYTES as u64) {
            return Err(FetchError::TooLarge);
        }
        let text_header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(String::from)
        };
        let etag = text_header(header::ETAG);
        let last_modified = text_header(header::LAST_MODIFIED);
        let mut body = Vec::new();
        while let Some(chunk) =
            response.chunk().await.map_err(|e| FetchError::Unreachable(without_url(&e)))?
        {
            if body.len() + chunk.len() > MAX_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8_lossy(&body).into_owned();
        return Ok(Fetched::Body { text, etag, last_modified });
    }
    Err(FetchError::Redirects)
}

/// A reqwest error's message without the URL (which may hold a secret token).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the body could not be read"
    } else {
        "request failed"
    };
    kind.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in
            ["193.51.24.1", "8.8.8.8", "2001:660:3001::1", "::ffff:8.8.8.8", "64:ff9b::808:808"]
        {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn only_plain_http_urls_without_credentials_are_accepted() {
        assert!(check_url("https://ade.univ.example/jsp/custom/modules/plannings/anonymous_cal.jsp?resources=1234").is_ok());
        for bad in [
            "ftp://x.example/a.ics",
            "file:///etc/passwd",
            "https://u:p@x.example/a",
            "/relative",
            "webcal",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_private_address_is_refused_unless_its_origin_is_allowed() {
        let url = check_url("http://127.0.0.1:9/feed.ics").unwrap();
        assert!(matches!(resolve(&url, &[]).await, Err(FetchError::Refused(_))));
        let allowed = vec!["http://127.0.0.1:9".to_owned()];
        assert!(resolve(&url, &allowed).await.is_ok());
        let other_port = check_url("http://127.0.0.1:10/feed.ics").unwrap();
        assert!(matches!(resolve(&other_port, &allowed).await, Err(FetchError::Refused(_))));
        let localhost = check_url("http://localhost:9/feed.ics").unwrap();
        assert!(matches!(resolve(&localhost, &[]).await, Err(FetchError::Refused(_))));
    }
}
