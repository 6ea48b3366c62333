//! Which push endpoints the server accepts: only `https` endpoints of known push services, so
//! that a subscription can never make the server call an arbitrary or internal address.
//! An operator may allow more origins exactly (`--push-allow`, e.g. a fake service in tests).

use http::Uri;

/// Hosts of the known push services; a host matches itself or any subdomain (dot boundary).
pub const KNOWN_PUSH_HOSTS: &[&str] = &[
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "push.services.mozilla.com",
    "web.push.apple.com",
    "notify.windows.com",
];

/// Why an endpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("push endpoint refused: {0}")]
pub struct EndpointRefused(pub &'static str);

/// `scheme://host[:port]` of an allowed origin, lower-cased; `None` if it is not one.
pub fn normalise_origin(origin: &str) -> Option<String> {
    let uri: Uri = origin.trim_end_matches('/').parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?.as_str().to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") || authority.contains('@') {
        return None;
    }
    if uri.path_and_query().is_some_and(|p| p.as_str() != "/" && !p.as_str().is_empty()) {
        return None;
    }
    Some(format!("{scheme}://{authority}"))
}

/// Accepts `endpoint` if its origin is one of `allowed` (exactly, as normalised by
/// [`normalise_origin`]) or it is an `https` URL on the default port of a known push service.
pub fn check(endpoint: &str, allowed: &[String]) -> Result<(), EndpointRefused> {
    if endpoint.len() > 2048 {
        return Err(EndpointRefused("too long"));
    }
    let uri: Uri = endpoint.parse().map_err(|_| EndpointRefused("not a URL"))?;
    let scheme = uri.scheme_str().ok_or(EndpointRefused("not an absolute URL"))?;
    let authority = uri.authority().ok_or(EndpointRefused("no host"))?;
    if authority.as_str().contains('@') {
        return Err(EndpointRefused("user information in the URL"));
    }
    let origin = format!("{}://{}", scheme, authority.as_str()).to_ascii_lowercase();
    if allowed.contains(&origin) {
        return Ok(());
    }
    if !scheme.eq_ignore_ascii_case("https") {
        return Err(EndpointRefused("not https"));
    }
    if authority.port_u16().is_some_and(|p| p != 443) {
        return Err(EndpointRefused("not the default port"));
    }
    let host = authority.host().to_ascii_lowercase();
    if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
        return Err(EndpointRefused("an IP address"));
    }
    let known = KNOWN_PUSH_HOSTS
        .iter()
        .any(|k| host == *k || host.strip_suffix(k).is_some_and(|p| p.ends_with('.')));
    if !known || host.starts_with('.') || host.contains("..") {
        return Err(EndpointRefused("not a known push service"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_push_services_over_https_are_accepted() {
        for e in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
            "https://web.push.apple.com/QGx2",
            "https://wns2-par02p.notify.windows.com/w/?token=AAA",
            "https://FCM.googleapis.com:443/x",
        ] {
            assert_eq!(check(e, &[]), Ok(()), "{e}");
        }
    }

    #[test]
    fn anything_else_is_refused_unless_its_origin_is_allowed_exactly() {
        for e in [
            "http://fcm.googleapis.com/x",
            "https://fcm.googleapis.com:8443/x",
            "https://evilfcm.googleapis.com.attacker.net/x",
            "https://notfcm.googleapis.com/x",
            "https://fcm.googleapis.com.evil.net/x",
            "https://user:pw@fcm.googleapis.com/x",
            "https://127.0.0.1/x",
            "https://10.0.0.1/x",
            "https://[::1]/x",
            "https://localhost/x",
            "https://metadata.google.internal/x",
            "http://127.0.0.1:43123/push/1",
            "ftp://fcm.googleapis.com/x",
            "/relative",
        ] {
            assert!(check(e, &[]).is_err(), "{e} is refused");
        }
        let allowed = vec![normalise_origin("http://127.0.0.1:43123").unwrap()];
        assert_eq!(check("http://127.0.0.1:43123/push/1", &allowed), Ok(()));
        assert!(check("http://127.0.0.1:43124/push/1", &allowed).is_err());
        assert!(check("http://u@127.0.0.1:43123/push/1", &allowed).is_err());
    }

    #[test]
    fn allowed_origins_are_normalised_and_paths_refused() {
        assert_eq!(
            normalise_origin("HTTP://127.0.0.1:43123/").as_deref(),
            Some("http://127.0.0.1:43123")
        );
        assert_eq!(normalise_origin("http://127.0.0.1:43123/push"), None);
        assert_eq!(normalise_origin("file:///etc"), None);
    }
}
