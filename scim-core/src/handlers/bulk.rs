//! `POST /Bulk` (RFC 7644 §3.7): many operations in one request, with `bulkId`
//! references between them (in `data` values and in paths), ordered by their
//! dependencies, circular references reported as `409`, `failOnErrors`, and a status per
//! operation.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{Map, Value, json};

use super::{Context, RequestBody, create, delete, json_response, patch, replace};
use crate::error::ScimError;
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::schema::message::check_message_schemas;
use crate::wire::etag::{self, Condition};

const BULK_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
const BULK_ID_PREFIX: &str = "bulkId:";

/// One operation as the client sent it.
#[derive(Debug)]
struct Operation {
    method: Method,
    /// The path as sent, echoed back when the operation fails.
    path: String,
    bulk_id: Option<String>,
    version: Option<String>,
    data: Option<Value>,
    /// The bulkIds this operation refers to, in its path and data.
    references: Vec<String>,
}

/// The outcome of one operation, as it appears in the response.
#[derive(Debug)]
struct Outcome {
    method: String,
    bulk_id: Option<String>,
    location: Option<String>,
    version: Option<String>,
    status: StatusCode,
    error: Option<ScimError>,
}

impl Outcome {
    fn failed(method: String, bulk_id: Option<String>, error: ScimError) -> Self {
        Self {
            method,
            bulk_id,
            location: None,
            version: None,
            status: error.status(),
            error: Some(error),
        }
    }

    fn to_value(&self) -> Value {
        let mut out = Map::new();
        if let Some(location) = &self.location {
            out.insert("location".into(), json!(location));
        }
        out.insert("method".into(), json!(self.method));
        if let Some(bulk_id) = &self.bulk_id {
            out.insert("bulkId".into(), json!(bulk_id));
        }
        if let Some(version) = &self.version {
            out.insert("version".into(), json!(version));
        }
        // RFC 7644 §3.7.3 writes the status as a string.
        out.insert("status".into(), json!(self.status.as_u16().to_string()));
        if let Some(error) = &self.error {
            out.insert("response".into(), error.to_value());
        }
        Value::Object(out)
    }
}

pub(crate) async fn bulk(
    ctx: &Context<'_>,
    body: RequestBody,
) -> Result<Response<Bytes>, ScimError> {
    let request = body.into_json()?;
    let Value::Object(request) = request else {
        return Err(ScimError::invalid_syntax(
            "a BulkRequest must be a JSON object",
        ));
    };
    let member = |name: &str| {
        request
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    };
    // A message without `schemas` is read as a BulkRequest (the endpoint says what it
    // is) under the same leniency as a PATCH; strict mode refuses it.
    check_message_schemas(
        member("schemas"),
        BULK_REQUEST_SCHEMA,
        ctx.config.patch.allow_missing_schema,
    )?;
    let fail_on_errors = match member("failOnErrors") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|n| *n >= 1)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    ScimError::invalid_value("failOnErrors must be an integer of at least 1")
                })?,
        ),
    };
    let operations = member("Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::invalid_syntax("a BulkRequest needs an \"Operations\" array"))?;
    let max = ctx.bulk_max_operations;
    if operations.len() > max {
        // RFC 7644 §3.7.4: more operations than maxOperations is 413.
        let why = if max < ctx.config.bulk_max_operations {
            " (the tenant's rate limit per minute: each operation counts as one request)"
        } else {
            ""
        };
        return Err(ScimError::payload_too_large(format!(
            "the request carries {} operations; maxOperations is {max}{why}",
            operations.len()
        )));
    }

    let mut outcomes: Vec<Outcome> = Vec::with_capacity(operations.len());
    let mut errors = 0usize;
    let parsed: Vec<Result<Operation, Box<Outcome>>> =
        operations.iter().map(parse_operation).collect();

    // bulkId → index of the POST that defines it.
    let mut defined: HashMap<String, usize> = HashMap::new();
    for (i, op) in parsed.iter().enumerate() {
        if let Ok(op) = op
            && let Some(bulk_id) = &op.bulk_id
            && op.method == Method::POST
        {
            defined.entry(bulk_id.clone()).or_insert(i);
        }
    }
    let dependencies: Vec<Vec<usize>> = parsed
        .iter()
        .map(|op| match op {
            Ok(op) => op
                .references
                .iter()
                .filter_map(|r| defined.get(r).copied())
                .collect(),
            Err(_) => Vec::new(),
        })
        .collect();
    let (order, cyclic) = execution_order(&dependencies);

    let mut resolved: HashMap<String, String> = HashMap::new();
    let mut failed_bulk_ids: HashSet<String> = HashSet::new();
    let mut parsed: Vec<Option<Result<Operation, Box<Outcome>>>> =
        parsed.into_iter().map(Some).collect();
    for index in order.into_iter().chain(cyclic.iter().copied()) {
        if fail_on_errors.is_some_and(|limit| errors >= limit) {
            break;
        }
        let Some(entry) = parsed.get_mut(index).and_then(Option::take) else {
            continue;
        };
        let outcome = match entry {
            Err(outcome) => *outcome,
            Ok(op) if cyclic.contains(&index) => Outcome::failed(
                op.method.to_string(),
                op.bulk_id.clone(),
                ScimError::new(
                    StatusCode::CONFLICT,
                    None,
                    "the operation is on, or waits for, a circular bulkId reference that cannot be resolved",
                ),
            ),
            Ok(op) => run(ctx, op, &resolved, &failed_bulk_ids).await,
        };
        if let Some(bulk_id) = &outcome.bulk_id {
            if outcome.error.is_none() {
                if let Some(id) = outcome
                    .location
                    .as_deref()
                    .and_then(|l| l.rsplit('/').next())
                {
                    resolved.insert(bulk_id.clone(), id.to_owned());
                }
            } else {
                failed_bulk_ids.insert(bulk_id.clone());
            }
        }
        if outcome.error.is_some() {
            errors += 1;
        }
        outcomes.push(outcome);
    }

    let body = json!({
        "schemas": [BULK_RESPONSE_SCHEMA],
        "Operations": outcomes.iter().map(Outcome::to_value).collect::<Vec<_>>(),
    });
    Ok(json_response(StatusCode::OK, &body))
}

/// Reads one operation; on failure, the outcome to report.
fn parse_operation(value: &Value) -> Result<Operation, Box<Outcome>> {
    let object = value.as_object();
    let field = |name: &str| {
        object.and_then(|o| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    };
    let method_text = field("method")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let bulk_id = field("bulkId").and_then(Value::as_str).map(str::to_owned);
    let fail =
        |error: ScimError| Box::new(Outcome::failed(method_text.clone(), bulk_id.clone(), error));
    if object.is_none() {
        return Err(fail(ScimError::invalid_syntax(
            "a bulk operation must be a JSON object",
        )));
    }
    let method = match method_text.to_ascii_uppercase().as_str() {
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        _ => {
            return Err(fail(ScimError::invalid_value(format!(
                "a bulk operation's method must be POST, PUT, PATCH or DELETE, got {method_text:?}"
            ))));
        }
    };
    let path = field("path")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            fail(ScimError::invalid_value(
                "a bulk operation needs a \"path\"",
            ))
        })?
        .to_owned();
    if method == Method::POST && bulk_id.as_deref().is_none_or(str::is_empty) {
        return Err(fail(ScimError::invalid_value(
            "a bulk POST needs a \"bulkId\" (RFC 7644 §3.7)",
        )));
    }
    let data = field("data").filter(|d| !d.is_null()).cloned();
    if matches!(method, Method::POST | Method::PUT | Method::PATCH) && data.is_none() {
        return Err(fail(ScimError::invalid_value(format!(
            "a bulk {method} needs \"data\""
        ))));
    }
    let mut references = Vec::new();
    if let Some(id) = path
        .split('/')
        .nth(2)
        .and_then(|s| s.strip_prefix(BULK_ID_PREFIX))
    {
        references.push(id.to_owned());
    }
    if let Some(data) = &data {
        collect_references(data, &mut references);
    }
    Ok(Operation {
        method,
        path,
        bulk_id,
        version: field("version").and_then(Value::as_str).map(str::to_owned),
        data,
        references,
    })
}

/// Every `"bulkId:…"` string in a JSON value.
fn collect_references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            if let Some(id) = s.strip_prefix(BULK_ID_PREFIX) {
                out.push(id.to_owned());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}

/// Replaces every `"bulkId:…"` string by the id the bulkId's POST created.
fn substitute(value: &mut Value, resolved: &HashMap<String, String>) -> Result<(), String> {
    match value {
        Value::String(s) => {
            if let Some(bulk_id) = s.strip_prefix(BULK_ID_PREFIX) {
                let id = resolved.get(bulk_id).ok_or_else(|| bulk_id.to_owned())?;
                *s = id.clone();
            }
            Ok(())
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| substitute(v, resolved)),
        Value::Object(map) => map.values_mut().try_for_each(|v| substitute(v, resolved)),
        _ => Ok(()),
    }
}

/// The order to run operations in: request order, except that an operation waits for
/// the POSTs whose bulkIds it refers to. Operations on a cycle are returned apart.
fn execution_order(dependencies: &[Vec<usize>]) -> (Vec<usize>, Vec<usize>) {
    let n = dependencies.len();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    loop {
        let mut progressed = false;
        for i in 0..n {
            let ready = !done.get(i).copied().unwrap_or(true)
                && dependencies.get(i).is_some_and(|d| {
                    d.iter()
                        .all(|&j| j == i || done.get(j).copied().unwrap_or(false))
                });
            if ready {
                if let Some(slot) = done.get_mut(i) {
                    *slot = true;
                }
                order.push(i);
                progressed = true;
                // Start again from the first waiting operation to keep request order.
                break;
            }
        }
        if !progressed {
            break;
        }
    }
    let cyclic = (0..n)
        .filter(|&i| !done.get(i).copied().unwrap_or(true))
        .collect();
    (order, cyclic)
}

async fn run(
    ctx: &Context<'_>,
    op: Operation,
    resolved: &HashMap<String, String>,
    failed: &HashSet<String>,
) -> Outcome {
    let method = op.method.to_string();
    let bulk_id = op.bulk_id.clone();
    match execute(ctx, op, resolved, failed).await {
        Ok(outcome) => outcome,
        Err(error) => Outcome::failed(method, bulk_id, error),
    }
}

async fn execute(
    ctx: &Context<'_>,
    mut op: Operation,
    resolved: &HashMap<String, String>,
    failed: &HashSet<String>,
) -> Result<Outcome, ScimError> {
    if let Some(bad) = op.references.iter().find(|r| !resolved.contains_key(*r)) {
        let why = if failed.contains(bad) {
            "its operation failed"
        } else {
            "no POST in this request has that bulkId"
        };
        return Err(ScimError::new(
            StatusCode::CONFLICT,
            None,
            format!("bulkId {bad:?} cannot be resolved: {why}"),
        ));
    }
    if let Some(data) = &mut op.data {
        substitute(data, resolved).map_err(|id| {
            ScimError::new(
                StatusCode::CONFLICT,
                None,
                format!("bulkId {id:?} cannot be resolved"),
            )
        })?;
    }
    let (rt, id) = target(ctx, &op.path, resolved)?;
    let condition = match (&op.version, ctx.config.etag) {
        (Some(version), true) => Some(Condition::Tags(vec![etag::opaque(version).to_owned()])),
        _ => None,
    };
    let options = &ctx.config.validation;
    let data = op.data.take().unwrap_or(Value::Null);
    let (status, resource): (StatusCode, Option<Resource>) = match (&op.method, id) {
        (&Method::POST, None) => {
            let resource = Resource::parse_value(data, &rt, options)?;
            (
                StatusCode::CREATED,
                Some(
                    create::create_resource(ctx, &rt, resource)
                        .await?
                        .into_resource(),
                ),
            )
        }
        (&Method::PUT, Some(id)) => {
            let resource = Resource::parse_value(data, &rt, options)?;
            let replaced =
                replace::replace_resource(ctx, &rt, &id, resource, condition.as_ref()).await?;
            (StatusCode::OK, Some(replaced))
        }
        (&Method::PATCH, Some(id)) => {
            let patched = patch::patch_resource(ctx, &rt, &id, data, condition.as_ref()).await?;
            (StatusCode::OK, Some(patched))
        }
        (&Method::DELETE, Some(id)) => {
            delete::delete_resource(ctx, &rt, &id, condition.as_ref()).await?;
            return Ok(Outcome {
                method: op.method.to_string(),
                bulk_id: op.bulk_id,
                location: Some(ctx.location(&rt, &id)),
                version: None,
                status: StatusCode::NO_CONTENT,
                error: None,
            });
        }
        (&Method::POST, Some(_)) => {
            return Err(ScimError::invalid_value(
                "a bulk POST's path is a resource type endpoint, e.g. /Users",
            ));
        }
        _ => {
            return Err(ScimError::invalid_value(format!(
                "a bulk {} needs a path to one resource, e.g. /Users/{{id}}",
                op.method
            )));
        }
    };
    Ok(Outcome {
        method: op.method.to_string(),
        bulk_id: op.bulk_id,
        location: resource
            .as_ref()
            .and_then(Resource::id)
            .map(|id| ctx.location(&rt, id)),
        version: resource
            .as_ref()
            .and_then(Resource::version)
            .filter(|_| ctx.config.etag)
            .map(str::to_owned),
        status,
        error: None,
    })
}

/// The resource type and (for PUT, PATCH, DELETE) id a bulk path names: `/Users` or
/// `/Users/{id}` (the id may be `bulkId:…`).
fn target(
    ctx: &Context<'_>,
    path: &str,
    resolved: &HashMap<String, String>,
) -> Result<(Arc<ResourceType>, Option<String>), ScimError> {
    let not_found = || ScimError::not_found(format!("no resource endpoint at {path}"));
    let rest = path.strip_prefix('/').unwrap_or(path);
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let mut segments = rest.split('/');
    let endpoint = segments
        .next()
        .filter(|s| !s.is_empty())
        .ok_or_else(not_found)?;
    let rt = ctx
        .registry
        .resource_type_at(endpoint)
        .ok_or_else(not_found)?
        .clone();
    let id = match segments.next() {
        None => None,
        Some(segment) => {
            let segment = crate::routing::percent_decode(segment).ok_or_else(not_found)?;
            Some(match segment.strip_prefix(BULK_ID_PREFIX) {
                Some(bulk_id) => resolved.get(bulk_id).cloned().ok_or_else(|| {
                    ScimError::new(
                        StatusCode::CONFLICT,
                        None,
                        format!("bulkId {bulk_id:?} cannot be resolved"),
                    )
                })?,
                None => segment.into_owned(),
            })
        }
    };
    if segments.next().is_some() {
        return Err(not_found());
    }
    Ok((rt, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn independent_operations_keep_request_order() {
        assert_eq!(
            execution_order(&[vec![], vec![], vec![]]),
            (vec![0, 1, 2], vec![])
        );
    }

    #[test]
    fn an_operation_waits_for_the_post_it_refers_to() {
        // 0 refers to 2's bulkId; 1 is independent.
        assert_eq!(
            execution_order(&[vec![2], vec![], vec![]]),
            (vec![1, 2, 0], vec![])
        );
    }

    #[test]
    fn cycles_are_reported_apart() {
        // 0 ↔ 1 form a cycle; 2 depends on the cycle; 3 is free.
        let (order, cyclic) = execution_order(&[vec![1], vec![0], vec![0], vec![]]);
        assert_eq!(order, vec![3]);
        assert_eq!(cyclic, vec![0, 1, 2]);
        // A self-reference is no cycle.
        assert_eq!(execution_order(&[vec![0]]), (vec![0], vec![]));
    }

    #[test]
    fn references_are_found_and_substituted_everywhere() {
        let mut data =
            json!({"members": [{"value": "bulkId:a"}, {"value": "x"}], "m": {"value": "bulkId:b"}});
        let mut refs = Vec::new();
        collect_references(&data, &mut refs);
        assert_eq!(refs, ["a", "b"]);
        let resolved = HashMap::from([
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ]);
        substitute(&mut data, &resolved).unwrap();
        assert_eq!(
            data,
            json!({"members": [{"value": "1"}, {"value": "x"}], "m": {"value": "2"}})
        );
        let mut unknown = json!(["bulkId:zzz"]);
        assert_eq!(substitute(&mut unknown, &resolved), Err("zzz".to_owned()));
    }
}
