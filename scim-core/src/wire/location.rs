//! Absolute URLs for `Location` and `meta.location`: from the configured base URL, or
//! from the request (`Host`, and `X-Forwarded-Proto`/`X-Forwarded-Host` only when
//! trusted) plus the [`MountPrefix`](crate::MountPrefix).

use http::request::Parts;

use super::MountPrefix;
use crate::config::ServerConfig;

/// The prefix a request's [`MountPrefix`] extension gives, if any, as [`mount_prefix`]
/// keeps it.
pub(crate) fn mount_prefix_of(parts: &Parts) -> &str {
    parts
        .extensions
        .get::<MountPrefix>()
        .map_or("", |p| mount_prefix(&p.0))
}

/// `prefix` without a trailing slash, or nothing when it is not a plain absolute path
/// (it goes into every URL the engine writes).
pub(crate) fn mount_prefix(prefix: &str) -> &str {
    Some(prefix.trim_end_matches('/'))
        .filter(|p| p.starts_with('/') && !p.contains(['?', '#', ' ']))
        .unwrap_or_default()
}

/// The tenant's base URL, `{scheme}://{host}{prefix}/{tenant}`, without a trailing
/// slash. `prefix` is where the API is mounted, as [`mount_prefix`] keeps it;
/// `tenant_segment` is the tenant as it appeared (still encoded) in the path.
pub(crate) fn tenant_base(
    config: &ServerConfig,
    parts: &Parts,
    prefix: &str,
    tenant_segment: &str,
) -> String {
    // Built on every request: joined by hand into one allocation, not formatted.
    let join = |pieces: &[&str]| {
        let mut url = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
        pieces.iter().for_each(|p| url.push_str(p));
        url
    };
    if let Some(base) = &config.base_url {
        return join(&[base, "/", tenant_segment]);
    }
    let forwarded = |name: &str| {
        config
            .trust_forwarded_headers
            .then(|| first_value(parts, name))
            .flatten()
    };
    let scheme = forwarded("x-forwarded-proto")
        .and_then(|s| {
            ["http", "https"]
                .into_iter()
                .find(|known| s.eq_ignore_ascii_case(known))
        })
        .or_else(|| parts.uri.scheme_str())
        .unwrap_or("http");
    let host = forwarded("x-forwarded-host")
        .or_else(|| first_value(parts, "host"))
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .filter(|h| is_host(h));
    match host {
        Some(host) => join(&[scheme, "://", host, prefix, "/", tenant_segment]),
        // No host at all: a path-absolute reference is the best there is.
        None => join(&[prefix, "/", tenant_segment]),
    }
}

fn first_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get(name)?
        .to_str()
        .ok()?
        .split(',')
        .next()
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// A host name with an optional port, or a bracketed IPv6 literal: nothing that could
/// change the URL's structure.
fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']' | b'_')
        })
}

#[cfg(test)]
mod tests {
    use http::Request;

    use super::*;

    fn parts(uri: &str, headers: &[(&str, &str)], prefix: Option<&str>) -> Parts {
        let mut b = Request::get(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let mut r = b.body(()).unwrap();
        if let Some(p) = prefix {
            r.extensions_mut().insert(MountPrefix(p.into()));
        }
        r.into_parts().0
    }

    #[test]
    fn the_configured_base_url_wins() {
        let config = ServerConfig {
            base_url: Some("https://app.example.com/scim/v2".into()),
            ..ServerConfig::default()
        };
        let p = parts("/acme/Users", &[("host", "evil.example")], Some("/x"));
        assert_eq!(
            tenant_base(&config, &p, mount_prefix_of(&p), "acme"),
            "https://app.example.com/scim/v2/acme"
        );
    }

    #[test]
    fn host_and_mount_prefix() {
        let config = ServerConfig::default();
        let p = parts(
            "/acme/Users",
            &[("host", "localhost:8080")],
            Some("/scim/v2/"),
        );
        assert_eq!(
            tenant_base(&config, &p, mount_prefix_of(&p), "acme"),
            "http://localhost:8080/scim/v2/acme"
        );
        let p = parts("https://h.example/acme/Users", &[], None);
        assert_eq!(
            tenant_base(&config, &p, mount_prefix_of(&p), "acme"),
            "https://h.example/acme"
        );
        let p = parts("/acme/Users", &[], Some("/scim"));
        assert_eq!(
            tenant_base(&config, &p, mount_prefix_of(&p), "acme"),
            "/scim/acme"
        );
        let p = parts("/acme/Users", &[("host", "a.example/evil?")], None);
        assert_eq!(
            tenant_base(&config, &p, mount_prefix_of(&p), "acme"),
            "/acme"
        );
    }

    #[test]
    fn forwarded_headers_only_when_trusted() {
        let headers = [
            ("host", "internal:8080"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "app.example.com, proxy"),
        ];
        let p = parts("/acme/Users", &headers, Some("/scim/v2"));
        let untrusted = ServerConfig::default();
        assert_eq!(
            tenant_base(&untrusted, &p, mount_prefix_of(&p), "acme"),
            "http://internal:8080/scim/v2/acme"
        );
        let trusted = ServerConfig {
            trust_forwarded_headers: true,
            ..ServerConfig::default()
        };
        assert_eq!(
            tenant_base(&trusted, &p, mount_prefix_of(&p), "acme"),
            "https://app.example.com/scim/v2/acme"
        );
    }

    #[test]
    fn a_mount_prefix_is_a_plain_absolute_path_without_its_trailing_slash() {
        assert_eq!(mount_prefix("/scim/v2"), "/scim/v2");
        assert_eq!(mount_prefix("/scim/v2//"), "/scim/v2");
        for ignored in ["", "/", "scim/v2", "/scim?x", "/scim#x", "/sc im"] {
            assert_eq!(mount_prefix(ignored), "", "{ignored:?}");
        }
    }
}
