//! HTTP to domain and back: query parameters, `.search` bodies, content types,
//! `Location`, `ETag` and the conditional headers.

pub(crate) mod etag;
pub(crate) mod form;
pub(crate) mod location;
pub(crate) mod media;
pub(crate) mod query;
pub(crate) mod strict_json;

/// `value` as a header value, taking over its buffer: no copy when the string fills its
/// capacity, as one built to its exact length does. `None` for bytes a header value
/// cannot hold.
pub(crate) fn header_value(value: String) -> Option<http::HeaderValue> {
    http::HeaderValue::from_maybe_shared(bytes::Bytes::from(value)).ok()
}

/// The URL path prefix at which a host app mounts the engine, e.g. `/scim/v2`, for a
/// request whose path starts at the tenant ([`ScimServer::handle`](crate::ScimServer::handle)):
/// an adapter (`scim-actix`) puts it in the request extensions so that the engine can
/// build absolute `Location` and `meta.location` URLs when no base URL is configured.
/// [`ScimServer::handle_at`](crate::ScimServer::handle_at) is told the prefix instead.
///
/// ```
/// use scim_core::MountPrefix;
/// let mut request = http::Request::new(bytes::Bytes::new());
/// request.extensions_mut().insert(MountPrefix("/scim/v2".into()));
/// assert_eq!(request.extensions().get::<MountPrefix>().unwrap().0, "/scim/v2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MountPrefix(pub String);

/// The network address of the client that sent a request, as the adapter saw it (the
/// peer of the connection) or as the host app knows it (behind a reverse proxy, from a
/// forwarded header it trusts). Failed authentications are rate-limited by it, so that a
/// client guessing keys is stopped no matter which tenant paths it tries.
///
/// Behind a proxy, every request comes from the proxy's address: a host app there must
/// insert the real client's address, or all clients share one failed-authentication
/// budget.
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr};
/// use scim_core::ClientAddr;
/// let mut request = http::Request::new(bytes::Bytes::new());
/// request.extensions_mut().insert(ClientAddr(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))));
/// assert!(request.extensions().get::<ClientAddr>().is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub std::net::IpAddr);

#[cfg(test)]
mod tests {
    #[test]
    fn a_header_value_is_taken_over_whole_or_refused() {
        let value = super::header_value("W/\"3\"".to_owned());
        assert_eq!(value.as_ref().map(|v| v.as_bytes()), Some(&b"W/\"3\""[..]));
        let mut spare = String::with_capacity(64);
        spare.push_str("https://app.example.com/scim/v2/acme/Users/1");
        assert_eq!(
            super::header_value(spare).as_ref().map(|v| v.as_bytes()),
            Some(&b"https://app.example.com/scim/v2/acme/Users/1"[..])
        );
        assert_eq!(super::header_value("a\r\nSet-Cookie: x".to_owned()), None);
    }
}
