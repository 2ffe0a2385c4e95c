//! Listing and searching (RFC 7644 §3.4.2, §3.4.3): `GET /{type}`, `POST /{type}/.search`
//! and `POST /.search` across every resource type.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::{Value, json};

use super::{Context, LIST_RESPONSE_SCHEMA, json_response, parse_json, projection};
use crate::error::ScimError;
use crate::filter::{AttrPath, Filter};
use crate::schema::definition::ResourceType;
use crate::store::{Query, Sort, SortOrder};
use crate::wire::query::{ListParams, parse_search_request};

pub(crate) async fn list(
    ctx: &Context<'_>,
    rt: &ResourceType,
    params: &ListParams,
) -> Result<Response<Bytes>, ScimError> {
    let projection = projection(params)?;
    let query = build_query(ctx, params)?;
    if let Some(filter) = &query.filter {
        filter.check(rt, &ctx.inner.config.filter)?;
    }
    let result = ctx.store().query(&ctx.store_ctx, rt, &query).await?;
    let resources: Vec<Value> = result
        .resources
        .into_iter()
        .map(|r| ctx.render(rt, r, &projection))
        .collect();
    Ok(list_response(
        result.total_results,
        query.start_index,
        resources,
    ))
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
    let projection = projection(&params)?;
    let mut query = build_query(ctx, &params)?;
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
    let mut first_error = None;
    let mut understood = false;
    for rt in ctx.inner.registry.resource_types() {
        // A type whose schema the filter does not fit has no matches (strict filters
        // reject unknown attributes per type); only a filter no type fits is an error.
        if let Some(filter) = &filter
            && let Err(e) = filter.check(rt, &ctx.inner.config.filter)
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
    let config = &ctx.inner.config;
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
    Ok(Query {
        filter,
        sort,
        start_index: params.start_index(),
        count: Some(params.count(config.default_count, config.max_results)),
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
