//! PROVISIONAL stand-ins for `Filter::matches`, `Sort::compare`, `PatchRequest::apply`
//! and `PatchRequest::member_delta`, which the `filter` and `patch` branches provide.
//! Each function is replaced by a call to the real one when those branches merge.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::filter::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
use crate::patch::{MemberDelta, PatchOpKind, PatchRequest};
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::store::{Sort, SortOrder};

fn case_exact(rt: &ResourceType, path: &AttrPath) -> bool {
    rt.resolve(path).is_some_and(|r| r.target().case_exact)
}

fn values<'a>(doc: &'a Map<String, Value>, path: &AttrPath) -> Vec<&'a Value> {
    let top = match &path.urn {
        Some(urn) => doc.get(urn).and_then(|e| e.get(&path.name)),
        None => doc
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&path.name))
            .map(|(_, v)| v),
    };
    let items: Vec<&Value> = match top {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => vec![],
    };
    match &path.sub_attribute {
        None => items,
        Some(sub) => items
            .into_iter()
            .filter_map(|v| v.as_object())
            .filter_map(|o| {
                o.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(sub))
                    .map(|(_, v)| v)
            })
            .collect(),
    }
}

fn compare_value(v: &Value, op: CompareOp, c: &CompValue, exact: bool) -> bool {
    match (v, c) {
        (Value::String(a), CompValue::String(b)) => {
            let (a, b) = if exact {
                (a.clone(), b.clone())
            } else {
                (a.to_lowercase(), b.to_lowercase())
            };
            match op {
                CompareOp::Eq => a == b,
                CompareOp::Ne => a != b,
                CompareOp::Co => a.contains(&b),
                CompareOp::Sw => a.starts_with(&b),
                CompareOp::Ew => a.ends_with(&b),
                CompareOp::Gt => a > b,
                CompareOp::Lt => a < b,
                CompareOp::Ge => a >= b,
                CompareOp::Le => a <= b,
            }
        }
        (Value::Bool(a), CompValue::Bool(b)) => match op {
            CompareOp::Eq => a == b,
            CompareOp::Ne => a != b,
            _ => false,
        },
        (Value::Number(a), CompValue::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            match op {
                CompareOp::Eq => a == b,
                CompareOp::Ne => a != b,
                CompareOp::Gt => a > b,
                CompareOp::Lt => a < b,
                CompareOp::Ge => a >= b,
                CompareOp::Le => a <= b,
                _ => false,
            }
        }
        _ => matches!(op, CompareOp::Ne),
    }
}

fn eval(
    filter: &Filter,
    doc: &Map<String, Value>,
    rt: &ResourceType,
    prefix: Option<&AttrPath>,
) -> bool {
    let full = |p: &AttrPath| match prefix {
        Some(pre) => AttrPath {
            urn: pre.urn.clone(),
            name: pre.name.clone(),
            sub_attribute: Some(p.name.clone()),
        },
        None => p.clone(),
    };
    match filter {
        Filter::Compare { path, op, value } => {
            let vs = values(doc, path);
            let exact = case_exact(rt, &full(path));
            if vs.is_empty() {
                return *op == CompareOp::Ne;
            }
            vs.iter().any(|v| compare_value(v, *op, value, exact))
        }
        Filter::Present(path) => values(doc, path)
            .iter()
            .any(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty())),
        Filter::And(fs) => fs.iter().all(|f| eval(f, doc, rt, prefix)),
        Filter::Or(fs) => fs.iter().any(|f| eval(f, doc, rt, prefix)),
        Filter::Not(f) => !eval(f, doc, rt, prefix),
        Filter::ValuePath { path, filter } => values(doc, path)
            .iter()
            .filter_map(|v| v.as_object())
            .any(|o| eval(filter, o, rt, Some(path))),
    }
}

/// Stand-in for `Filter::matches`.
pub(crate) fn matches(filter: &Filter, resource: &Resource, rt: &ResourceType) -> bool {
    eval(filter, resource.attributes(), rt, None)
}

/// Stand-in for `Sort::compare`.
pub(crate) fn compare(sort: &Sort, a: &Resource, b: &Resource, rt: &ResourceType) -> Ordering {
    let exact = case_exact(rt, &sort.by);
    let key = |r: &Resource| {
        values(r.attributes(), &sort.by).first().map(|v| match v {
            Value::String(s) if !exact => s.to_lowercase(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let ordering = match (key(a), key(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    match sort.order {
        SortOrder::Ascending => ordering,
        SortOrder::Descending => ordering.reverse(),
    }
}

fn key_in<'a>(doc: &'a Map<String, Value>, name: &str) -> Option<&'a String> {
    doc.keys().find(|k| k.eq_ignore_ascii_case(name))
}

/// Stand-in for `PatchRequest::apply`: path-less add/replace, plain attribute paths,
/// and `remove` with a value filter.
pub(crate) fn apply_patch(
    patch: &PatchRequest,
    resource: &mut Resource,
    rt: &ResourceType,
) -> Result<(), ScimError> {
    let mut doc = resource.attributes().clone();
    for op in &patch.operations {
        match (&op.path, op.op) {
            (None, PatchOpKind::Add | PatchOpKind::Replace) => {
                let Some(Value::Object(values)) = &op.value else {
                    return Err(ScimError::invalid_value(
                        "path-less value must be an object",
                    ));
                };
                for (k, v) in values {
                    doc.insert(k.clone(), v.clone());
                }
            }
            (
                Some(PatchPath {
                    attribute,
                    filter: None,
                    sub_attribute: None,
                }),
                kind,
            ) => {
                let name = key_in(&doc, &attribute.name)
                    .cloned()
                    .unwrap_or_else(|| attribute.name.clone());
                match kind {
                    PatchOpKind::Remove => {
                        doc.shift_remove(&name);
                    }
                    PatchOpKind::Add => match (doc.get_mut(&name), &op.value) {
                        (Some(Value::Array(a)), Some(Value::Array(more))) => {
                            a.extend(more.iter().cloned())
                        }
                        (_, Some(v)) => {
                            doc.insert(name, v.clone());
                        }
                        (_, None) => return Err(ScimError::invalid_value("add needs a value")),
                    },
                    PatchOpKind::Replace => {
                        let v = op
                            .value
                            .clone()
                            .ok_or_else(|| ScimError::invalid_value("replace needs a value"))?;
                        doc.insert(name, v);
                    }
                }
            }
            (
                Some(PatchPath {
                    attribute,
                    filter: Some(f),
                    sub_attribute: None,
                }),
                PatchOpKind::Remove,
            ) => {
                let Some(name) = key_in(&doc, &attribute.name).cloned() else {
                    return Err(ScimError::no_target("no such attribute"));
                };
                if let Some(Value::Array(a)) = doc.get_mut(&name) {
                    a.retain(|v| {
                        !v.as_object()
                            .is_some_and(|o| eval(f, o, rt, Some(attribute)))
                    });
                }
            }
            _ => {
                return Err(ScimError::invalid_path(
                    "unsupported by the provisional patch",
                ));
            }
        }
    }
    *resource.attributes_mut() = doc;
    Ok(())
}

/// Stand-in for `PatchRequest::member_delta`.
pub(crate) fn member_delta(patch: &PatchRequest, rt: &ResourceType) -> Option<MemberDelta> {
    if !rt.schema.id.eq_ignore_ascii_case(crate::GROUP_SCHEMA) {
        return None;
    }
    let mut delta = MemberDelta::default();
    let mut other = Vec::new();
    if !patch.operations.iter().any(|op| {
        op.path
            .as_ref()
            .is_some_and(|p| p.attribute.name.eq_ignore_ascii_case("members"))
    }) {
        return None;
    }
    for op in &patch.operations {
        let Some(path) = &op.path else {
            other.push(op.clone());
            continue;
        };
        if !path.attribute.name.eq_ignore_ascii_case("members") {
            if path.attribute.name.eq_ignore_ascii_case("displayName") {
                other.push(op.clone());
                continue;
            }
            return None;
        }
        match (op.op, &path.filter, &op.value) {
            (PatchOpKind::Add, None, Some(Value::Array(vs))) => {
                delta.add.extend(vs.iter().cloned())
            }
            (PatchOpKind::Replace, None, Some(Value::Array(vs))) => {
                delta.replace_all = Some(vs.clone());
                delta.add.clear();
                delta.remove.clear();
            }
            (PatchOpKind::Remove, None, Some(Value::Array(vs))) => delta.remove.extend(
                vs.iter()
                    .filter_map(|v| v.get("value")?.as_str().map(str::to_owned)),
            ),
            (PatchOpKind::Remove, None, None) => {
                delta.replace_all = Some(Vec::new());
                delta.add.clear();
                delta.remove.clear();
            }
            (
                PatchOpKind::Remove,
                Some(Filter::Compare {
                    op: CompareOp::Eq,
                    value: CompValue::String(id),
                    ..
                }),
                None,
            ) => delta.remove.push(id.clone()),
            _ => return None,
        }
    }
    if !other.is_empty() {
        delta.other = Some(PatchRequest { operations: other });
    }
    Some(delta)
}
