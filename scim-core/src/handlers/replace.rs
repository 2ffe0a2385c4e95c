//! `PUT /{type}/{id}` (RFC 7644 §3.5.1): a full replace, honouring `If-Match`.

use bytes::Bytes;
use http::{Response, StatusCode};

use super::{Context, RequestBody, check_if_match};
use crate::error::ScimError;
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::wire::etag::Condition;

pub(crate) async fn replace(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
    body: RequestBody,
) -> Result<Response<Bytes>, ScimError> {
    let projection = ctx.projection()?;
    let resource = body.into_resource(rt, &ctx.config.validation)?;
    let replaced = replace_resource(ctx, rt, id, resource, ctx.if_match()?.as_ref()).await?;
    Ok(ctx.resource_response(StatusCode::OK, rt, replaced, &projection, false))
}

/// Validates a replacement against the current resource and stores it (shared with
/// Bulk and `/Me`).
pub(crate) async fn replace_resource(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
    mut resource: Resource,
    if_match: Option<&Condition>,
) -> Result<Resource, ScimError> {
    let options = &ctx.config.validation;
    let existing = ctx.store().get(&ctx.store_ctx, rt, id).await?;
    let expected = match if_match {
        Some(condition) => check_if_match(condition, &existing)?,
        None => None,
    };
    resource.validate_for_replace(&existing, rt, options)?;
    super::limits::check_resource(ctx.config, &resource)?;
    // A replacement without a password keeps the stored one: the store sees to that.
    super::password::protect_resource(ctx, rt, &mut resource).await?;
    Ok(ctx
        .store()
        .replace(&ctx.store_ctx, rt, id, resource, expected.as_deref())
        .await?)
}
