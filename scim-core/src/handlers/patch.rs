//! `PATCH /{type}/{id}` (RFC 7644 §3.5.2): `200` with the resource or `204`, by
//! configuration; honours `If-Match`.

use bytes::Bytes;
use http::header::ETAG;
use http::{Response, StatusCode};
use serde_json::Value;

use super::{Context, empty_response};
use crate::config::PatchResponse;
use crate::error::ScimError;
use crate::filter::AttrPath;
use crate::patch::PatchRequest;
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::wire::etag::Condition;

pub(crate) async fn patch(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
    body: &[u8],
) -> Result<Response<Bytes>, ScimError> {
    let projection = ctx.projection()?;
    let request = PatchRequest::parse(body, rt, &ctx.inner.config.patch)?;
    let if_match = ctx.if_match()?;
    match ctx.inner.config.patch_response {
        PatchResponse::Body => {
            let patched = apply(
                ctx,
                rt,
                id,
                &request,
                if_match.as_ref(),
                &projection.excluded_attributes,
            )
            .await?;
            Ok(ctx.resource_response(StatusCode::OK, rt, patched, &projection, false))
        }
        PatchResponse::NoContent => {
            // Nothing of the resource is sent back: let the store skip materializing a
            // large group's members.
            let patched = apply(
                ctx,
                rt,
                id,
                &request,
                if_match.as_ref(),
                &[AttrPath::new("members")],
            )
            .await?;
            let mut response = empty_response(StatusCode::NO_CONTENT);
            if let Some(tag) = ctx.etag_header(&patched) {
                response.headers_mut().insert(ETAG, tag);
            }
            Ok(response)
        }
    }
}

/// Applies a PATCH message and returns the patched resource (shared with Bulk).
pub(crate) async fn patch_resource(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
    message: Value,
    if_match: Option<&Condition>,
) -> Result<Resource, ScimError> {
    let request = PatchRequest::from_value(message, rt, &ctx.inner.config.patch)?;
    apply(ctx, rt, id, &request, if_match, &[]).await
}

async fn apply(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
    request: &PatchRequest,
    if_match: Option<&Condition>,
    excluded: &[AttrPath],
) -> Result<Resource, ScimError> {
    if !ctx.inner.config.change_password && touches_password(request) {
        return Err(ScimError::mutability(
            "this service provider does not support changing passwords (changePassword)",
        ));
    }
    let expected = ctx.expected_version(rt, id, if_match).await?;
    Ok(ctx
        .store()
        .patch_excluding(
            &ctx.store_ctx,
            rt,
            id,
            request,
            expected.as_deref(),
            excluded,
        )
        .await?)
}

/// Whether an operation targets `password`, by path or as a key of a path-less value.
fn touches_password(request: &PatchRequest) -> bool {
    request.operations.iter().any(|op| match &op.path {
        Some(path) => {
            path.attribute.urn.is_none() && path.attribute.name.eq_ignore_ascii_case("password")
        }
        None => op
            .value
            .as_ref()
            .and_then(Value::as_object)
            .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case("password"))),
    })
}
