//! `PATCH /{type}/{id}` (RFC 7644 §3.5.2): `200` with the resource or `204`, by
//! configuration; honours `If-Match`.

use bytes::Bytes;
use http::Response;

use super::Context;
use crate::error::ScimError;
use crate::schema::definition::ResourceType;

pub(crate) async fn patch(
    _ctx: &Context<'_>,
    _rt: &ResourceType,
    _id: &str,
    _body: &[u8],
) -> Result<Response<Bytes>, ScimError> {
    Err(ScimError::not_implemented("PATCH is being built"))
}

/// Applies a PATCH message and returns the patched resource (shared with Bulk and `/Me`).
pub(crate) async fn patch_resource(
    _ctx: &Context<'_>,
    _rt: &ResourceType,
    _id: &str,
    _message: serde_json::Value,
    _if_match: Option<&crate::wire::etag::Condition>,
) -> Result<crate::resource::Resource, ScimError> {
    Err(ScimError::not_implemented("PATCH is being built"))
}
