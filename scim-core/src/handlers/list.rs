//! Listing and searching (RFC 7644 §3.4.2, §3.4.3): `GET /{type}`, `POST /{type}/.search`
//! and `POST /.search` across every resource type.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::{Value, json};

use super::{Context, LIST_RESPONSE_SCHEMA, json_response, parse_json, projection};
use crate::error::ScimError;
use crate::filter::{AttrPath, Filter};
use crate::filter::{Sort, SortOrder};
use crate::schema::definition::ResourceType;
use crate::store::Query;
use crate::wire::query::{ListParams, parse_search_request};

pub(crate) async fn list(
    ctx: &Context<'_>,
    rt: &ResourceType,
    params: &ListParams,
) -> Result<Response<Bytes>, ScimError> {
    let projection = projection(ctx.config, params)?;
    let query = build_query(ctx, params)?;
    if let Some(filter) = &query.filter {
        filter.check(rt, &ctx.config.filter)?;
    }
    if let Some(sort) = &query.sort {
        sort.check(rt)?;
    }
    let result = ctx.store().query(&ctx.store_ctx, rt, &query).await?;
    let next_cursor = result.next_cursor;
    let resources: Vec<Value> = result
        .resources
        .into_iter()
        .map(|r| ctx.render(rt, r, &projection))
        .collect();
    Ok(match query.cursor {
        // RFC 9865 §3: a cursor page has no startIndex, and names the next page.
        Some(_) => cursor_response(result.total_results, resources, next_cursor),
        None => list_response(result.total_results, query.start_index, resources),
    })
}

pub(crate) async fn search(
    ctx: &Context<'_>,
    rt: &ResourceType,
    body: &[u8],
) -> Result<Response<Bytes>, ScimError> {
    let params = parse_search_request(&parse_json(body)?)?;
    list(ctx, rt, &params).await
}

/// `POST /.search`: every resource type's matches, in registry order (Users before
/// Groups), paged as one list.
pub(crate) async fn root_search(
    ctx: &Context<'_>,
    body: &[u8],
) -> Result<Response<Bytes>, ScimError> {
    let params = parse_search_request(&parse_json(body)?)?;
    let projection = projection(ctx.config, &params)?;
    let mut query = build_query(ctx, &params)?;
    if query.cursor.is_some() {
        return Err(ScimError::invalid_value(
            "cursor paging is per resource type: search /Users/.search or /Groups/.search",
        ));
    }
    if query.sort.is_some() {
        return Err(ScimError::invalid_value(
            "sortBy is not supported when searching across resource types",
        ));
    }
    let start = query.start_index;
    let count = query.count.unwrap_or(0);
    // The window [start, start + count) over the concatenation of every type's results.
    let mut skip = start.saturating_sub(1);
    let mut wanted = count;
    let mut total = 0usize;
    let mut resources = Vec::new();
    let filter = query.filter.clone();
    if let Some(filter) = &filter {
        // What is wrong whichever type the filter is meant for (an attribute never
        // returned, `gt` on a boolean) is an error even when another type lacks it.
        let mut known_only = ctx.config.filter.clone();
        known_only.unknown_attributes_match_nothing = true;
        for rt in ctx.registry.resource_types() {
            filter.check(rt, &known_only)?;
        }
    }
    let mut first_error = None;
    let mut understood = false;
    for rt in ctx.registry.resource_types() {
        // A type whose schema the filter does not fit has no matches (strict filters
        // reject unknown attributes per type); only a filter no type fits is an error.
        if let Some(filter) = &filter
            && let Err(e) = filter.check(rt, &ctx.config.filter)
        {
            first_error.get_or_insert(e);
            continue;
        }
        understood = true;
        query.start_index = skip.saturating_add(1);
        query.count = Some(wanted);
        let result = ctx.store().query(&ctx.store_ctx, rt, &query).await?;
        total = total.saturating_add(result.total_results);
        let taken = result.resources.len();
        resources.extend(
            result
                .resources
                .into_iter()
                .map(|r| ctx.render(rt, r, &projection)),
        );
        wanted = wanted.saturating_sub(taken);
        skip = skip.saturating_sub(result.total_results);
    }
    if let (false, Some(e)) = (understood, first_error) {
        return Err(e);
    }
    Ok(list_response(total, start, resources))
}

/// The store query of list parameters: parsed filter and sort, clamped paging.
fn build_query(ctx: &Context<'_>, params: &ListParams) -> Result<Query, ScimError> {
    let config = &ctx.config;
    let filter = params
        .filter
        .as_deref()
        .map(|f| Filter::parse_with(f, &config.filter))
        .transpose()?;
    let sort = match (&params.sort_by, config.sort) {
        (Some(by), true) => Some(Sort {
            by: by.parse::<AttrPath>().map_err(|e| {
                ScimError::invalid_value(format!("sortBy {by:?} is not an attribute path: {e}"))
            })?,
            order: sort_order(params.sort_order.as_deref())?,
        }),
        _ => None,
    };
    let paths = |names: &[String]| -> Vec<AttrPath> {
        names.iter().filter_map(|n| n.parse().ok()).collect()
    };
    // RFC 9865: a cursor walk pages by cursor alone.
    let cursor = params.cursor.clone().filter(|_| config.cursor_paging);
    if cursor.is_some() && params.start_index.is_some() {
        return Err(ScimError::invalid_value(
            "startIndex and cursor cannot be combined: page by one or the other (RFC 9865)",
        ));
    }
    Ok(Query {
        filter,
        sort,
        cursor,
        start_index: params.start_index(),
        count: Some(params.count(config.default_count, config.max_results)),
        // Hints only: a store may skip loading what the response leaves out (a large
        // group's members); the projection decides what is sent either way.
        attributes: paths(&params.attributes),
        excluded_attributes: paths(&params.excluded_attributes),
        ..Query::default()
    })
}

fn sort_order(order: Option<&str>) -> Result<SortOrder, ScimError> {
    match order {
        None => Ok(SortOrder::Ascending),
        Some(o) if o.eq_ignore_ascii_case("ascending") => Ok(SortOrder::Ascending),
        Some(o) if o.eq_ignore_ascii_case("descending") => Ok(SortOrder::Descending),
        Some(o) => Err(ScimError::invalid_value(format!(
            "sortOrder must be \"ascending\" or \"descending\", got {o:?}"
        ))),
    }
}

/// The `ListResponse` of RFC 7644 §3.4.2; `Resources` is present even when empty
/// (Entra ID's connection test expects it).
fn list_response(total: usize, start_index: usize, resources: Vec<Value>) -> Response<Bytes> {
    json_response(
        StatusCode::OK,
        &json!({
            "schemas": [LIST_RESPONSE_SCHEMA],
            "totalResults": total,
            "itemsPerPage": resources.len(),
            "startIndex": start_index,
            "Resources": resources,
        }),
    )
}

/// The `ListResponse` of a cursor page (RFC 9865 §3): `nextCursor` while more pages
/// follow, no `startIndex`.
fn cursor_response(
    total: usize,
    resources: Vec<Value>,
    next_cursor: Option<String>,
) -> Response<Bytes> {
    let mut body = json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "itemsPerPage": resources.len(),
    });
    if let (Some(next), Some(map)) = (next_cursor, body.as_object_mut()) {
        map.insert("nextCursor".to_owned(), Value::String(next));
    }
    if let Some(map) = body.as_object_mut() {
        map.insert("Resources".to_owned(), Value::Array(resources));
    }
    json_response(StatusCode::OK, &body)
}
