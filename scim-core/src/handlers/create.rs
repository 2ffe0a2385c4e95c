//! `POST /{type}` (RFC 7644 §3.3): `201` with `Location`, `ETag` and the full resource.

use bytes::Bytes;
use http::{Response, StatusCode};

use super::{Context, RequestBody};
use crate::error::ScimError;
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::store::Retrieved;

pub(crate) async fn create(
    ctx: &Context<'_>,
    rt: &ResourceType,
    body: RequestBody,
) -> Result<Response<Bytes>, ScimError> {
    let projection = ctx.projection()?;
    let resource = body.into_resource(rt, &ctx.config.validation)?;
    let created = create_resource(ctx, rt, resource).await?;
    Ok(ctx.retrieved_response(StatusCode::CREATED, rt, created, &projection, true))
}

/// Validates and stores a new resource (shared with Bulk), returned in the form its
/// store hands it out for a response.
pub(crate) async fn create_resource(
    ctx: &Context<'_>,
    rt: &ResourceType,
    mut resource: Resource,
) -> Result<Retrieved, ScimError> {
    resource.validate_for_create(rt, &ctx.config.validation)?;
    super::limits::check_resource(ctx.config, &resource)?;
    super::limits::check_quota(ctx).await?;
    super::password::protect_resource(ctx, rt, &mut resource).await?;
    Ok(ctx
        .store()
        .create_retrieved(&ctx.store_ctx, rt, resource)
        .await?)
}
