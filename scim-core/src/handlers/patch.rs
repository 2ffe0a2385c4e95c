//! `PATCH /{type}/{id}` (RFC 7644 §3.5.2): `200` with the resource or `204`, by
//! configuration; honours `If-Match`.

use bytes::Bytes;
use http::header::ETAG;
use http::{Response, StatusCode};
use serde_json::Value;

use super::{Context, RequestBody, empty_response, limits};
use crate::config::PatchResponse;
use crate::error::ScimError;
use crate::filter::AttrPath;
use crate::patch::{PatchOpKind, PatchRequest};
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::store::Retrieved;
use crate::wire::etag::Condition;

pub(crate) async fn patch(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
    body: RequestBody,
) -> Result<Response<Bytes>, ScimError> {
    let projection = ctx.projection()?;
    let request = PatchRequest::parse_value(body.into_json()?, rt, &ctx.config.patch)?;
    let if_match = ctx.if_match()?;
    match ctx.config.patch_response {
        PatchResponse::Body => {
            let patched = apply(
                ctx,
                rt,
                id,
                request,
                if_match.as_ref(),
                &super::unread_derived(rt, &projection),
            )
            .await?;
            Ok(ctx.retrieved_response(StatusCode::OK, rt, patched, &projection, false))
        }
        PatchResponse::NoContent => {
            // Nothing of the resource is sent back: let the store skip materializing a
            // large group's members.
            let patched = apply(
                ctx,
                rt,
                id,
                request,
                if_match.as_ref(),
                &[AttrPath::new("members")],
            )
            .await?;
            let mut response = empty_response(StatusCode::NO_CONTENT);
            if let Some(tag) = ctx.etag_of(patched.version().as_deref()) {
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
    let request = PatchRequest::parse_value(message, rt, &ctx.config.patch)?;
    Ok(apply(ctx, rt, id, request, if_match, &[])
        .await?
        .into_resource())
}

async fn apply(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
    mut request: PatchRequest,
    if_match: Option<&Condition>,
    excluded: &[AttrPath],
) -> Result<Retrieved, ScimError> {
    check_schemas(rt, &request)?;
    for operation in &request.operations {
        if let Some(value) = &operation.value {
            let name = operation.path.as_ref().map(|p| p.attribute.name.as_str());
            limits::check_value(ctx.config, name.unwrap_or("value"), value)?;
        }
    }
    super::password::protect_patch(ctx, rt, &mut request).await?;
    let expected = ctx.expected_version(rt, id, if_match).await?;
    let members_only = request
        .member_delta(rt)
        .is_some_and(|delta| delta.other.is_none());
    if !members_only {
        dry_run(ctx, rt, id, &request).await?;
    }
    Ok(ctx
        .store()
        .patch_retrieved(
            &ctx.store_ctx,
            rt,
            id,
            &request,
            expected.as_deref(),
            excluded,
        )
        .await?)
}

/// Bounds the work of a PATCH before the store does it: its operations times the
/// largest multi-valued attribute of the resource, then the patched copy against the
/// element and string limits (so that many small PATCHes cannot grow an attribute past
/// them either). An operation that fails here is left for the store to report.
async fn dry_run(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
    request: &PatchRequest,
) -> Result<(), ScimError> {
    let mut draft = ctx.store().get(&ctx.store_ctx, rt, id).await?;
    limits::check_patch_work(
        ctx.config,
        request.operations.len(),
        limits::largest_multi_valued(&draft),
    )?;
    if request.apply(&mut draft, rt).is_ok() {
        limits::check_resource(ctx.config, &draft)?;
    }
    Ok(())
}

/// `schemas` may change only within the resource type: a `replace` keeps the core schema
/// and names only the type's extensions, an `add` names only its extensions, and it is
/// never removed (`400 invalidValue`), so that a stored resource always says what it is.
fn check_schemas(rt: &ResourceType, request: &PatchRequest) -> Result<(), ScimError> {
    let known = |urn: &str| {
        urn.eq_ignore_ascii_case(&rt.schema.id)
            || rt
                .extensions
                .iter()
                .any(|e| urn.eq_ignore_ascii_case(&e.schema.id))
    };
    for operation in &request.operations {
        let Some(path) = &operation.path else {
            continue;
        };
        let core = path
            .attribute
            .urn
            .as_deref()
            .is_none_or(|urn| urn.eq_ignore_ascii_case(&rt.schema.id));
        if !core || !path.attribute.name.eq_ignore_ascii_case("schemas") {
            continue;
        }
        let invalid = |why: &str| ScimError::invalid_value(format!("schemas: {why}"));
        let urns: Vec<&str> = match (&operation.op, &operation.value) {
            (PatchOpKind::Remove, _) => return Err(invalid("it cannot be removed")),
            (_, Some(Value::Array(values))) => values
                .iter()
                .map(|v| {
                    v.as_str()
                        .ok_or_else(|| invalid("every value must be a URN string"))
                })
                .collect::<Result<_, _>>()?,
            // (Parsing wraps a lone value of a multi-valued attribute in a list, or
            // refuses it in strict mode; this arm serves a request built by hand.)
            (_, Some(Value::String(urn))) => vec![urn.as_str()],
            _ => return Err(invalid("the value must be a list of schema URNs")),
        };
        // (Parsing already refuses such a path in strict mode and drops it leniently;
        // this check serves a request built by hand.)
        if path.filter.is_some() || path.attribute.sub_attribute.is_some() {
            return Err(invalid("it has no sub-attributes to filter or select"));
        }
        if let Some(unknown) = urns.iter().find(|urn| !known(urn)) {
            return Err(invalid(&format!(
                "{unknown} is not a schema of {}",
                rt.name
            )));
        }
        if operation.op == PatchOpKind::Replace
            && !urns
                .iter()
                .any(|urn| urn.eq_ignore_ascii_case(&rt.schema.id))
        {
            return Err(invalid(&format!(
                "the core schema {} must stay",
                rt.schema.id
            )));
        }
    }
    Ok(())
}
