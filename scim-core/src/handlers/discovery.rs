//! Discovery (RFC 7644 §4): `/ServiceProviderConfig`, `/Schemas`, `/ResourceTypes`,
//! rendered from the configuration and the registry.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::{Value, json};

use super::{Context, LIST_RESPONSE_SCHEMA, json_response};
use crate::error::ScimError;
use crate::schema::definition::{ResourceType, Schema};

const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

pub(crate) fn service_provider_config(ctx: &Context<'_>) -> Response<Bytes> {
    let mut spc = ctx.inner.config.service_provider_config();
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

fn render_schema(ctx: &Context<'_>, schema: &Schema) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "attributes": schema.attributes,
        "meta": {
            "resourceType": "Schema",
            "location": format!("{}/Schemas/{}", ctx.base, schema.id),
        },
    })
}

fn render_resource_type(ctx: &Context<'_>, rt: &ResourceType) -> Value {
    let extensions: Vec<Value> = rt
        .extensions
        .iter()
        .map(|e| json!({"schema": e.schema.id, "required": e.required}))
        .collect();
    let mut value = json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": rt.name,
        "name": rt.name,
        "endpoint": rt.endpoint,
        "description": rt.description,
        "schema": rt.schema.id,
    });
    if let Value::Object(map) = &mut value {
        if !extensions.is_empty() {
            map.insert("schemaExtensions".into(), Value::Array(extensions));
        }
        map.insert(
            "meta".into(),
            json!({
                "resourceType": "ResourceType",
                "location": format!("{}/ResourceTypes/{}", ctx.base, rt.name),
            }),
        );
    }
    value
}

pub(crate) fn schemas(ctx: &Context<'_>) -> Result<Response<Bytes>, ScimError> {
    let all = ctx
        .inner
        .registry
        .schemas()
        .map(|s| render_schema(ctx, s))
        .collect();
    Ok(json_response(StatusCode::OK, &list_response(all)))
}

pub(crate) fn schema(ctx: &Context<'_>, urn: &str) -> Result<Response<Bytes>, ScimError> {
    let schema = ctx
        .inner
        .registry
        .schema(urn)
        .ok_or_else(|| ScimError::not_found(format!("no schema {urn}")))?;
    Ok(json_response(StatusCode::OK, &render_schema(ctx, schema)))
}

pub(crate) fn resource_types(ctx: &Context<'_>) -> Result<Response<Bytes>, ScimError> {
    let all = ctx
        .inner
        .registry
        .resource_types()
        .map(|rt| render_resource_type(ctx, rt))
        .collect();
    Ok(json_response(StatusCode::OK, &list_response(all)))
}

pub(crate) fn resource_type(ctx: &Context<'_>, name: &str) -> Result<Response<Bytes>, ScimError> {
    let rt = ctx
        .inner
        .registry
        .resource_type(name)
        .ok_or_else(|| ScimError::not_found(format!("no resource type {name}")))?;
    Ok(json_response(
        StatusCode::OK,
        &render_resource_type(ctx, rt),
    ))
}
