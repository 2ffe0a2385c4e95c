//! HTTP to domain and back: query parameters, `.search` bodies, content types,
//! `Location`, `ETag` and the conditional headers.

pub(crate) mod etag;
pub(crate) mod location;
pub(crate) mod media;
pub(crate) mod query;
