//! The query planner: a filter that is, or ANDs with, an `eq` on an indexed attribute
//! is answered from the index; anything else scans the resource type in insertion order.
//! Index candidates are then checked against the rest of the filter, so an index only
//! narrows, it never decides alone unless it is exact.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::Id;
use super::record::{Kind, Record};
use super::tenant::{TenantData, TypeData};
use crate::error::{ScimError, ScimType};
use crate::filter::{AttrPath, CompValue, CompareOp, Filter, PreparedFilter};
use crate::filter::{Sort, SortOrder};
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::store::{Query, QueryResult, StoreError, decode_cursor, encode_cursor};
use serde_json::Value;

/// How a filter will be answered: the candidate ids (`None`: scan everything) and the
/// clauses every candidate must still satisfy (all of them, a conjunction).
#[derive(Debug)]
pub(crate) struct Plan<'f> {
    pub(crate) candidates: Option<Vec<Id>>,
    pub(crate) residual: Vec<&'f Filter>,
}

/// Ids answering one clause from an index, and whether that answer is exact (no
/// need to evaluate the clause on the candidates).
///
/// Declining (`None`) is always correct, only slower: the clause is then evaluated on
/// every resource. So a guard that declines more often is an equivalent mutant; one
/// that answers where it should not is caught (`index_answers_agree_with_evaluation`).
/// The parser never puts a sub-attribute before `[` (`members.value[…]` is refused),
/// so the value path's own guard is only defence.
fn lookup(
    filter: &Filter,
    rt: &ResourceType,
    td: &TypeData,
    tenant: &TenantData,
) -> Option<(Vec<Id>, bool)> {
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(value),
        } => lookup_eq(path, value, rt, td, tenant),
        // `members[value eq "…"]` (Okta, Entra) reads as `members.value eq "…"`.
        Filter::ValuePath { path, filter } if path.sub_attribute.is_none() => match &**filter {
            Filter::Compare {
                path: inner,
                op: CompareOp::Eq,
                value: CompValue::String(value),
            } if inner.urn.is_none() && inner.sub_attribute.is_none() => {
                let full = AttrPath {
                    urn: path.urn.clone(),
                    name: path.name.clone(),
                    sub_attribute: Some(inner.name.clone()),
                };
                lookup_eq(&full, value, rt, td, tenant)
            }
            _ => None,
        },
        _ => None,
    }
}

fn lookup_eq(
    path: &AttrPath,
    value: &str,
    rt: &ResourceType,
    td: &TypeData,
    tenant: &TenantData,
) -> Option<(Vec<Id>, bool)> {
    let resolved = rt.resolve(path)?;
    let name = resolved.attribute.name.as_str();
    let sub = resolved.sub_attribute.map(|a| a.name.as_str());
    if resolved.extension.is_none() && name == "id" && sub.is_none() {
        // `id` is case-exact (RFC 7643 §3.1).
        let ids = td.records.get_key_value(value).map(|(k, _)| Id::clone(k));
        return Some((ids.into_iter().collect(), true));
    }
    if let Some(derived) = td.kind.derived_attribute()
        && resolved.extension.is_none()
        && name == derived
        && sub == Some("value")
    {
        // Every id the store issues is lower case, so a lower-cased lookup finds
        // the member whether `value` compares case-exactly or not; it is exact
        // only when the client's value was lower case already.
        let member = value.to_lowercase();
        let exact = member == value;
        let ids: Vec<Id> = match td.kind {
            Kind::Group => tenant.membership.groups_of(&member).cloned().collect(),
            Kind::User => tenant.membership.member_ids(&member).cloned().collect(),
            Kind::Other => return None,
        };
        let ids = ids
            .into_iter()
            .filter(|id| td.records.contains_key(id))
            .collect();
        return Some((ids, exact));
    }
    let index = td.indexes.find_resolved(&resolved)?;
    if !index.spec.textual {
        return None;
    }
    let ids = index.lookup(&index.key_of_text(value)).to_vec();
    Some((ids, index.spec.case_exact))
}

/// Plans a filter for one resource type.
pub(crate) fn plan<'f>(
    filter: &'f Filter,
    rt: &ResourceType,
    td: &TypeData,
    tenant: &TenantData,
) -> Plan<'f> {
    match filter {
        Filter::And(clauses) => {
            let best = clauses
                .iter()
                .enumerate()
                .filter_map(|(i, c)| lookup(c, rt, td, tenant).map(|answer| (i, answer)))
                .min_by_key(|(_, (ids, _))| ids.len());
            match best {
                Some((chosen, (ids, exact))) => Plan {
                    candidates: Some(ids),
                    residual: clauses
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| !exact || *i != chosen)
                        .map(|(_, c)| c)
                        .collect(),
                },
                None => Plan {
                    candidates: None,
                    residual: vec![filter],
                },
            }
        }
        Filter::Or(clauses) => {
            let answers: Option<Vec<_>> =
                clauses.iter().map(|c| lookup(c, rt, td, tenant)).collect();
            match answers {
                Some(answers) => {
                    let mut ids: Vec<Id> = answers.into_iter().flat_map(|(ids, _)| ids).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    Plan {
                        candidates: Some(ids),
                        residual: vec![filter],
                    }
                }
                None => Plan {
                    candidates: None,
                    residual: vec![filter],
                },
            }
        }
        _ => match lookup(filter, rt, td, tenant) {
            Some((ids, exact)) => Plan {
                candidates: Some(ids),
                residual: if exact { Vec::new() } else { vec![filter] },
            },
            None => Plan {
                candidates: None,
                residual: vec![filter],
            },
        },
    }
}

/// Whether a filter names an attribute that `named` picks, anywhere. (Answering `true`
/// when it does not only builds a fuller view than the filter needs.)
fn mentions(filter: &Filter, named: &impl Fn(&str) -> bool) -> bool {
    match filter {
        Filter::Compare { path, .. } | Filter::Present(path) | Filter::ValuePath { path, .. } => {
            named(&path.name)
        }
        Filter::And(clauses) | Filter::Or(clauses) => clauses.iter().any(|c| mentions(c, named)),
        Filter::Not(inner) => mentions(inner, named),
    }
}

/// Whether the response will carry the derived attribute `name`, from the
/// `attributes`/`excludedAttributes` hint. Entra asks for groups with
/// `excludedAttributes=members`: then no member list is built at all.
fn wanted(query: &Query, name: &str) -> bool {
    let names = |p: &AttrPath| p.name.eq_ignore_ascii_case(name);
    if query
        .excluded_attributes
        .iter()
        .any(|p| names(p) && p.sub_attribute.is_none())
    {
        return false;
    }
    query.attributes.is_empty() || query.attributes.iter().any(names)
}

/// The resource a filter or sort sees: the stored document, or a copy with `id`,
/// `meta` and the derived attribute when the filter or sort names one of them.
fn view<'r>(
    tenant: &TenantData,
    td: &TypeData,
    record: &'r Record,
    derived: bool,
) -> Cow<'r, Resource> {
    if derived {
        Cow::Owned(tenant.materialize(td, record, true))
    } else {
        Cow::Borrowed(&record.resource)
    }
}

/// The ids of an unfiltered page sorted by an indexed attribute, read off the index
/// in order: O(skip + take), no sort. `None` when no index orders as the sort does.
///
/// The order is `Sort::comparator`'s (RFC 7644 §3.4.2.3): by value, ties by id;
/// resources without a value last when ascending and first when descending, by id.
/// Like every shortcut here, answering `None` is always correct, only slower.
fn sorted_page<'t>(
    td: &'t TypeData,
    rt: &ResourceType,
    sort: &Sort,
    mut skip: usize,
    mut take: usize,
) -> Option<Vec<&'t Id>> {
    let index = td.indexes.find(&sort.by, rt)?;
    let descending = sort.order == SortOrder::Descending;
    let (valued, walk) = index.sorted(descending)?;
    let missing = td.records.len().saturating_sub(valued);
    // Found only when the page reaches them (a scan): usually there are none
    // (`userName` is required).
    let missing_ids = || {
        let mut ids: Vec<&Id> = td
            .records
            .iter()
            .filter(|(_, record)| !index.has_value(record.resource.attributes()))
            .map(|(id, _)| id)
            .collect();
        ids.sort_unstable();
        ids
    };
    let parts = if descending {
        [(missing, None), (valued, Some(walk))]
    } else {
        [(valued, Some(walk)), (missing, None)]
    };
    let mut page = Vec::new();
    for (len, walk) in parts {
        if take == 0 {
            break;
        }
        if skip >= len {
            skip -= len;
            continue;
        }
        let before = page.len();
        match walk {
            Some(walk) => page.extend(walk.skip(skip).take(take)),
            None => page.extend(missing_ids().into_iter().skip(skip).take(take)),
        }
        take -= page.len() - before;
        skip = 0;
    }
    Some(page)
}

/// Runs a query against one tenant: filter, stable order (sort, then id; or insertion
/// order), exact total, page.
///
/// An RFC 9865 cursor carries the offset of the next page, bound to the query by
/// [`encode_cursor`]: the list is kept in memory, so an offset costs what a keyset
/// would.
///
/// `make` turns each record of the page into what the caller returns (a whole
/// [`Resource`], or the stored form the engine writes a response from), told whether the
/// query wants the type's derived attribute.
pub(crate) fn run<R>(
    tenant: &TenantData,
    rt: &ResourceType,
    query: &Query,
    make: impl Fn(&TypeData, &Record, bool) -> R,
) -> Result<QueryResult<R>, StoreError> {
    let Some(cursor) = &query.cursor else {
        return run_page(tenant, rt, query, make);
    };
    let offset = match decode_cursor(rt, query, cursor)? {
        None => 0,
        Some(position) => position
            .as_u64()
            .and_then(|o| usize::try_from(o).ok())
            .ok_or_else(|| {
                StoreError::Rejected(ScimError::bad_request(
                    ScimType::InvalidCursor,
                    "the cursor is not one this server issued",
                ))
            })?,
    };
    let mut page = query.clone();
    page.cursor = None;
    page.start_index = offset.saturating_add(1);
    let mut result = run_page(tenant, rt, &page, make)?;
    let end = offset.saturating_add(result.resources.len());
    if query.count.is_some_and(|c| c > 0) && end < result.total_results {
        result.next_cursor = Some(encode_cursor(rt, query, &Value::from(end)));
    }
    Ok(result)
}

/// [`run`] for `startIndex` paging.
fn run_page<R>(
    tenant: &TenantData,
    rt: &ResourceType,
    query: &Query,
    make: impl Fn(&TypeData, &Record, bool) -> R,
) -> Result<QueryResult<R>, StoreError> {
    let Some(td) = tenant.types.get(&rt.name) else {
        return Ok(QueryResult {
            resources: Vec::new(),
            total_results: 0,
            next_cursor: None,
        });
    };
    let derived = td.kind.derived_attribute();
    let with_derived = derived.is_some_and(|name| wanted(query, name));
    let skip = query.start_index.saturating_sub(1);
    let take = query.count.unwrap_or(usize::MAX);
    if query.filter.is_none() && query.sort.is_none() {
        // Every record matches: the total is the record count and the page comes
        // straight from the insertion-order index, O(skip + take).
        let resources = td
            .order
            .values()
            .skip(skip)
            .take(take)
            .filter_map(|id| td.records.get(id))
            .map(|record| make(td, record, with_derived))
            .collect();
        return Ok(QueryResult {
            resources,
            total_results: td.records.len(),
            next_cursor: None,
        });
    }
    if query.filter.is_none()
        && let Some(ids) = query
            .sort
            .as_ref()
            .and_then(|sort| sorted_page(td, rt, sort, skip, take))
    {
        let resources = ids
            .into_iter()
            .filter_map(|id| td.records.get(id))
            .map(|record| make(td, record, with_derived))
            .collect();
        return Ok(QueryResult {
            resources,
            total_results: td.records.len(),
            next_cursor: None,
        });
    }
    let view = |record, needed| view(tenant, td, record, needed);

    let plan = match &query.filter {
        Some(filter) => plan(filter, rt, td, tenant),
        None => Plan {
            candidates: None,
            residual: Vec::new(),
        },
    };
    // A scan walks the record map itself (no lookup per id) and restores creation
    // order afterwards, on the matches only.
    let candidates: Vec<&Record> = match &plan.candidates {
        Some(ids) => ids.iter().filter_map(|id| td.records.get(id)).collect(),
        None => td.records.values().collect(),
    };
    // `id` and `meta` live outside the stored document, like the derived attribute.
    let needs = |name: &str| {
        ["id", "meta"].iter().any(|n| name.eq_ignore_ascii_case(n))
            || derived.is_some_and(|d| name.eq_ignore_ascii_case(d))
    };
    let filter_needs_derived = plan.residual.iter().any(|f| mentions(f, &needs));
    let mut matched: Vec<&Record> = if plan.residual.is_empty() {
        candidates
    } else {
        // Paths resolved and values folded once, not once per resource.
        let residual: Vec<PreparedFilter<'_>> =
            plan.residual.iter().map(|f| f.prepare(rt)).collect();
        candidates
            .into_iter()
            .filter(|record| {
                let resource = view(record, filter_needs_derived);
                residual.iter().all(|f| f.matches(&resource))
            })
            .collect()
    };
    let total_results = matched.len();
    // A shortcut: the general path below gives the same empty page (it pages with
    // iterators, never by slicing).
    if take == 0 || skip >= total_results {
        return Ok(QueryResult {
            resources: Vec::new(),
            total_results,
            next_cursor: None,
        });
    }

    let end = skip.saturating_add(take).min(total_results);
    match &query.sort {
        None => {
            // Creation order; only the first `skip + take` places need ordering (the
            // selection is a shortcut: sorting everything gives the same page).
            if end < matched.len() {
                matched.select_nth_unstable_by_key(end, |r| r.seq);
                matched.truncate(end);
            }
            matched.sort_unstable_by_key(|r| r.seq);
        }
        Some(sort) => {
            let sort_needs_derived = needs(&sort.by.name);
            let mut keyed: Vec<(Cow<'_, Resource>, &Record)> = matched
                .into_iter()
                .map(|r| (view(r, sort_needs_derived), r))
                .collect();
            // `comparator` resolves the attribute once, and breaks ties by id.
            let compare = sort.comparator(rt);
            let order =
                |a: &(Cow<'_, Resource>, &Record), b: &(Cow<'_, Resource>, &Record)| -> Ordering {
                    // The borrowed documents carry no `id`: break ties by the record's.
                    compare(&a.0, &b.0).then_with(|| a.1.id.cmp(&b.1.id))
                };
            // Only the first `skip + take` places need ordering: select them in linear
            // time, then sort just those (a page of 100 out of 100 000). A shortcut:
            // sorting everything gives the same page.
            if end < keyed.len() {
                keyed.select_nth_unstable_by(end, order);
                keyed.truncate(end);
            }
            keyed.sort_unstable_by(order);
            matched = keyed.into_iter().map(|(_, r)| r).collect();
        }
    }

    let resources = matched
        .into_iter()
        .skip(skip)
        .take(take)
        .map(|record| make(td, record, with_derived))
        .collect();
    Ok(QueryResult {
        resources,
        total_results,
        next_cursor: None,
    })
}
