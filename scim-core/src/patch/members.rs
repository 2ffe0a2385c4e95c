//! The membership delta of a group PATCH, so that a store can add or remove members
//! without rewriting (or even reading) the whole member list.

use std::borrow::Cow;

use serde_json::Value;

use super::{MemberDelta, PatchOpKind, PatchRequest};
use crate::filter::{CompValue, CompareOp, Filter};
use crate::hash_map::HashMap;
use crate::schema::definition::ResourceType;

impl PatchRequest {
    /// The net membership change, when every operation that touches `members` is one a
    /// store can apply by member id: `add` of members, `replace` of the whole list,
    /// `remove` of the whole list, of a value list, or of `members[value eq "…"]`
    /// (with `or`s). Operations on other attributes go to [`MemberDelta::other`].
    ///
    /// `None` when the resource type has no `members` attribute, when the PATCH does not
    /// touch `members`, or when it does so in a way only whole-document application can
    /// express (e.g. `members[type eq "Group"]`, or, when parsed without
    /// [`PatchOptions::remove_missing_is_noop`](super::PatchOptions::remove_missing_is_noop),
    /// a removal of chosen members, which must fail for an absent one).
    ///
    /// ```
    /// use scim_core::{PatchRequest, SchemaRegistry, patch::PatchOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let group = registry.resource_type("Group").unwrap();
    /// let patch = PatchRequest::parse(br#"{"Operations":[
    ///   {"op":"add","path":"members","value":[{"value":"u1"},{"value":"u2"}]},
    ///   {"op":"remove","path":"members[value eq \"u0\"]"}]}"#, group, &PatchOptions::default()).unwrap();
    /// let delta = patch.member_delta(group).unwrap();
    /// assert_eq!(delta.add.len(), 2);
    /// assert_eq!(delta.remove, ["u0"]);
    /// assert!(delta.other.is_none());
    /// ```
    pub fn member_delta(&self, rt: &ResourceType) -> Option<MemberDelta> {
        rt.schema.attribute_named("members")?;
        // Room for every member value the operations carry: no rehashing as they are
        // netted.
        let values = self.operations.iter().filter_map(|o| o.value.as_ref());
        let mut net = Net::with_capacity(values.map(|v| items(v).len()).sum());
        let mut other = Vec::new();
        let mut touched = false;
        for operation in &self.operations {
            let path = operation.path.as_ref()?;
            let is_members = path
                .attribute
                .urn
                .as_deref()
                .is_none_or(|u| u.eq_ignore_ascii_case(&rt.schema.id))
                && path.attribute.name.eq_ignore_ascii_case("members");
            if !is_members {
                other.push(operation.clone());
                continue;
            }
            touched = true;
            if path.attribute.sub_attribute.is_some() || path.sub_attribute.is_some() {
                return None;
            }
            match (operation.op, &path.filter, &operation.value) {
                (PatchOpKind::Add, None, Some(value)) => {
                    for member in items(value) {
                        net.record(Cow::Borrowed(member_id(member)?), Some(member));
                    }
                }
                (PatchOpKind::Replace, None, Some(value)) => {
                    let mut list: Vec<&Value> = Vec::new();
                    for member in items(value) {
                        let id = member_id(member)?;
                        list.retain(|m| member_id(m) != Some(id));
                        list.push(member);
                    }
                    net.reset(list);
                }
                (PatchOpKind::Remove, None, None) => net.reset(Vec::new()),
                // Strict: removing an absent member is `noTarget`, which only the
                // whole document can tell.
                (PatchOpKind::Remove, _, Some(_)) | (PatchOpKind::Remove, Some(_), _)
                    if !self.rules.remove_missing_is_noop =>
                {
                    return None;
                }
                (PatchOpKind::Remove, None, Some(value)) => {
                    for member in items(value) {
                        net.record(Cow::Borrowed(member_id(member)?), None);
                    }
                }
                (PatchOpKind::Remove, Some(filter), _) => {
                    let mut ids = Vec::new();
                    value_eq_ids(filter, &mut ids)?;
                    for id in ids {
                        net.record(Cow::Owned(id), None);
                    }
                }
                _ => return None,
            }
        }
        if !touched {
            return None;
        }
        let mut delta = MemberDelta {
            replace_all: net
                .replace_all
                .map(|list| list.into_iter().cloned().collect()),
            ..MemberDelta::default()
        };
        for (id, change) in net.changes {
            match change {
                Some(member) => delta.add.push(member.clone()),
                None => delta.remove.push(id.into_owned()),
            }
        }
        if !other.is_empty() {
            delta.other = Some(PatchRequest {
                operations: other,
                rules: self.rules,
            });
        }
        Some(delta)
    }
}

/// The net effect of member operations so far: a replacement list, or per member id
/// (in first-seen order) the last word: added (`Some`) or removed (`None`). It borrows
/// the operations' values; only what survives the netting is copied into the delta.
struct Net<'a> {
    replace_all: Option<Vec<&'a Value>>,
    changes: Vec<(Cow<'a, str>, Option<&'a Value>)>,
    /// Position in `changes` by member id.
    index: HashMap<Cow<'a, str>, usize>,
}

impl<'a> Net<'a> {
    fn with_capacity(members: usize) -> Self {
        Net {
            replace_all: None,
            changes: Vec::with_capacity(members),
            index: HashMap::with_capacity_and_hasher(members, Default::default()),
        }
    }

    fn record(&mut self, id: Cow<'a, str>, member: Option<&'a Value>) {
        if let Some(list) = self.replace_all.as_mut() {
            list.retain(|m| member_id(m) != Some(&*id));
            list.extend(member);
            return;
        }
        match self.index.get(&id) {
            Some(&i) => {
                if let Some(slot) = self.changes.get_mut(i) {
                    slot.1 = member;
                }
            }
            None => {
                self.index.insert(id.clone(), self.changes.len());
                self.changes.push((id, member));
            }
        }
    }

    fn reset(&mut self, list: Vec<&'a Value>) {
        self.replace_all = Some(list);
        self.changes.clear();
        self.index.clear();
    }
}

fn items(value: &Value) -> std::slice::Iter<'_, Value> {
    match value {
        Value::Array(items) => items.iter(),
        other => std::slice::from_ref(other).iter(),
    }
}

fn member_id(member: &Value) -> Option<&str> {
    member.get("value").and_then(Value::as_str)
}

/// Collects the ids of `value eq "…"` (joined by `or`); `None` for any other filter.
fn value_eq_ids(filter: &Filter, out: &mut Vec<String>) -> Option<()> {
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(id),
        } if path.urn.is_none()
            && path.sub_attribute.is_none()
            && path.name.eq_ignore_ascii_case("value") =>
        {
            out.push(id.clone());
            Some(())
        }
        Filter::Or(parts) => parts.iter().try_for_each(|p| value_eq_ids(p, out)),
        _ => None,
    }
}
