//! `DELETE /{type}/{id}` (RFC 7644 §3.6): `204`, honouring `If-Match`.

use bytes::Bytes;
use http::{Response, StatusCode};

use super::{Context, empty_response};
use crate::error::ScimError;
use crate::schema::definition::ResourceType;
use crate::wire::etag::Condition;

pub(crate) async fn delete(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
) -> Result<Response<Bytes>, ScimError> {
    delete_resource(ctx, rt, id, ctx.if_match()?.as_ref()).await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

/// Deletes a resource, honouring a version condition (shared with Bulk and `/Me`).
pub(crate) async fn delete_resource(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
    if_match: Option<&Condition>,
) -> Result<(), ScimError> {
    let expected = ctx.expected_version(rt, id, if_match).await?;
    Ok(ctx
        .store()
        .delete(&ctx.store_ctx, rt, id, expected.as_deref())
        .await?)
}
