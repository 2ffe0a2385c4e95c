//! Listing and searching (RFC 7644 §3.4.2, §3.4.3): `GET /{type}`, `POST /{type}/.search`
//! and `POST /.search` across every resource type.

use std::borrow::Cow;
use std::io::Write;

use bytes::Bytes;
use http::{Response, StatusCode};

use super::member_rows::MembersJson;
use super::{Context, LIST_RESPONSE_SCHEMA, RequestBody, projection};
use crate::error::ScimError;
use crate::filter::{AttrPath, Filter, Projection};
use crate::filter::{Sort, SortOrder};
use crate::schema::definition::ResourceType;
use crate::store::{Query, Retrieved};
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
    let result = ctx
        .store()
        .query_retrieved(&ctx.store_ctx, rt, &query)
        .await?;
    let paging = match query.cursor {
        // RFC 9865 §3: a cursor page has no startIndex, and names the next page.
        Some(_) => Paging::Cursor(result.next_cursor),
        None => Paging::Index(query.start_index),
    };
    let page = result.resources.into_iter().map(|r| (rt, r)).collect();
    Ok(list_response(
        ctx,
        result.total_results,
        paging,
        page,
        &projection,
    ))
}

pub(crate) async fn search(
    ctx: &Context<'_>,
    rt: &ResourceType,
    body: RequestBody,
) -> Result<Response<Bytes>, ScimError> {
    let params = parse_search_request(&body.into_json()?)?;
    list(ctx, rt, &params).await
}

/// `POST /.search`: every resource type's matches, in registry order (Users before
/// Groups), paged as one list.
pub(crate) async fn root_search(
    ctx: &Context<'_>,
    body: RequestBody,
) -> Result<Response<Bytes>, ScimError> {
    let params = parse_search_request(&body.into_json()?)?;
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
        let result = ctx
            .store()
            .query_retrieved(&ctx.store_ctx, rt, &query)
            .await?;
        total = total.saturating_add(result.total_results);
        let taken = result.resources.len();
        resources.extend(result.resources.into_iter().map(|r| (&**rt, r)));
        wanted = wanted.saturating_sub(taken);
        skip = skip.saturating_sub(result.total_results);
    }
    if let (false, Some(e)) = (understood, first_error) {
        return Err(e);
    }
    Ok(list_response(
        ctx,
        total,
        Paging::Index(start),
        resources,
        &projection,
    ))
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

/// How a list page is placed among the others.
enum Paging {
    /// `startIndex` paging (RFC 7644 §3.4.2.4): the page's first index.
    Index(usize),
    /// A cursor page (RFC 9865 §3): no `startIndex`, the next page's cursor while more
    /// pages follow.
    Cursor(Option<String>),
}

/// The `ListResponse` of RFC 7644 §3.4.2, each resource written from the form its store
/// retrieved it in; `Resources` is present even when empty (Entra ID's connection test
/// expects it). The bytes are those of the `ListResponse` object built whole
/// (`schemas`, `totalResults`, `itemsPerPage`, `startIndex` or `nextCursor`,
/// `Resources`), with each resource as [`Context::render`] gives it.
fn list_response(
    ctx: &Context<'_>,
    total: usize,
    paging: Paging,
    page: Vec<(&ResourceType, Retrieved)>,
    projection: &Projection,
) -> Response<Bytes> {
    let rows: usize = page
        .iter()
        .map(|(_, r)| MembersJson::size_hint(r.members()))
        .sum();
    let mut bytes = Vec::with_capacity(256 + 1024 * page.len() + rows);
    // Writing into a `Vec` cannot fail.
    let _ = write!(
        bytes,
        r#"{{"schemas":["{LIST_RESPONSE_SCHEMA}"],"totalResults":{total},"itemsPerPage":{}"#,
        page.len()
    );
    match paging {
        Paging::Index(start) => {
            let _ = write!(bytes, r#","startIndex":{start}"#);
        }
        Paging::Cursor(Some(next)) => {
            bytes.extend_from_slice(br#","nextCursor":"#);
            let _ = serde_json::to_writer(&mut bytes, &next);
        }
        Paging::Cursor(None) => {}
    }
    bytes.extend_from_slice(br#","Resources":["#);
    for (i, (rt, retrieved)) in page.into_iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        let version = retrieved.version().map(Cow::into_owned);
        ctx.write_retrieved(rt, retrieved, version.as_deref(), projection, &mut bytes);
    }
    bytes.extend_from_slice(b"]}");
    let mut response = Response::new(Bytes::from(bytes));
    *response.status_mut() = StatusCode::OK;
    response
}
