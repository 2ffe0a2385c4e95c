//! `/Me` (RFC 7644 §3.11): the authenticated principal's own resource, when the host app
//! supplies a [`MeResolver`](crate::MeResolver); `501 Not Implemented` otherwise.

use bytes::Bytes;
use http::{Method, Response};

use super::{Context, RequestBody, delete, patch, read, replace};
use crate::error::ScimError;

pub(crate) async fn me(
    ctx: &Context<'_>,
    method: &Method,
    body: RequestBody,
) -> Result<Response<Bytes>, ScimError> {
    let not_supported =
        || ScimError::not_implemented("/Me is not supported by this service provider");
    let resolver = ctx.me.ok_or_else(not_supported)?;
    let principal = ctx.store_ctx.principal.as_ref().ok_or_else(not_supported)?;
    let (type_name, id) = resolver
        .resolve(principal)
        .await
        .ok_or_else(|| ScimError::not_found("the authenticated principal has no resource"))?;
    let rt = ctx
        .registry
        .resource_type(&type_name)
        .ok_or_else(|| {
            ScimError::internal(format!(
                "/Me resolved to an unknown resource type {type_name}"
            ))
        })?
        .clone();
    match *method {
        Method::GET => read::read(ctx, &rt, &id).await,
        Method::PUT => replace::replace(ctx, &rt, &id, body).await,
        Method::PATCH => patch::patch(ctx, &rt, &id, body).await,
        Method::DELETE => delete::delete(ctx, &rt, &id).await,
        // Creating "myself" (RFC 7644 §3.11, POST /Me) is left to the host app.
        _ => Err(not_supported()),
    }
}
