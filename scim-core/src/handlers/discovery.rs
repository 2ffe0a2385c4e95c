//! Discovery (RFC 7644 §4): `/ServiceProviderConfig`, `/Schemas`, `/ResourceTypes`,
//! rendered from the configuration and the registry.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::{Value, json};

use super::{Context, LIST_RESPONSE_SCHEMA, json_response};
use crate::error::ScimError;

pub(crate) fn service_provider_config(ctx: &Context<'_>) -> Response<Bytes> {
    let mut spc = ctx
        .config
        .service_provider_config(ctx.password_hasher.is_some());
    if let Some(max) = spc.pointer_mut("/bulk/maxOperations") {
        *max = Value::from(ctx.bulk_max_operations);
    }
    if let Value::Object(map) = &mut spc {
        map.insert(
            "meta".into(),
            json!({
                "resourceType": "ServiceProviderConfig",
                "location": format!("{}/ServiceProviderConfig", ctx.base),
            }),
        );
    }
    json_response(StatusCode::OK, &spc)
}

fn list_response(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": resources.len(),
        "itemsPerPage": resources.len(),
        "startIndex": 1,
        "Resources": resources,
    })
}

pub(crate) fn schemas(ctx: &Context<'_>) -> Result<Response<Bytes>, ScimError> {
    let all = ctx
        .registry
        .schemas()
        .map(|s| s.to_representation(&ctx.base))
        .collect();
    Ok(json_response(StatusCode::OK, &list_response(all)))
}

pub(crate) fn schema(ctx: &Context<'_>, urn: &str) -> Result<Response<Bytes>, ScimError> {
    let schema = ctx
        .registry
        .schema(urn)
        .ok_or_else(|| ScimError::not_found(format!("no schema {urn}")))?;
    Ok(json_response(
        StatusCode::OK,
        &schema.to_representation(&ctx.base),
    ))
}

pub(crate) fn resource_types(ctx: &Context<'_>) -> Result<Response<Bytes>, ScimError> {
    let all = ctx
        .registry
        .resource_types()
        .map(|rt| rt.to_representation(&ctx.base))
        .collect();
    Ok(json_response(StatusCode::OK, &list_response(all)))
}

pub(crate) fn resource_type(ctx: &Context<'_>, name: &str) -> Result<Response<Bytes>, ScimError> {
    let rt = ctx
        .registry
        .resource_type(name)
        .ok_or_else(|| ScimError::not_found(format!("no resource type {name}")))?;
    Ok(json_response(
        StatusCode::OK,
        &rt.to_representation(&ctx.base),
    ))
}
