//! The request pipeline: route, authenticate, rate-limit, dispatch, render.

use bytes::Bytes;
use http::{Request, Response};

use crate::error::ScimError;
use crate::server::Inner;

/// Handles one request; never panics.
pub(crate) async fn handle(_inner: &Inner, _request: Request<Bytes>) -> Response<Bytes> {
    ScimError::not_implemented("the engine is being built").to_response()
}
